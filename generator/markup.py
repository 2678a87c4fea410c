"""Markdown to safe HTML: Python-Markdown for the conversion, nh3 (ammonia) for an allow-list clean."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import markdown
import nh3
from markdown import blockprocessors, inlinepatterns
from markdown.blockparser import BlockParser
from markdown.extensions import tables, toc
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

from generator.model import Heading
from generator.slugs import slugify

# What an article body may contain after cleaning. No scripts, styles, frames,
# forms, SVG or event handlers; links only to http(s), mailto and relative URLs.
ALLOWED_TAGS = frozenset("""
    a abbr b blockquote br caption cite code dd del dfn div dl dt em figcaption figure
    h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s small span strong sub sup
    table tbody td tfoot th thead time tr u ul
""".split())
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "code": {"class"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "abbr": {"title"}, "q": {"cite"}, "blockquote": {"cite"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_TAG = re.compile(r"<[^>]+>")
_LANGUAGE_CLASS = re.compile(r"\Alanguage-[\w+#.-]+\Z")


def _keep_language_classes(tag: str, attribute: str, value: str) -> str | None:
    """``<code class>`` keeps only ``language-…`` names: a fence's info string is the
    author's free text (```` ~~~ {.x" onclick=…} ````, Hugo GHSA-q76j), not a class list."""
    if attribute != "class":
        return value
    kept = [name for name in value.split() if _LANGUAGE_CLASS.match(name)]
    return " ".join(kept) or None


