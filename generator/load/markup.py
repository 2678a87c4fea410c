"""Markdown to safe HTML: Python-Markdown for the conversion, nh3 (ammonia) for an allow-list clean."""

from __future__ import annotations

import html
import re

import markdown
import nh3
from markdown.extensions.toc import TocExtension

from generator.model import Heading
from generator.load.slugs import slugify

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


def html_cleaner() -> nh3.Cleaner:
    """A sanitiser of HTML fragments against the allow-list. Made once and reused: ``nh3.clean``
    builds its allow-list again for every call, a third of its time."""
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        attribute_filter=_keep_language_classes,
    )


MAX_BRACKETS_PER_BLOCK = 500
"""Python-Markdown's inline link parser is quadratic in unmatched ``[`` within a paragraph
(``'[' * 40000`` runs for minutes, python-markdown #798); 500 in one block costs ~0.1 s."""


MAX_SETEXT_PER_BLOCK = 200
"""Python-Markdown splits and joins the rest of a block again for every setext heading
(``x`` over ``===``) that starts it, so a run of them is quadratic: 40 KB of ``x\\n=\\n`` took
3 s, 100 KB 18 s; 200 in one block cost a few milliseconds."""
MAX_OPEN_TAGS = 50
"""The HTML parser behind Python-Markdown scans from each ``<`` and a letter to the end of what
could still be that tag, the rest of the document when no ``>`` comes: 100 KB of ``<http://a``
took 16 s, of ``<a`` 5 s. 50 such unclosed tags cost well under a second at the 1 MB limit."""
MAX_NESTING = 200
"""How deep elements may nest in a converted body. The HTML parser behind the cleaner walks the
stack of open elements at each ``<div>``, ``<ul>``, ``<blockquote>``…, so 200 KB of unclosed
``<div>`` took 5 s to clean, 400 KB 20 s, in native code no timer can stop; Markdown's own
lists and quotes are refused far sooner, by the recursion limit."""
_OPEN_OR_CLOSE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^<>]*?(/?)>")
_NOT_NESTING = frozenset("""
    area base br col embed hr img input link meta source track wbr
    p li dt dd tr td th thead tbody tfoot option optgroup colgroup caption rt rp
""".split())
"""Void elements, and those whose end tag HTML lets a writer leave out (the next one closes them)."""
_SETEXT_UNDERLINE = re.compile(r"^[ ]{0,3}(?:=+|-+)[ ]*$", re.MULTILINE)
_UNCLOSED_TAG = re.compile(r"</?[A-Za-z][^<>]*(?=<|\Z)")


def pathological(text: str, first_line: int = 1) -> tuple[int, str] | None:
    """(line, reason) when a Markdown body would take unbounded time to convert, else None."""
    line = first_line
    for block in text.split("\n\n"):
        count = block.count("[")
        if count > MAX_BRACKETS_PER_BLOCK:
            return line, (f"a paragraph has {count} '[' (at most {MAX_BRACKETS_PER_BLOCK}): "
                          "Markdown would take minutes to convert it")
        underlines = _SETEXT_UNDERLINE.findall(block)
        if len(underlines) > MAX_SETEXT_PER_BLOCK:
            return line, (f"this article takes too long to convert ({len(underlines)} '===' or '---' heading "
                          f"underlines in one paragraph, at most {MAX_SETEXT_PER_BLOCK})")
        line += block.count("\n") + 2
    unclosed = [m.start() for m in _UNCLOSED_TAG.finditer(text)]
    if len(unclosed) > MAX_OPEN_TAGS:
        where = first_line + text.count("\n", 0, unclosed[MAX_OPEN_TAGS])
        return where, (f"this article takes too long to convert ({len(unclosed)} '<' that open an HTML tag "
                       f"and never close it with '>', at most {MAX_OPEN_TAGS}; write &lt; for a plain '<')")
    return None


class TooDeep(Exception):
    """A converted body nests elements deeper than ``MAX_NESTING``."""


def nesting(fragment: str) -> int:
    """The deepest nesting of elements in an HTML fragment, counted as a tag soup: start tags in,
    end tags out (never below zero), elements that need no end tag not counted."""
    depth = deepest = 0
    for closing, name, self_closing in _OPEN_OR_CLOSE.findall(fragment):
        if self_closing or name.lower() in _NOT_NESTING:
            continue
        depth = max(depth - 1, 0) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def _heading_slug(value: str, separator: str) -> str:
    return slugify(html.unescape(value)) or "section"


INLINE_NEEDS = {
    "backtick": ("`",), "escape": ("\\",), "reference": ("[",), "link": ("[",), "short_reference": ("[",),
    "image_link": ("!",), "image_reference": ("!",), "short_image_ref": ("!",),
    "autolink": ("<",), "automail": ("<",), "html": ("<",), "linebreak": ("  \n",), "entity": ("&",),
    "not_strong": ("*", "_"), "em_strong": ("*",), "em_strong2": ("_",),
}
"""Python-Markdown's stock inline patterns, by their registered name, and the text each one's
expression cannot match without."""
BLOCK_NEEDS = {
    "indent": ("\n ", "\t"), "code": ("\n    ", "\t"), "hashheader": ("#",), "setextheader": ("\n=", "\n-"),
    "hr": ("*", "-", "_"), "olist": (".",), "ulist": ("*", "+", "-"), "quote": (">",), "reference": ("]:",),
    "table": ("|",),
}
"""The same for the stock block processors (``indent`` and ``code`` also need a document that
starts with a space)."""
PREPROCESSOR_NEEDS = {"html_block": ("<",), "fenced_code_block": ("```", "~~~")}
"""And for the stock preprocessors."""
STEPS = (("inlinePatterns", INLINE_NEEDS), ("preprocessors", PREPROCESSOR_NEEDS), ("blockprocessors", BLOCK_NEEDS))
"""Each registry of a Markdown instance, by attribute (``blockprocessors`` is ``md.parser``'s),
with what its steps need. A document that lacks what a step needs is converted without
that step, which gives the same HTML faster: the inline patterns are tried at every text
node and the block processors on every block, over half of a conversion. A name not
listed is always kept."""


class MarkdownConverter:
    """Python-Markdown instances reset between documents (≈10% faster than a new one), one for
    each set of steps that some document can do without (``STEPS``).

    Created per build and passed along, never module-level, so concurrent builds
    in one process (the preview server) cannot share its state.
    """

    def __init__(self) -> None:
        self._instances: dict[tuple[int, frozenset[str]], markdown.Markdown] = {}
        self._clean = html_cleaner().clean

    def _markdown(self, baselevel: int, text: str) -> markdown.Markdown:
        """The converter for ``text``: the stock extensions less the steps it cannot use
        (``STEPS``), removed through each registry's public ``deregister``."""
        probe = text.replace("\r", "\n")  # line ends as the steps see them
        indented = probe.startswith((" ", "\t"))
        unused = frozenset((registry, name) for registry, needs in STEPS for name, need in needs.items()
                           if not any(n in probe for n in need) and not (indented and name in ("indent", "code")))
        md = self._instances.get((baselevel, unused))
        if md is None:
            md = markdown.Markdown(
                extensions=[TocExtension(baselevel=baselevel, slugify=_heading_slug),
                            "tables", "fenced_code", "sane_lists"],
                output_format="html",
            )
            for registry, name in unused:
                steps = md.parser.blockprocessors if registry == "blockprocessors" else getattr(md, registry)
                steps.deregister(name, strict=False)
            self._instances[(baselevel, unused)] = md
        md.reset()
        return md

    def forget(self) -> None:
        """Drop every instance: after a conversion stopped midway (``budget.TooSlow``) none is trusted."""
        self._instances.clear()

    def convert(self, text: str) -> tuple[str, tuple[Heading, ...]]:
        """Markdown source -> (clean HTML, headings in order)."""
        md = self._markdown(1, text)
        html_out = md.convert(text)
        # `# Heading` in a body must not compete with the page's <h1> (the entry title):
        # documents that use it are converted again one level down.
        if any(token["level"] == 1 for token in md.toc_tokens):  # type: ignore[attr-defined]
            md = self._markdown(2, text)
            html_out = md.convert(text)
        headings = tuple(_flatten(md.toc_tokens))  # type: ignore[attr-defined]
        if html_out.count("<") > MAX_NESTING and nesting(html_out) > MAX_NESTING:
            raise TooDeep
        return self._clean(html_out), headings


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
