"""The news-wire plain-text shape: ``date YYYY-MM-DD`` and the lede on line one, then paragraphs.

A short line standing alone with no end punctuation is a section heading. All
text is escaped: nothing in a plain-text seed is ever parsed as HTML.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from pathlib import Path

from generator.errors import BuildError, problem
from generator.model import Heading
from generator.load.prose import split_sentences, strip_dateline
from generator.load.slugs import unique_ids

# `date`, one or more spaces or tabs, the date, then (after whitespace) the lede.
_DATE_LINE = re.compile(r"\Adate[ \t]+(\S+)(?:[ \t]+(.*))?\Z", re.ASCII | re.DOTALL)
_ISO_DAY = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z", re.ASCII)
HEADING_MAX_CHARS = 80
HEADING_MAX_WORDS = 10
_END_PUNCTUATION = ".!?:;,…"
_CLOSERS = "\"'”’)]»"


@dataclass(frozen=True)
class WireArticle:
    """What the plain-text shape yields before front matter is merged in."""

    date: dt.date
    date_line: int
    dateline: str
    """A leading date/time stamp of the lede such as ``24 Nov. 09:40 (UTC+2)``, or ''."""
    lede_sentences: tuple[str, ...]
    """The lede's sentences; when the lede is only a dateline, the first paragraph's."""
    body_html: str
    """The article after the lede (and its dateline)."""
    headings: tuple[Heading, ...]
    next_sentences: tuple[str, ...] = ()
    """The sentences of the first paragraph after the lede, for a summary when the lede has one."""

    def lede_html(self, skip: int = 0) -> str:
        """The dateline and the lede as paragraphs, without the lede's first ``skip`` sentences
        (a headline made of the first sentence need not be printed twice)."""
        parts = [f'<p class="dateline">{html.escape(self.dateline)}</p>'] if self.dateline else []
        if self.lede_sentences[skip:]:
            parts.append(f'<p class="lede">{html.escape(" ".join(self.lede_sentences[skip:]))}</p>')
        return "\n".join(parts)


def is_heading(block: str) -> bool:
    """A block is a heading when it is one short line with no end punctuation."""
    if "\n" in block:
        return False
    text = block.strip()
    if not text or len(text) > HEADING_MAX_CHARS or len(text.split()) > HEADING_MAX_WORDS:
        return False
    return text.rstrip(_CLOSERS)[-1:] not in _END_PUNCTUATION and text[-1] not in _END_PUNCTUATION


def parse_wire(path: Path, body: str, first_line: int) -> WireArticle:
    """Parse the plain-text shape; ``first_line`` is the file line where ``body`` starts."""
    lines = body.split("\n")
    index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        raise BuildError([problem(path, first_line, "empty article: expected 'date YYYY-MM-DD' and the lede")])
    line_no = first_line + index
    head = lines[index].strip()
    match = _DATE_LINE.match(head)
    if not match:
        raise BuildError([problem(path, line_no,
                                  f"the first line must be 'date YYYY-MM-DD' followed by the lede, not {head[:40]!r}")])
    day_text, lede = match.group(1), (match.group(2) or "").strip()
    if not _ISO_DAY.match(day_text):
        # "2024-01-02\xa0Lede": only spaces and tabs part the date from the lede (C5).
        hint = "; put a space or tab after it" if _ISO_DAY.match(day_text[:10]) else ""
        raise BuildError([problem(path, line_no, f"date {day_text!r} is not in the form YYYY-MM-DD{hint}")])
    try:
        day = dt.date.fromisoformat(day_text)
    except ValueError:
        raise BuildError([problem(path, line_no, f"{day_text!r} is not a valid calendar date")]) from None
    if not lede:
        raise BuildError([problem(path, line_no, "no lede after the date: write the lede on the date line")])

    blocks = _blocks(lines[index + 1:])
    dateline, lede_text = strip_dateline(lede)
    if not lede_text:  # the lede was only a dateline: the story starts in the first paragraph, its lede
        first = next((i for i, b in enumerate(blocks) if not is_heading(b)), None)
        lede_text = " ".join(blocks.pop(first).split()) if first is not None else ""
    parts: list[str] = []
    heading_blocks = [b for b in blocks if is_heading(b)]
    ids = iter(unique_ids(heading_blocks))
    headings = []
    for block in blocks:
        text = " ".join(block.split())
        if is_heading(block):
            heading = Heading(level=2, id=next(ids), text=text)
            headings.append(heading)
            parts.append(f'<h2 id="{heading.id}">{html.escape(text)}</h2>')
        else:
            parts.append(f"<p>{html.escape(text)}</p>")
    paragraphs = [" ".join(b.split()) for b in blocks if not is_heading(b)]
    return WireArticle(
        date=day,
        date_line=line_no,
        dateline=dateline,
        lede_sentences=tuple(split_sentences(lede_text)),
        body_html="\n".join(parts),
        headings=tuple(headings),
        next_sentences=tuple(split_sentences(paragraphs[0])) if paragraphs else (),
    )


def _blocks(lines: list[str]) -> list[str]:
    """Paragraph blocks separated by blank lines; inner line breaks kept to tell headings apart."""
    blocks, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks
