"""Model: loaded entries -> the Timeline (order, uniqueness, groups, eras, facets). Pure."""

from __future__ import annotations

import datetime as dt
import unicodedata
from itertools import groupby

from generator.errors import BuildError, Problem
from generator.model import Entry, Era, Facet, Figure, Month, Now, Run, Timeline, Year


def sort_key(entry: Entry) -> tuple:
    """Date, then time of day (untimed first), then slug, then file: one total order."""
    return (entry.date, entry.time is not None, entry.time or dt.time.min, entry.slug, entry.source_path)


def build_timeline(entries: tuple[Entry, ...] | list[Entry], seeds_label: str = "seeds",
                   include_drafts: bool = False, eras: tuple[Era, ...] = (), now: Now | None = None,
                   figures: tuple[Figure, ...] = ()) -> Timeline:
    """Order, group and index the published entries; collisions and figures the config does not
    define are errors naming the files."""
    published = sorted((e for e in entries if include_drafts or not e.draft), key=sort_key)
    problems = (_slug_collisions(published, seeds_label) + _tag_collisions(published, seeds_label)
                + _unknown_figures(published, seeds_label, figures))
    if problems:
        raise BuildError(problems)
    return Timeline(
        entries=tuple(published),
        years=_years(published, eras),
        eras=tuple(sorted(eras, key=lambda era: era.start)),
        actors=_facets(published, lambda e: e.actors, lambda a: (a.name.casefold(), a.id)),
        places=_facets(published, lambda e: e.places, lambda p: (p.name.casefold(), p.id)),
        tags=_facets(published, lambda e: e.tags, lambda t: (t.slug, t.name)),
        now=now,
        figures=figures,
    )


def _years(entries: list[Entry], eras: tuple[Era, ...]) -> tuple[Year, ...]:
    """Year and month groups; a month's entries are cut into runs where an era begins or ends."""
    era_of = {id(e): next((era for era in eras if era.contains(e.date)), None) for e in entries}
    first_of, last_of = {}, {}
    for entry in entries:
        era = era_of[id(entry)]
        if era is not None:
            first_of.setdefault(era, id(entry))
            last_of[era] = id(entry)
    years = []
    for year, in_year in groupby(entries, key=lambda e: e.date.year):
        months = []
        for month, in_month in groupby(in_year, key=lambda e: e.date.month):
            runs = [list(run) for _, run in groupby(in_month, key=lambda e: id(era_of[id(e)]))]
            months.append(Month(year=year, month=month, runs=tuple(
                Run(era=era_of[id(run[0])], entries=tuple(run),
                    opens=first_of.get(era_of[id(run[0])]) == id(run[0]),
                    closes=last_of.get(era_of[id(run[0])]) == id(run[-1]))
                for run in runs)))
        years.append(Year(year=year, months=tuple(months)))
    return tuple(years)


def _facets(entries: list[Entry], items_of, order) -> tuple[Facet, ...]:
    """Each actor, place or tag with its entries in timeline order; facets sorted by ``order``."""
    found: dict = {}
    for entry in entries:
        for item in items_of(entry):
            found.setdefault(item, []).append(entry)
    return tuple(Facet(item=item, entries=tuple(found[item])) for item in sorted(found, key=order))


def _slug_collisions(entries: list[Entry], seeds_label: str) -> list[Problem]:
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
    return problems


def _tag_collisions(entries: list[Entry], seeds_label: str) -> list[Problem]:
    """Two spellings of a tag would share one page (``Truce`` and ``truce``): ask for one spelling."""
    first: dict[str, tuple[str, Entry]] = {}
    problems = []
    for entry in sorted(entries, key=lambda e: e.source_path):
        for tag in entry.tags:
            name, other = first.setdefault(tag.slug, (tag.written, entry))
            if name != tag.written:
                problems.append(Problem(f"{seeds_label}/{entry.source_path}", 1,
                                        f"tag {tag.written!r} and tag {name!r} in {seeds_label}/{other.source_path} "
                                        f"would share the page /tags/{tag.slug}/; spell them the same"))
    return problems


def _unknown_figures(entries: list[Entry], seeds_label: str, figures: tuple[Figure, ...]) -> list[Problem]:
    """An entry's figure must be one the config defines (a typo would draw nothing)."""
    known = {figure.id for figure in figures}
    defined = ", ".join(sorted(known)) or "none"
    return [Problem(f"{seeds_label}/{entry.source_path}", 1,
                    f"figures: {key!r} is not a figure timeline.toml defines (it defines: {defined})")
            for entry in entries for key, _ in entry.figures if key not in known]
