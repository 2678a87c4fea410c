"""Slugs: the ASCII, lowercase, hyphenated names used in URLs and element ids."""

from __future__ import annotations

import re

from slugify import slugify as _slugify

MAX_SLUG_LENGTH = 80
TITLE_SLUG_LENGTH = 60
_TITLE_STOPWORDS = ("a", "an", "the")
_DATE_PREFIX = re.compile(r"\A\d{4}-\d{2}(?:-\d{2})?(?:[-_ ]+|\Z)", re.ASCII)
_DATE_ANYWHERE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_WINDOWS_RESERVED = re.compile(r"\A(con|prn|aux|nul|com[0-9]|lpt[0-9])\Z", re.ASCII)


def slugify(text: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """Transliterate to ASCII and hyphenate (``Café Doha`` -> ``cafe-doha``); may return ''."""
    return _slugify(text, max_length=max_length, word_boundary=True, save_order=True)


TAG_SIGNS = (("+", " plus "), ("#", " sharp "))
"""Signs that tell tags apart and that slugs would drop: ``C++``, ``C#`` and ``C`` get
``c-plus-plus``, ``c-sharp`` and ``c``, three pages instead of one clash."""


def tag_slug(name: str) -> str:
    """A tag's slug, its page's folder under ``tags/``; may return ''."""
    return _slugify(name, max_length=MAX_SLUG_LENGTH, word_boundary=True, save_order=True,
                    replacements=[list(pair) for pair in TAG_SIGNS])


def slug_from_filename(stem: str) -> str:
    """A slug from a seed's file name, dropping a leading ``YYYY-MM-DD-`` or ``YYYY-MM-`` (in the URL).

    Returns '' for names that are only a date or carry one elsewhere, such as the
    wire's ``seed-2024-03-21``: those say nothing, so the title names the entry.
    """
    rest = _DATE_PREFIX.sub("", stem)
    if _DATE_ANYWHERE.search(rest):
        return ""
    return slugify(rest)


def slug_from_title(title: str) -> str:
    """A shorter slug for titles, which run longer than file names: ≤ 60 chars, no articles."""
    return _slugify(title, max_length=TITLE_SLUG_LENGTH, word_boundary=True, save_order=True,
                    stopwords=_TITLE_STOPWORDS)


def windows_reserved(slug: str) -> bool:
    """``con``, ``nul``, ``lpt1`` …: a folder Windows cannot create, so a checkout of the site breaks there (F6)."""
    return bool(_WINDOWS_RESERVED.match(slug))


def unique_ids(texts: list[str], fallback: str = "section") -> list[str]:
    """Element ids for headings: slugified and made unique within one page (``-2``, ``-3`` …)."""
    seen: dict[str, int] = {}
    ids = []
    for text in texts:
        base = slugify(text) or fallback
        count = seen.get(base, 0) + 1
        seen[base] = count
        ids.append(base if count == 1 else f"{base}-{count}")
    return ids
