"""The nouns of a timeline: plain frozen dataclasses, built once and never filled in later."""

from __future__ import annotations

import datetime as dt
import functools
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
class Now:
    """Where things stand: a few sourced sentences written as content (``seeds/_now.md``)."""

    as_of: dt.date
    """The day the text describes."""
    body_html: str
    """Sanitised HTML of the text."""
    sources: tuple[Source, ...] = ()
    source_path: str = "_now.md"


@dataclass(frozen=True)
class Figure:
    """A key figure that entries report over time (from the config), e.g. hostages released."""

    id: str
    label: str
    unit: str = ""
    """A plural noun for its numbers ("hostages"), or ''."""
    kind: str = "total"
    """``total``: each entry gives the figure as of its date; ``count``: the number on that day
    alone, summed over time."""
    description: str = ""


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
class Role:
    """A position an actor held, over a span of time when the sources give one."""

    title: str
    start: dt.date | None = None
    """First day in the role; None when it began before what the sources cover."""
    end: dt.date | None = None
    """Last day in the role; None when it lasts beyond what the sources cover."""

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Actor:
    """A person, state or body taking part in the events (from ``seeds/_actors.toml``)."""

    id: str
    """Stable ASCII id, used in URLs: ``/actors/<id>/``."""
    name: str
    """Display name."""
    aliases: tuple[str, ...] = ()
    """Other names the articles use; matched as whole words to find the actor in text."""
    affiliation: str = ""
    """The state or organisation the actor acts for."""
    kind: str = "person"
    """``person``, ``state`` or ``body``."""
    summary: str = ""
    """One sentence on who they are in this story."""
    roles: tuple[Role, ...] = ()
    """Positions held, in the order given."""

    @property
    def path(self) -> str:
        return f"actors/{self.id}/"

    def roles_on(self, day: dt.date) -> tuple[Role, ...]:
        """Every role held on ``day``, in the order listed."""
        return tuple(role for role in self.roles if role.covers(day))


@dataclass(frozen=True)
class Place:
    """Where events happened (from ``seeds/_actors.toml``)."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str = ""

    @property
    def path(self) -> str:
        return f"places/{self.id}/"


@dataclass(frozen=True)
class Tag:
    """A topic label: the name readers see, its URL-safe slug, and how the seeds spell it."""

    name: str
    """As readers see it: the name ``_actors.toml`` gives the tag (``[[tag]]``), else as the
    seed wrote it, or a readable form of its slug (``hostage-release`` -> "Hostage release")."""
    slug: str
    written: str = ""
    """As the seed wrote it (two spellings of one slug are an error); '' when it is the name."""
    description: str = ""
    """One line on what the tag covers, from ``_actors.toml``; '' for none."""

    @property
    def path(self) -> str:
        return f"tags/{self.slug}/"


@dataclass(frozen=True)
class Era:
    """A named period of the story (from the config), shown as a band on the timeline."""

    name: str
    start: dt.date
    end: dt.date
    """Inclusive."""
    description: str = ""

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Thread:
    """A named line of the story (from the config): a proposal, the replies to it, what came of it."""

    id: str
    """Stable ASCII id, used in URLs: ``/threads/<id>/``."""
    name: str
    description: str = ""

    @property
    def path(self) -> str:
        return f"threads/{self.id}/"


@dataclass(frozen=True)
class Entry:
    """One dated event on the timeline, as read from one seed file."""

    date: dt.date
    """The day the event happened (the 1st for month-only dates), local to the site's timezone."""
    title: str
    """Headline, plain text (given, or derived from a plain-text lede)."""
    slug: str
    """ASCII, lowercase, unique across the site; the last part of the entry's URL."""
    summary: str
    """One or two sentences, plain text: shown on the timeline and in meta descriptions."""
    body_html: str
    """The full article as sanitised HTML: the only markup templates print unescaped."""
    source_path: str
    """The seed file, relative to the seeds folder, POSIX slashes: for messages and tie-breaks."""
    headings: tuple[Heading, ...] = ()
    """Section headings of the body, in order."""
    tags: tuple[Tag, ...] = ()
    actors: tuple[Actor, ...] = ()
    """Named in the front matter first, then found in the text."""
    places: tuple[Place, ...] = ()
    """Named in the front matter first, then found in the text."""
    sources: tuple[Source, ...] = ()
    """The reports this entry is based on, in the order given."""
    time: dt.time | None = None
    """Optional time of day, only to order several entries of one day."""
    month_only: bool = False
    """The sources give only the month: shown as "July 2024", sorted at the month's start."""
    date_display: str = ""
    """How to show the date when the sources are vaguer than a day ("mid-July 2024"); '' for the default."""
    updated: dt.date | None = None
    """When the entry was last corrected or extended, if ever."""
    update_note: str = ""
    """One line on what changed at ``updated``."""
    draft: bool = False
    """Drafts are left out of the site unless the build asks for them."""
    summary_in_body: bool = False
    """The summary was taken from the body's opening, so the entry page need not show it twice."""
    milestone: bool = False
    """A turning point of the story: larger and labelled on the time axis, listed as a key moment."""
    milestone_label: str = ""
    """A few words for the time axis; '' to use the title."""
    figures: tuple[tuple[str, int], ...] = ()
    """Key figures as of this entry's date: (figure id, value), ids defined in the config."""
    thread: str = ""
    """The id of the thread (from the config) this entry is a step of; '' for none."""
    relation: str = ""
    """A relation word the config defines ("counter"); '' for none."""
    responds_to: str = ""
    """The slug of the earlier entry this one answers; '' for none."""
    thread_lines: tuple[int, int, int] = (1, 1, 1)
    """The seed's lines of ``thread``, ``relation`` and ``responds_to``, for messages."""

    @property
    def path(self) -> str:
        """The entry page's site path (before the base path), e.g. ``2024/03/21/slug/``."""
        day = self.date.isoformat().replace("-", "/")
        return f"{day[:7] if self.month_only else day}/{self.slug}/"

    @property
    def anchor(self) -> str:
        """The id of this entry's item on the timeline page, for deep links."""
        return f"e-{self.slug}"


