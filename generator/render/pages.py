"""The site map: every templated page, with what its template receives and how it presents itself.

One function lists every page (``site_pages``); templates only print what it gives them.
Canonical URLs, Open Graph and JSON-LD are decided here too, as data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from generator.config import Config
from generator.load.prose import split_sentences
from generator.render.axis import time_axis
from generator.render.dates import MONTHS, entry_datetime
from generator.render.facets import FacetGroup, actor_groups, companions, facet_keys, place_groups, thread_facets
from generator.render.figures import figure_charts
from generator.model import Chain, Entry, EntryPage, Step, Timeline

JSONLD_CONTEXT = "https://schema.org"
NOT_FOUND = "404.html"
"""The page a host serves for any missing address, at any depth: its links are rooted at the base path."""


@dataclass(frozen=True)
class PageMeta:
    """What every template knows about the page being rendered."""

    path: str
    """Site path of the page (before the base path): ``""`` for the home page."""
    title: str
    """The document title for ``<title>``: the page's own title and the site's."""
    description: str
    """The meta description: one or two plain sentences."""
    canonical: str = ""
    """The page's absolute URL (canonical link, og:url); '' when the base URL names no host."""
    og_type: str = "website"
    """Open Graph type: ``article`` for entries, ``website`` otherwise."""
    jsonld: dict = field(default_factory=dict, hash=False, compare=True)
    """schema.org data for a ``<script type="application/ld+json">``; {} for none."""


def _as_given(config: Config, meta: PageMeta, context: dict) -> tuple[PageMeta, dict]:
    return meta, context


@dataclass(frozen=True)
class Page:
    """One output file to render: where it goes, with which template, and what its template
    receives (``parts``)."""

    output: str
    template: str
    path: str
    """Site path of the page (before the base path), as in its meta's ``path``."""
    made_from: tuple
    """The values that, with the config, make the page's meta and context (``parts``): what
    render digests to tell whether the page changed, since the two are a function of them."""
    make: Callable[..., tuple[PageMeta, dict]] = _as_given
    """Makes (meta, context) from the config and ``made_from``: only for a page to render,
    so that a rebuild does not make 10,000 entry pages' metadata to keep them as they were."""
    lastmod: str | None = None
    """For the sitemap: the page's last change (YYYY-MM-DD) where known."""
    in_sitemap: bool = True

    def parts(self, config: Config) -> tuple[PageMeta, dict]:
        """What the template receives: ``page`` (the meta) and its own variables."""
        return self.make(config, *self.made_from)


def page(output: str, template: str, meta: PageMeta, context: dict, **more) -> Page:
    """A page whose meta and context are made already."""
    return Page(output, template, meta.path, (meta, context), **more)


SPLIT_AT = 500
"""Past this many entries the timeline page shows the latest ones and each month gets its own page,
so no page grows past a few hundred kilobytes (10,000 entries on one page would be 15 MB)."""
RECENT = 30
"""How many of the latest entries a split timeline page lists."""


@dataclass(frozen=True)
class KeyMoment:
    """A turning point as the timeline page lists it first: the entry and one line on it."""

    entry: Entry
    line: str


def key_moments(timeline: Timeline) -> tuple[KeyMoment, ...]:
    """The turning points, oldest first, each with a sentence of its summary that does not
    repeat its title (a headline cut from the summary's first sentence, say)."""
    moments = []
    for entry in timeline.entries:
        if entry.milestone:
            title = entry.title.removesuffix("…").casefold()
            sentences = [s for s in split_sentences(entry.summary) if not s.casefold().startswith(title)]
            moments.append(KeyMoment(entry, sentences[0] if sentences else ""))
    return tuple(moments)


def _meta(config: Config, path: str, title: str, description: str, og_type: str = "website",
          jsonld: dict | None = None) -> PageMeta:
    canonical = config.full_url(path) if config.is_absolute else ""
    return PageMeta(path=path, title=title, description=description, canonical=canonical,
                    og_type=og_type, jsonld=jsonld or {})


def article_jsonld(entry: Entry, config: Config) -> dict:
    """A schema.org NewsArticle: headline, dates, description and the sources as citations."""
    data = {
        "@context": JSONLD_CONTEXT,
        "@type": "NewsArticle",
        "headline": entry.title[:110],
        "description": entry.summary,
        "datePublished": entry_datetime(entry),
        "dateModified": (entry.updated or entry.date).isoformat(),
        "inLanguage": config.language,
        "url": config.full_url(entry.path),
        "isPartOf": {"@type": "WebSite", "name": config.title, "url": config.full_url("")},
        "citation": [
            {"@type": "CreativeWork", "name": s.title, "url": s.url,
             **({"publisher": {"@type": "Organization", "name": s.publisher}} if s.publisher else {}),
             **({"datePublished": s.date.isoformat()} if s.date else {})}
            for s in entry.sources
        ],
    }
    if entry.places:
        data["contentLocation"] = [{"@type": "Place", "name": p.name} for p in entry.places]
    return data


def timeline_jsonld(timeline: Timeline, config: Config, entries: tuple[Entry, ...]) -> dict:
    """A schema.org ItemList of the entries the page lists, in timeline order: each by its URL
    alone (the "summary page" form search engines read), since the page holds their titles.
    The timeline page gives its turning points where it has them: the list that says what the
    story is, at a tenth of the weight of all entries."""
    return {
        "@context": JSONLD_CONTEXT,
        "@type": "ItemList",
        "name": config.title,
        "description": config.description,
        "itemListOrder": "https://schema.org/ItemListOrderAscending",
        "numberOfItems": len(entries),
        "itemListElement": [
            {"@type": "ListItem", "position": i, "url": config.full_url(e.path)}
            for i, e in enumerate(entries, start=1)
        ],
    }


def site_pages(timeline: Timeline, config: Config) -> list[Page]:
    """Every templated page of the site, in a stable order. The site map in one place."""
    newest = timeline.last_updated.isoformat() if timeline.last_updated else None
    split = len(timeline.entries) > SPLIT_AT
    recent = timeline.entries[-RECENT:][::-1] if split else ()
    # Where an entry and an era band sit: on the timeline page, or on their month's page when split.
    listed_at = {id(e): (f"{m.path}" if split else "") for y in timeline.years for m in y.months for e in m.entries}
    era_at = {}
    for y in timeline.years:
        for m in y.months:
            for run in m.runs:
                if run.opens:
                    era_at[run.era] = m.path if split else ""
    era_links = tuple((era, f"{era_at[era]}#era-{era.start.isoformat()}" if era in era_at else "")
                      for era in timeline.eras)
    pages = [page("index.html", "index.html",
                  _meta(config, "", config.title, config.description,
                        jsonld=timeline_jsonld(timeline, config, recent if split else
                                               tuple(e for e in timeline.entries if e.milestone) or timeline.entries)),
                  {"timeline": timeline, "axis": time_axis(timeline, split, dict(era_links)), "split": split,
                   "recent": recent, "era_links": era_links, "key_moments": key_moments(timeline),
                   "facet_keys": {} if split else facet_keys(timeline), "filter_groups": _filter_groups(timeline),
                   "charts": figure_charts(timeline), "now": timeline.now,
                   "latest": timeline.entries[-1] if timeline.entries else None},
                  lastmod=newest)]
    pages += [_entry_page(item, listed_at[id(item.entry)], era_at.get(item.era, "")) for item in timeline.pages]
    if split:
        months = [m for y in timeline.years for m in y.months]
        for i, month in enumerate(months):
            label = f"{MONTHS[month.month - 1]} {month.year}"
            pages.append(page(
                f"{month.path}index.html", "month.html",
                _meta(config, month.path, f"{label} · {config.title}",
                      f"{len(month.entries)} timeline entries from {label}."),
                {"month": month, "eras": timeline.eras, "previous": months[i - 1] if i else None,
                 "next": months[i + 1] if i + 1 < len(months) else None},
                lastmod=max((e.updated or e.date) for e in month.entries).isoformat()))
    pages += _facet_pages(timeline, config, newest)
    pages += _thread_pages(timeline, config, newest)
    pages.append(page("data/index.html", "data.html",
                      _meta(config, "data/", f"Data · {config.title}",
                            "The timeline's entries as open data: feeds, JSON, CSV, iCalendar and TimelineJS."),
                      {"count": len(timeline.entries)}, lastmod=newest))
    pages.append(page("search/index.html", "search.html",
                      _meta(config, "search/", f"Search · {config.title}",
                            "Search the full text of every entry of the timeline."),
                      {}, lastmod=newest))
    pages.append(page(NOT_FOUND, "404.html",
                      PageMeta(NOT_FOUND, f"Page not found · {config.title}",
                               "This page does not exist on the timeline."),
                      {"latest": timeline.entries[-5:][::-1]}, in_sitemap=False))
    return pages


