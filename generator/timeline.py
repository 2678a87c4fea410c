"""Model: loaded entries -> the Timeline (order, uniqueness, groups, eras, facets). Pure."""

from __future__ import annotations

import datetime as dt
import unicodedata
from itertools import groupby

from generator.errors import BuildError, Problem
from generator.model import Chain, Entry, EntryPage, Era, Facet, Figure, Month, Now, Run, Step, Thread, Timeline, Year


def sort_key(entry: Entry) -> tuple:
    """Date, then time of day (untimed first), then slug, then file: one total order."""
    return (entry.date, entry.time is not None, entry.time or dt.time.min, entry.slug, entry.source_path)


def build_timeline(entries: tuple[Entry, ...] | list[Entry], seeds_label: str = "seeds",
                   include_drafts: bool = False, eras: tuple[Era, ...] = (), now: Now | None = None,
                   figures: tuple[Figure, ...] = (), threads: tuple[Thread, ...] = (),
                   relations: tuple[tuple[str, str], ...] = ()) -> Timeline:
    """Order, group and index the published entries; collisions, and figures, threads, relations
    and answered entries that do not exist, are errors naming the files."""
    published = sorted((e for e in entries if include_drafts or not e.draft), key=sort_key)
    problems = (_slug_collisions(published, seeds_label) + _tag_collisions(published, seeds_label)
                + _unknown_figures(published, seeds_label, figures))
    if problems:
        raise BuildError(problems)
    chains, steps = _threads(published, seeds_label, threads, dict(relations),
                             {e.slug for e in entries if e.draft and not include_drafts})
    sorted_eras = tuple(sorted(eras, key=lambda era: era.start))
    return Timeline(
        entries=tuple(published),
        years=_years(published, eras),
        eras=sorted_eras,
        actors=_facets(published, lambda e: e.actors, lambda a: (a.name.casefold(), a.id)),
        places=_facets(published, lambda e: e.places, lambda p: (p.name.casefold(), p.id)),
        tags=_facets(published, lambda e: e.tags, lambda t: (t.slug, t.name)),
        now=now,
        figures=figures,
        threads=chains,
        pages=_pages(tuple(published), sorted_eras, chains, steps),
    )


def _pages(entries: tuple[Entry, ...], eras: tuple[Era, ...], chains: tuple[Chain, ...],
           steps: tuple[Step, ...]) -> tuple[EntryPage, ...]:
    """Every entry with its previous and next entry, its era, and its place in its thread."""
    step_of = {id(step.entry): step for step in steps}
    chain_of = {id(step.entry): chain for chain in chains for step in chain.steps}
    responses: dict[int, list[Step]] = {}
    for step in steps:
        if step.responds_to is not None:
            responses.setdefault(id(step.responds_to), []).append(step)
    pages = []
    for i, entry in enumerate(entries):
        step, chain = step_of.get(id(entry)), chain_of.get(id(entry))
        number, thread_steps = (step.number, chain.steps) if step and chain else (0, ())
        pages.append(EntryPage(
            entry, entries[i - 1] if i else None, entries[i + 1] if i + 1 < len(entries) else None,
            next((era for era in eras if era.contains(entry.date)), None), step, chain,
            step_before=thread_steps[number - 2] if number > 1 else None,
            step_after=thread_steps[number] if 0 < number < len(thread_steps) else None,
            responses=tuple(responses.get(id(entry), ()))))
    return tuple(pages)


def _threads(entries: list[Entry], seeds_label: str, threads: tuple[Thread, ...], relations: dict[str, str],
             drafts: set[str]) -> tuple[tuple[Chain, ...], tuple[Step, ...]]:
    """Each thread's steps in timeline order, and every entry's step; a thread, relation or
    answered slug that does not exist, an answer dated before what it answers, or a cycle of
    answers is an error at the seed's line."""
    by_slug = {e.slug: e for e in entries}
    known = {t.id: t for t in threads}
    problems = []

    def fail(entry: Entry, which: int, message: str) -> None:
        problems.append(Problem(f"{seeds_label}/{entry.source_path}", entry.thread_lines[which], message))

    for entry in entries:
        if entry.thread and entry.thread not in known:
            fail(entry, 0, f"thread {entry.thread!r} is not a thread timeline.toml defines "
                           f"(it defines: {', '.join(known) or 'none'})")
        if entry.relation and entry.relation not in relations:
            fail(entry, 1, f"relation {entry.relation!r} is not one timeline.toml defines "
                           f"(it defines: {', '.join(relations) or 'none'})")
        target = by_slug.get(entry.responds_to)
        if entry.responds_to and target is None:
            fail(entry, 2, f"responds_to {entry.responds_to!r}: " + ("that entry is a draft" if entry.responds_to in drafts
                                                                     else "no entry has this slug"))
        elif target is not None and _cycle(entry, by_slug):
            fail(entry, 2, "responds_to makes a cycle: " + " -> ".join(_cycle(entry, by_slug)))
        elif target is not None and target.date > entry.date:
            fail(entry, 2, f"responds_to {target.slug!r}, which is dated later ({target.date}); "
                           "an entry answers an earlier one")
    if problems:
        raise BuildError(problems)
    steps, chains = [], []
    for thread in threads:
        members = [e for e in entries if e.thread == thread.id]
        chain_steps = tuple(Step(e, i, relations.get(e.relation, ""), by_slug.get(e.responds_to))
                            for i, e in enumerate(members, start=1))
        if chain_steps:
            chains.append(Chain(thread, chain_steps))
    numbered = {id(step.entry): step for chain in chains for step in chain.steps}
    for entry in entries:
        if id(entry) in numbered:
            steps.append(numbered[id(entry)])
        elif entry.relation or entry.responds_to:
            steps.append(Step(entry, 0, relations.get(entry.relation, ""), by_slug.get(entry.responds_to)))
    return tuple(chains), tuple(steps)


def _cycle(entry: Entry, by_slug: dict[str, Entry]) -> list[str]:
    """The slugs of the answers that lead from ``entry`` back to it, or [] when they do not."""
    path, seen, current = [entry.slug], {entry.slug}, by_slug.get(entry.responds_to)
    while current is not None:
        path.append(current.slug)
        if current.slug == entry.slug:
            return path
        if current.slug in seen:
            return []
        seen.add(current.slug)
        current = by_slug.get(current.responds_to)
    return []


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
                advice = "spell them the same" if name.casefold() == tag.written.casefold() else "rename one of them"
                problems.append(Problem(f"{seeds_label}/{entry.source_path}", 1,
                                        f"tag {tag.written!r} and tag {name!r} in {seeds_label}/{other.source_path} "
                                        f"would share the page /tags/{tag.slug}/; {advice}"))
    return problems


def _unknown_figures(entries: list[Entry], seeds_label: str, figures: tuple[Figure, ...]) -> list[Problem]:
    """An entry's figure must be one the config defines (a typo would draw nothing)."""
    known = {figure.id for figure in figures}
    defined = ", ".join(sorted(known)) or "none"
    return [Problem(f"{seeds_label}/{entry.source_path}", 1,
                    f"figures: {key!r} is not a figure timeline.toml defines (it defines: {defined})")
            for entry in entries for key, _ in entry.figures if key not in known]