@dataclass(frozen=True)
class Run:
    """Consecutive entries of one month that share their era (or lie outside every era)."""

    era: Era | None
    """The era these entries fall in, or None between eras."""
    entries: tuple[Entry, ...]
    opens: bool = False
    """The era begins with these entries: its band (name, dates, description) goes before them."""
    closes: bool = False
    """The era's last entry is among these: where it ends is marked after them."""


@dataclass(frozen=True)
class Month:
    """The entries of one calendar month, in timeline order, cut where eras begin and end."""

    year: int
    month: int
    runs: tuple[Run, ...]

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(e for run in self.runs for e in run.entries)

    @property
    def anchor(self) -> str:
        """The id of the month's header on the timeline page, e.g. ``m-2024-03``."""
        return f"m-{self.year:04d}-{self.month:02d}"

    @property
    def path(self) -> str:
        """The month's own page, used when the timeline is too long for one page: ``2024/03/``."""
        return f"{self.year:04d}/{self.month:02d}/"


@dataclass(frozen=True)
class Year:
    """The months of one year that have entries, in order."""

    year: int
    months: tuple[Month, ...]

    @property
    def anchor(self) -> str:
        return f"y-{self.year:04d}"


@dataclass(frozen=True)
class Step:
    """An entry as a step of its thread, with the entry it responds to (in any thread)."""

    entry: Entry
    number: int
    """Its place in the thread, from 1; 0 for an entry that responds to another outside any thread."""
    relation: str = ""
    """As readers see it ("Counter-proposal"); '' for none."""
    responds_to: Entry | None = None


@dataclass(frozen=True)
class Chain:
    """A thread with its steps in timeline order."""

    thread: Thread
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class EntryPage:
    """An entry with what its page shows around it."""

    entry: Entry
    previous: Entry | None
    next: Entry | None
    era: Era | None
    step: Step | None = None
    """Its step in its thread (number 0 for a response outside any); None for neither."""
    chain: Chain | None = None
    step_before: Step | None = None
    step_after: Step | None = None
    responses: tuple[Step, ...] = ()
    """The entries that respond to this one, oldest first."""


@dataclass(frozen=True)
class Facet:
    """An actor, place, tag or thread with the entries that name it, in timeline order."""

    item: Actor | Place | Tag | Thread
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Timeline:
    """All published entries in their one deterministic order, grouped for display."""

    entries: tuple[Entry, ...]
    """Oldest first; ties broken by time, then slug, then source path."""
    years: tuple[Year, ...]
    """The same entries grouped by year and month."""
    eras: tuple[Era, ...] = ()
    """Named periods, oldest first."""
    actors: tuple[Facet, ...] = ()
    """Every actor named by at least one entry, by name."""
    places: tuple[Facet, ...] = ()
    tags: tuple[Facet, ...] = ()
    now: Now | None = None
    """Where things stand, if the seeds say."""
    figures: tuple[Figure, ...] = ()
    """The key figures the config defines, in its order."""
    threads: tuple[Chain, ...] = ()
    """The threads that have entries, in the config's order."""
    pages: tuple[EntryPage, ...] = ()
    """Every entry with what its page shows around it, in timeline order."""

    @functools.cached_property
    def last_updated(self) -> dt.date | None:
        """The newest date or update in the timeline: a "last updated" that needs no clock."""
        days = [d for e in self.entries for d in (e.date, e.updated) if d is not None]
        return max(days) if days else None
