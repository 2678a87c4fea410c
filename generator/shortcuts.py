"""Exact shortcuts through Python-Markdown: each skips work whose result is known without doing it.

Python-Markdown runs every pattern, block test and preprocessor over every document,
though prose rarely holds what most of them look for. Each shortcut here skips one step
when the text lacks what any input that step acts on contains, or names a heading the way
the stock step would; the HTML is the same byte for byte (the tests compare every one with
stock Python-Markdown). Together they cut conversion, most of a cold build's time, to a third.

Each shortcut rests on how one version of Python-Markdown is written: ``install`` puts in
only those that fit the version at hand, and otherwise the stock step runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import markdown
from markdown import blockprocessors, inlinepatterns, preprocessors, util
from markdown.blockparser import BlockParser
from markdown.extensions import fenced_code, tables, toc
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

CHECKED_VERSION = (3, 11)
"""The Python-Markdown whose expressions and steps the block and preprocessor shortcuts were checked against."""


def _checked() -> bool:
    return markdown.__version_info__[:2] == CHECKED_VERSION


def install(md: markdown.Markdown) -> None:
    """Put the shortcuts that fit this Markdown into ``md`` (built with ``toc_extension``)."""
    if SkippingInlineProcessor.fits():
        md.treeprocessors.register(SkippingInlineProcessor(md), "inline", 20)
    if _checked():
        md.parser.__class__ = SkippingBlockParser  # the same parser and processors, a faster loop
        for processor in md.preprocessors:
            faster = _FASTER_PREPROCESSORS.get(type(processor))
            if faster is not None:
                processor.__class__ = faster  # the same state, one step skipped when it would do nothing


def toc_extension(**config) -> toc.TocExtension:  # type: ignore[no-untyped-def]
    """The ``toc`` extension with ``config``, naming plain headings the short way where it fits."""
    return HeadingIdsExtension(**config) if HeadingIds.fits() else toc.TocExtension(**config)


# Preprocessors ----------------------------------------------------------------------------

class _NormalizeWhitespace(preprocessors.NormalizeWhitespace):
    """The stock step, whose last expression (blank lines holding spaces) runs only when the
    text holds a space before a line end, as every line it changes does: two thirds of the step."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        source = source.replace(util.STX, "").replace(util.ETX, "")
        source = source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
        source = source.expandtabs(self.md.tab_length)
        if " \n" in source:
            source = re.sub(r"(?<=\n) +\n", "\n", source)
        return source.split("\n")


class _HtmlBlocks(preprocessors.HtmlBlockPreprocessor):
    """The stock step, which feeds the whole text to an HTML parser, skipped for a text with
    no ``<`` or ``&``: all such a parser gets is one run of data, which it hands back as it is."""

    def run(self, lines: list[str]) -> list[str]:
        for line in lines:
            if "<" in line or "&" in line:
                return super().run(lines)
        return lines


class _FencedBlocks(fenced_code.FencedBlockPreprocessor):
    """The stock step, skipped for a text with no fence (every match of its expression opens
    with three backticks or tildes)."""

    def run(self, lines: list[str]) -> list[str]:
        for line in lines:
            if "```" in line or "~~~" in line:
                return super().run(lines)
        return lines


_FASTER_PREPROCESSORS: dict[type, type] = {
    preprocessors.NormalizeWhitespace: _NormalizeWhitespace,
    preprocessors.HtmlBlockPreprocessor: _HtmlBlocks,
    fenced_code.FencedBlockPreprocessor: _FencedBlocks,
}
"""Stock preprocessor class (exactly: never an extension's subclass) -> its shortcut."""


# Blocks -----------------------------------------------------------------------------------

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
line start, a reference's ``]:``, a table's pipes over two rows)."""


class SkippingBlockParser(BlockParser):
    """Python-Markdown's block parser, minus the processor tests that cannot pass.

    Each block is offered to every block processor in turn, and most of their tests run
    an expression over the whole block, though a paragraph of prose holds no ``#``,
    ``>``, ``]:`` or ``|``: a quarter of conversion time. This skips a processor when the
    block fails its ``_BLOCK_NEEDS`` entry, which is exactly its test failing (or, for a
    reference, its run finding nothing and handing the block on). Only processors of
    exactly the stock classes are skipped, never an extension's subclass.
    """

    def parseBlocks(self, parent, blocks):  # type: ignore[no-untyped-def]  # noqa: N802
        offers = [(processor, _BLOCK_NEEDS.get(type(processor))) for processor in self.blockprocessors]
        while blocks:
            for processor, may_accept in offers:
                if may_accept is not None and not may_accept(blocks[0]):
                    continue
                if processor.test(parent, blocks[0]):
                    if processor.run(parent, blocks) is not False:
                        break


# Inline patterns --------------------------------------------------------------------------

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


class SkippingInlineProcessor(InlineProcessor):
    """Python-Markdown's inline pass, minus the patterns that cannot match.

    The stock pass runs every inline pattern's regex over every run of text, though most
    prose holds no backtick, bracket, ``<`` or ``&``: this skips a pattern when the text
    lacks what each of its matches would contain, which is exactly a pattern finding no
    match. Markdown conversion takes about a third less time.
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


# Headings ---------------------------------------------------------------------------------

_NOT_PLAIN = re.compile("[&<>\x02\x03]")
"""What makes a heading's text differ from its name: markup to strip, or a placeholder of
Python-Markdown's (escapes, stashed HTML) to put back."""


class HeadingIds(toc.TocTreeprocessor):
    """The ``toc`` extension's heading ids and tokens, minus what we never use.

    For every heading the stock processor renders the inner HTML through the serializer
    and the postprocessors to name it, then builds and serializes a table of contents for
    ``md.toc``: a seventh of conversion time. A heading of plain text is named by its text,
    which is what those steps give it. A document with a heading of anything else, or with
    a ``[TOC]`` marker to replace, goes the stock way whole; ``md.toc`` is left empty
    otherwise (we read only ``md.toc_tokens``).
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


class HeadingIdsExtension(toc.TocExtension):
    TreeProcessorClass = HeadingIds
