"""The nouns of a timeline: plain frozen dataclasses, built once and never filled in later."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """A published report an entry rests on; shown under the entry so readers can check it."""

    title: str
    """The cited page's headline (or a short description of it)."""
    url: str
    """Where to read it; always http(s), checked when loaded."""
    publisher: str = ""
    """Who published it, e.g. "Reuters" or "The Times of Israel"."""
    date: dt.date | None = None
    """The date shown on the page, when it shows one."""


@dataclass(frozen=True)
class Heading:
    """A section heading inside an entry's body, for in-page links."""

    level: int
    """2 for a section, 3 for a subsection, …"""
    id: str
    """The element id, unique within the page."""
    text: str
    """The heading as plain text."""


@dataclass(frozen=True)
class Entry:
    """One dated event on the timeline, as read from one seed file."""

    date: dt.date
    """The day the event happened, local to the site's timezone; never shifted."""
    title: str
    """Headline, plain text (given, or derived from a plain-text lede)."""
    slug: str
    """ASCII, lowercase, unique across the site; the last part of the entry's URL."""
    summary: str
    """One or two sentences, plain text: shown on the timeline and in meta descriptions."""
    body_html: str
    """The full article as sanitised HTML (the only field templates print unescaped)."""
    source_path: str
    """The seed file, relative to the seeds folder, POSIX slashes: for messages and tie-breaks."""
    headings: tuple[Heading, ...] = ()
    """Section headings of the body, in order."""
    tags: tuple[str, ...] = ()
    """Topic labels as written."""
    actors: tuple[str, ...] = ()
    """People and bodies involved, as named in the seed."""
    places: tuple[str, ...] = ()
    """Where it happened, as named in the seed."""
    sources: tuple[Source, ...] = ()
    """The reports this entry is based on, in the order given."""
    time: dt.time | None = None
    """Optional time of day, only to order several entries of one day."""
    updated: dt.date | None = None
    """When the entry was last corrected or extended, if ever."""
    draft: bool = False
    """Drafts are left out of the site unless the build asks for them."""

    @property
    def path(self) -> str:
        """The entry page's site path (before the base path), e.g. ``2024/03/21/slug/``."""
        return f"{self.date:%Y/%m/%d}/{self.slug}/"

    @property
    def anchor(self) -> str:
        """The id of this entry's item on the timeline page, for deep links."""
        return f"e-{self.slug}"


@dataclass(frozen=True)
class Month:
    """The entries of one calendar month, in timeline order."""

    year: int
    month: int
    entries: tuple[Entry, ...]

    @property
    def anchor(self) -> str:
        """The id of the month's header on the timeline page, e.g. ``m-2024-03``."""
        return f"m-{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)


@dataclass(frozen=True)
class Year:
    """The months of one year that have entries, in order."""

    year: int
    months: tuple[Month, ...]

    @property
    def anchor(self) -> str:
        return f"y-{self.year:04d}"


@dataclass(frozen=True)
class EntryPage:
    """An entry with its neighbours on the timeline, for the entry page's prev/next links."""

    entry: Entry
    previous: Entry | None
    next: Entry | None


@dataclass(frozen=True)
class Timeline:
    """All published entries in their one deterministic order, grouped for display."""

    entries: tuple[Entry, ...]
    """Oldest first; ties broken by time, then slug, then source path."""
    years: tuple[Year, ...]
    """The same entries grouped by year and month."""

    @property
    def pages(self) -> tuple[EntryPage, ...]:
        """Every entry with its previous and next entry."""
        items = self.entries
        return tuple(
            EntryPage(entry, items[i - 1] if i else None, items[i + 1] if i + 1 < len(items) else None)
            for i, entry in enumerate(items)
        )

    @property
    def last_updated(self) -> dt.date | None:
        """The newest date or update in the timeline: a "last updated" that needs no clock."""
        days = [d for e in self.entries for d in (e.date, e.updated) if d is not None]
        return max(days) if days else None