def _filter_groups(timeline: Timeline) -> tuple[tuple[str, str, tuple[FacetGroup, ...]], ...]:
    """The timeline page's filters: each kind with its buttons' groups; kinds with none left out."""
    kinds = (("actor", "Actors", actor_groups(timeline)), ("place", "Places", (FacetGroup("", timeline.places),)),
             ("tag", "Tags", (FacetGroup("", timeline.tags),)),
             ("thread", "Threads", (FacetGroup("", thread_facets(timeline)),)))
    return tuple(kind for kind in kinds if any(group.facets for group in kind[2]))


def _entry_page(item: EntryPage, listed_at: str, era_at: str) -> Page:
    """An entry's page: the entry with its neighbours, its era and where it sits on the timeline."""
    entry = item.entry
    return Page(f"{entry.path}index.html", "entry.html", entry.path, (item, listed_at, era_at), _entry_parts,
                lastmod=(entry.updated or entry.date).isoformat())


def _entry_parts(config: Config, item: EntryPage, listed_at: str, era_at: str) -> tuple[PageMeta, dict]:
    entry = item.entry
    meta = _meta(config, entry.path, f"{entry.title} · {config.title}", entry.summary or config.description,
                 og_type="article", jsonld=article_jsonld(entry, config))
    return meta, {"entry": entry, "previous": item.previous, "next": item.next, "era": item.era,
                  "listed_at": listed_at, "era_at": era_at, "step": item.step, "chain": item.chain,
                  "step_before": item.step_before, "step_after": item.step_after, "responses": item.responses}


def _facet_pages(timeline: Timeline, config: Config, newest: str | None) -> list[Page]:
    """The actors, places and tags indexes, and a page for each actor, place and tag."""
    pages = []
    for kind, facets, label in (("actors", timeline.actors, "Actors"),
                                ("places", timeline.places, "Places"),
                                ("tags", timeline.tags, "Tags")):
        pages.append(page(f"{kind}/index.html", f"{kind}.html",
                          _meta(config, f"{kind}/", f"{label} · {config.title}",
                                f"{label} of the timeline, with the number of entries for each."),
                          {"facets": facets, "groups": {"actors": actor_groups, "places": place_groups}.get(
                              kind, lambda t: ())(timeline)},
                          lastmod=newest))
        for facet in facets:
            item = facet.item
            context: dict = {"item": item, "entries": facet.entries}
            if kind == "actors":  # who is most often named with them
                context["companions"] = companions(facet)
            pages.append(page(f"{item.path}index.html", f"{kind[:-1]}.html",
                              _meta(config, item.path, f"{item.name} · {config.title}",
                                    _facet_description(kind, item.name, len(facet.entries))),
                              context, lastmod=max((e.updated or e.date) for e in facet.entries).isoformat()))
    return pages


def _thread_pages(timeline: Timeline, config: Config, newest: str | None) -> list[Page]:
    """The threads index, and a page for each thread: its steps as a chain."""
    if not config.threads:
        return []
    pages = [page("threads/index.html", "threads.html",
                  _meta(config, "threads/", f"Threads · {config.title}",
                        "The threads of the story: each proposal, the replies to it and what came of it."),
                  {"chains": timeline.threads}, lastmod=newest)]
    for chain in timeline.threads:
        thread, entries = chain.thread, [step.entry for step in chain.steps]
        noun = "step" if len(entries) == 1 else "steps"
        pages.append(page(f"{thread.path}index.html", "thread.html",
                          _meta(config, thread.path, f"{thread.name} · {config.title}",
                                thread.description or f"{thread.name}: {len(entries)} {noun} of the timeline."),
                          {"chain": chain, "answered_at": tuple(_answered_at(step, chain) for step in chain.steps)},
                          lastmod=max((e.updated or e.date) for e in entries).isoformat()))
    return pages


def _answered_at(step: Step, chain: Chain) -> str:
    """Where a thread page links what a step responds to: its step on the page, else its entry."""
    target = step.responds_to
    if target is None:
        return ""
    return f"{chain.thread.path}#step-{target.slug}" if target.thread == chain.thread.id else target.path


def _facet_description(kind: str, name: str, count: int) -> str:
    noun = "entry" if count == 1 else "entries"
    what = {"actors": "involving", "places": "in", "tags": "tagged"}[kind]
    return f"{count} timeline {noun} {what} {name}."
