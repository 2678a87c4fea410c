"""Actors, places, tags and threads as readers browse them: grouped by side or country, the
filters' short keys, and who appears with whom."""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import Facet, Timeline


@dataclass(frozen=True)
class FacetGroup:
    """Actors of one side or affiliation (or all places, all tags), as the actors index and the
    filters list them."""

    name: str
    """The affiliation; "Others" for affiliations of one actor and actors with none; '' when no
    actor has an affiliation (a site without ``_actors.toml``)."""
    facets: tuple[Facet, ...]


COMPANIONS = 5
"""How many of the actors most often named with an actor its page lists."""


def actor_groups(timeline: Timeline) -> tuple[FacetGroup, ...]:
    """Actors by affiliation, the one most entries involve first; affiliations of a single actor,
    and actors with none, together at the end. Each group in name order."""
    by_affiliation: dict[str, list[Facet]] = {}
    for facet in timeline.actors:
        by_affiliation.setdefault(facet.item.affiliation, []).append(facet)
    sides = {name: facets for name, facets in by_affiliation.items() if name and len(facets) > 1}
    rest = tuple(f for f in timeline.actors if f.item.affiliation not in sides)

    def reach(facets: list[Facet]) -> int:
        return len({id(e) for facet in facets for e in facet.entries})

    groups = [FacetGroup(name, tuple(facets)) for name, facets in
              sorted(sides.items(), key=lambda side: (-reach(side[1]), side[0]))]
    return tuple(groups + ([FacetGroup("Others" if groups else "", rest)] if rest else []))


def place_groups(timeline: Timeline) -> tuple[FacetGroup, ...]:
    """Places by country, countries in name order; places with no country given ("Other places")
    last: a place whose country is disputed is left without one in ``_actors.toml``."""
    by_country: dict[str, list[Facet]] = {}
    for facet in timeline.places:
        by_country.setdefault(facet.item.country, []).append(facet)
    named = sorted(name for name in by_country if name)
    groups = [FacetGroup(name, tuple(by_country[name])) for name in named]
    if "" in by_country:
        groups.append(FacetGroup("Other places" if groups else "", tuple(by_country[""])))
    return tuple(groups)


def companions(facet: Facet) -> tuple[tuple[object, int], ...]:
    """The actors most often named in the same entries as ``facet``'s, with how often."""
    counts: dict = {}
    for entry in facet.entries:
        for actor in entry.actors:
            if actor != facet.item:
                counts[actor] = counts.get(actor, 0) + 1
    return tuple(sorted(counts.items(), key=lambda pair: (-pair[1], pair[0].name))[:COMPANIONS])


def facet_keys(timeline: Timeline) -> dict[str, str]:
    """Each entry's actors, places, tags and thread for the filters, by entry anchor, as short keys:
    the kind's letter and the facet's place in its list (``a3 p0 t12 h1``), the order the filter
    buttons are in. The ids themselves would weigh a tenth of the page."""
    keys: dict[str, list[str]] = {e.anchor: [] for e in timeline.entries}
    actors = tuple(facet for group in actor_groups(timeline) for facet in group.facets)  # as the buttons are
    for letter, facets in (("a", actors), ("p", timeline.places), ("t", timeline.tags),
                           ("h", thread_facets(timeline))):
        for i, facet in enumerate(facets):
            for entry in facet.entries:
                keys[entry.anchor].append(f"{letter}{i}")
    return {anchor: " ".join(found) for anchor, found in keys.items()}


def thread_facets(timeline: Timeline) -> tuple[Facet, ...]:
    """Each thread with its entries, as the filters list them (in the config's order)."""
    return tuple(Facet(chain.thread, tuple(step.entry for step in chain.steps)) for chain in timeline.threads)
