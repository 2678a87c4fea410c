"""Model: loaded entries -> the Timeline (order, uniqueness, year/month groups). Pure."""

from __future__ import annotations

import datetime as dt
import unicodedata
from itertools import groupby

from generator.errors import BuildError, Problem
from generator.model import Entry, Month, Timeline, Year


def sort_key(entry: Entry) -> tuple:
    """Date, then time of day (untimed first), then slug, then file: one total order."""
    return (entry.date, entry.time or dt.time.min, entry.time is not None, entry.slug, entry.source_path)


def build_timeline(entries: tuple[Entry, ...] | list[Entry], seeds_label: str = "seeds",
                   include_drafts: bool = False) -> Timeline:
    """Order and group the published entries; a slug used twice is an error naming both files."""
    published = sorted((e for e in entries if include_drafts or not e.draft), key=sort_key)
    _check_unique_slugs(published, seeds_label)
    years = []
    for year, in_year in groupby(published, key=lambda e: e.date.year):
        months = tuple(
            Month(year=year, month=month, entries=tuple(in_month))
            for month, in_month in groupby(in_year, key=lambda e: e.date.month)
        )
        years.append(Year(year=year, months=months))
    return Timeline(entries=tuple(published), years=tuple(years))


def _check_unique_slugs(entries: list[Entry], seeds_label: str) -> None:
    """Slugs must differ even case-folded and NFC-normalised (case-insensitive checkouts, F2)."""
    first: dict[str, Entry] = {}
    problems = []
    for entry in sorted(entries, key=lambda e: e.source_path):
        key = unicodedata.normalize("NFC", entry.slug).casefold()
        if key in first:
            other = first[key]
            problems.append(Problem(f"{seeds_label}/{entry.source_path}", 1,
                                    f"slug {entry.slug!r} is already used by {seeds_label}/{other.source_path}; "
                                    "rename one file or set 'slug:' in its front matter"))
        else:
            first[key] = entry
    if problems:
        raise BuildError(problems)