def clean_html(fragment: str) -> str:
    """Sanitise an HTML fragment against the allow-list."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        attribute_filter=_keep_language_classes,
    )


MAX_BRACKETS_PER_BLOCK = 500
"""Python-Markdown's inline link parser is quadratic in unmatched ``[`` within a paragraph
(``'[' * 40000`` runs for minutes, python-markdown #798); 500 in one block costs ~0.1 s."""


def pathological(text: str, first_line: int = 1) -> tuple[int, str] | None:
    """(line, reason) when a Markdown body would take unbounded time to convert, else None."""
    line = first_line
    for block in text.split("\n\n"):
        count = block.count("[")
        if count > MAX_BRACKETS_PER_BLOCK:
            return line, (f"a paragraph has {count} '[' (at most {MAX_BRACKETS_PER_BLOCK}): "
                          "Markdown would take minutes to convert it")
        line += block.count("\n") + 2
    return None


def _heading_slug(value: str, separator: str) -> str:
    return slugify(html.unescape(value)) or "section"


class MarkdownConverter:
    """One reusable Python-Markdown instance, reset between documents (≈10% faster than a new one).

    Created per build and passed along, never module-level, so concurrent builds
    in one process (the preview server) cannot share its state.
    """

    def __init__(self) -> None:
        self._md = self._make(baselevel=1)
        # `# Heading` in a body must not compete with the page's <h1> (the entry title):
        # documents that use it are converted again one level down.
        self._md_shifted = self._make(baselevel=2)

    @staticmethod
    def _make(baselevel: int) -> markdown.Markdown:
        headings = _HeadingIdsExtension if _HeadingIds.fits() else toc.TocExtension
        md = markdown.Markdown(
            extensions=[headings(baselevel=baselevel, slugify=_heading_slug), "tables", "fenced_code", "sane_lists"],
            output_format="html",
        )
        if _SkippingInlineProcessor.fits():
            md.treeprocessors.register(_SkippingInlineProcessor(md), "inline", 20)
        if _SkippingBlockParser.fits():
            md.parser.__class__ = _SkippingBlockParser  # the same parser and processors, a faster loop
        return md

    def convert(self, text: str) -> tuple[str, tuple[Heading, ...]]:
        """Markdown source -> (clean HTML, headings in order)."""
        md = self._md
        md.reset()
        html_out = md.convert(text)
        if any(token["level"] == 1 for token in md.toc_tokens):  # type: ignore[attr-defined]
            md = self._md_shifted
            md.reset()
            html_out = md.convert(text)
        headings = tuple(_flatten(md.toc_tokens))  # type: ignore[attr-defined]
        return clean_html(html_out), headings


_NEEDED: dict[str, tuple[str, ...]] = {
    inlinepatterns.BACKTICK_RE: ("`",),
    inlinepatterns.ESCAPE_RE: ("\\",),
    inlinepatterns.LINK_RE: ("[",),  # also REFERENCE_RE
    inlinepatterns.IMAGE_LINK_RE: ("![",),  # also IMAGE_REFERENCE_RE
    inlinepatterns.AUTOLINK_RE: ("<",),
    inlinepatterns.AUTOMAIL_RE: ("<",),
    inlinepatterns.LINE_BREAK_RE: ("  \n",),
    inlinepatterns.HTML_RE: ("<",),
    inlinepatterns.ENTITY_RE: ("&",),
    r"\*|_": ("*", "_"),  # the emphasis delimiters of Markdown 3.11
}
"""Regex source of a stock inline pattern -> texts of which every match contains one. Keyed
by the regex itself, so a pattern another Markdown version spells differently is never skipped."""


class _SkippingInlineProcessor(InlineProcessor):
    """Python-Markdown's inline pass, minus the patterns that cannot match.

    The stock pass runs every inline pattern's regex over every run of text, though most
    prose holds no backtick, bracket, ``<`` or ``&``: this skips a pattern when the text
    lacks what each of its matches would contain, which is exactly a pattern finding no
    match. The output is the same (tests compare it with the stock pass); Markdown
    conversion takes about a third less time.
    """

    @staticmethod
    def fits() -> bool:
        """Whether this Markdown has the private methods this class builds on."""
        return all(hasattr(InlineProcessor, f"_InlineProcessor__{name}") for name in ("handleInline", "applyPattern"))

    def run(self, tree, ancestors=None):  # type: ignore[no-untyped-def]
        self._patterns = list(self.inlinePatterns)
        self._needed = [_NEEDED.get(getattr(getattr(pattern, "compiled_re", None), "pattern", None))
                        for pattern in self._patterns]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802,N803
        if isinstance(data, AtomicString):
            return data
        patterns, needed = self._patterns, self._needed
        start = 0
        while patternIndex < len(patterns):
            wants = needed[patternIndex]
            if wants is not None:
                for text in wants:  # not any(): a generator costs more than the test
                    if text in data:
                        break
                else:
                    patternIndex += 1
                    start = 0  # as after a pattern that found nothing
                    continue
            data, matched, start = self._InlineProcessor__applyPattern(  # type: ignore[attr-defined]
                patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


_HR_LINE = re.compile(r"\n {0,3}[-_*]")

_BLOCK_NEEDS: dict[type, Callable[[str], bool]] = {
    blockprocessors.HashHeaderProcessor: lambda block: "#" in block,
    blockprocessors.SetextHeaderProcessor: lambda block: "\n=" in block or "\n-" in block,
    blockprocessors.HRProcessor: lambda block: block.lstrip(" ")[:1] in "-_*" or _HR_LINE.search(block) is not None,
    blockprocessors.BlockQuoteProcessor: lambda block: ">" in block,
    blockprocessors.ReferenceProcessor: lambda block: "]:" in block,  # its test passes all; its run finds none
    tables.TableProcessor: lambda block: "|" in block and "\n" in block,
}
"""Stock block processor -> a test that holds for every block it accepts: what any match of
its expression contains (a heading's ``#``, a quote's ``>``, a setext heading's or a rule's
line start, a reference's ``]:``, a table's pipes over two rows). Checked against the
expressions of Python-Markdown 3.11 (``_SkippingBlockParser.fits``)."""


class _SkippingBlockParser(BlockParser):
    """Python-Markdown's block parser, minus the processor tests that cannot pass.

    Each block is offered to every block processor in turn, and most of their tests run
    an expression over the whole block, though a paragraph of prose holds no ``#``,
    ``>``, ``]:`` or ``|``: a quarter of conversion time. This skips a processor when the
    block fails its ``_BLOCK_NEEDS`` entry, which is exactly its test failing (or, for a
    reference, its run finding nothing and handing the block on). The output is the same
    (tests compare it with the stock parser); only processors of exactly the stock
    classes are skipped, never an extension's subclass.
    """

    @staticmethod
    def fits() -> bool:
        """Whether this Markdown is the version whose expressions ``_BLOCK_NEEDS`` was checked against."""
        return markdown.__version_info__[:2] == (3, 11)

    def parseBlocks(self, parent, blocks):  # type: ignore[no-untyped-def]  # noqa: N802
        offers = [(processor, _BLOCK_NEEDS.get(type(processor))) for processor in self.blockprocessors]
        while blocks:
            for processor, may_accept in offers:
                if may_accept is not None and not may_accept(blocks[0]):
                    continue
                if processor.test(parent, blocks[0]):
                    if processor.run(parent, blocks) is not False:
                        break


_NOT_PLAIN = re.compile("[&<>\x02\x03]")
"""What makes a heading's text differ from its name: markup to strip, or a placeholder of
Python-Markdown's (escapes, stashed HTML) to put back."""


class _HeadingIds(toc.TocTreeprocessor):
    """The ``toc`` extension's heading ids and tokens, minus what we never use.

    For every heading the stock processor renders the inner HTML through the serializer
    and the postprocessors to name it, then builds and serializes a table of contents for
    ``md.toc``: a seventh of conversion time. A heading of plain text is named by its text,
    which is what those steps give it. A document with a heading of anything else, or with
    a ``[TOC]`` marker to replace, goes the stock way whole; ``md.toc`` is left empty
    otherwise (we read only ``md.toc_tokens``). Tests compare the output with the stock pass.
    """

    @staticmethod
    def fits() -> bool:
        """Whether this Markdown's toc names headings as this class assumes."""
        return all(hasattr(toc, name) for name in ("render_inner_html", "strip_tags", "unique", "nest_toc_tokens"))

    def run(self, doc):  # type: ignore[no-untyped-def]
        headings = [el for el in doc.iter() if isinstance(el.tag, str) and self.header_rgx.match(el.tag)]
        plain = not self.use_anchors and not self.use_permalinks and all(
            len(el) == 0 and not el.attrib and not _NOT_PLAIN.search(el.text or "") for el in headings)
        marked = bool(self.marker) and any(
            len(el) == 0 and el.text and el.text.strip() == self.marker for el in doc.iter())
        if not plain or marked:
            return super().run(doc)
        used_ids = {el.attrib["id"] for el in doc.iter() if "id" in el.attrib}
        tokens = []
        for el in headings:
            self.set_level(el)
            name = " ".join((el.text or "").split())
            el.attrib["id"] = toc.unique(self.slugify(name, self.sep), used_ids)
            level = int(el.tag[-1])
            if self.toc_top <= level <= self.toc_bottom:
                tokens.append({"level": level, "id": el.attrib["id"], "name": name,
                               "html": (el.text or "").strip(), "data-toc-label": ""})
        self.md.toc_tokens = toc.nest_toc_tokens(tokens)  # type: ignore[attr-defined]


class _HeadingIdsExtension(toc.TocExtension):
    TreeProcessorClass = _HeadingIds


def _flatten(tokens: list[dict]) -> list[Heading]:
    out: list[Heading] = []
    for token in tokens:
        text = html.unescape(_TAG.sub("", token["name"]))
        out.append(Heading(level=int(token["level"]), id=token["id"], text=text))
        out.extend(_flatten(token.get("children", [])))
    return out


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace folded: for summaries derived from bodies."""
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())
