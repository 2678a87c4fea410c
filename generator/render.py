"""Render: Timeline + Config -> {site path: bytes}. Jinja2 does the HTML; this module lists the pages.

Templates receive small documented contexts and only print: every URL comes
from the ``url`` filter, every date from the locale-free date filters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import traceback
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import jinja2

from generator.config import Config
from generator.errors import BuildError, Problem, display_path, problem
from generator.model import Entry, Timeline

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")


@dataclass(frozen=True)
class PageMeta:
    """What every template knows about the page being rendered."""

    path: str
    """Site path of the page (before the base path): ``""`` for the home page."""
    title: str
    """The document title for ``<title>``: the page's own title and the site's."""
    description: str
    """The meta description: one or two plain sentences."""


@dataclass(frozen=True)
class Page:
    """One output file to render: where it goes, with which template and context."""

    output: str
    template: str
    meta: PageMeta
    context: dict


def site_pages(timeline: Timeline, config: Config) -> list[Page]:
    """Every templated page of the site, in a stable order. The site map in one place."""
    pages = [Page("index.html", "index.html",
                  PageMeta("", config.title, config.description),
                  {"timeline": timeline})]
    for item in timeline.pages:
        entry = item.entry
        pages.append(Page(f"{entry.path}index.html", "entry.html",
                          PageMeta(entry.path, f"{entry.title} · {config.title}", entry.summary or config.description),
                          {"entry": entry, "previous": item.previous, "next": item.next, "era": item.era}))
    for kind, facets, label in (("actors", timeline.actors, "Actors"),
                                ("places", timeline.places, "Places"),
                                ("tags", timeline.tags, "Tags")):
        pages.append(Page(f"{kind}/index.html", f"{kind}.html",
                          PageMeta(f"{kind}/", f"{label} · {config.title}",
                                   f"{label} of the timeline, with the number of entries for each."),
                          {"facets": facets}))
        for facet in facets:
            item = facet.item
            context: dict = {"item": item, "entries": facet.entries}
            if kind == "actors":  # the roles each actor held at each entry's date
                context["roles"] = tuple("; ".join(r.title for r in item.roles_on(e.date)) for e in facet.entries)
            pages.append(Page(f"{item.path}index.html", f"{kind[:-1]}.html",
                              PageMeta(item.path, f"{item.name} · {config.title}",
                                       _facet_description(kind, item.name, len(facet.entries))),
                              context))
    latest = timeline.entries[-5:][::-1]
    pages.append(Page("404.html", "404.html",
                      PageMeta("404.html", f"Page not found · {config.title}",
                               "This page does not exist on the timeline."),
                      {"latest": latest}))
    return pages


def _facet_description(kind: str, name: str, count: int) -> str:
    noun = "entry" if count == 1 else "entries"
    what = {"actors": "involving", "places": "in", "tags": "tagged"}[kind]
    return f"{count} timeline {noun} {what} {name}."


def make_environment(templates_dir: Path, config: Config) -> jinja2.Environment:
    """A Jinja2 environment that escapes everything and refuses undefined names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,  # every template, whatever its suffix (I3)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    base_path = config.base_path

    def url(path: str) -> str:
        """Site path -> link that works under the base path (``/`` or ``/REPO/``)."""
        path, _, fragment = str(path).partition("#")
        link = base_path + quote(path.lstrip("/"), safe="/")
        return f"{link}#{fragment}" if fragment else link

    env.filters.update(url=url, isodate=isodate, longdate=longdate, monthname=monthname,
                       entrydate=entrydate, entrydatetime=entrydatetime)
    return env


def isodate(day: dt.date) -> str:
    """``2024-03-21``: for ``<time datetime>`` and machine-readable places."""
    return day.isoformat()


def longdate(day: dt.date) -> str:
    """``21 March 2024``, the same in every locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def entrydate(entry: Entry) -> str:
    """How an entry's date is shown: its ``date_display``, "July 2024" when only the month is known,
    else the long date."""
    if entry.date_display:
        return entry.date_display
    if entry.month_only:
        return f"{MONTHS[entry.date.month - 1]} {entry.date.year}"
    return longdate(entry.date)


def entrydatetime(entry: Entry) -> str:
    """The ``<time datetime>`` value: ``2024-07`` for a month, else ``2024-07-05``."""
    return f"{entry.date:%Y-%m}" if entry.month_only else entry.date.isoformat()


def monthname(month: int) -> str:
    """``3`` -> ``March``, the same in every locale."""
    return MONTHS[month - 1]


def render_site(timeline: Timeline, config: Config, templates_dir: Path,
                environments: dict | None = None, rendered: dict | None = None) -> dict[str, bytes]:
    """Render every page; raise one BuildError naming each failing template line.

    Two optional caches, kept between builds by the preview: ``environments`` reuses
    compiled templates (Jinja2 recompiles a template whose file changed), and
    ``rendered`` reuses a page's bytes when exactly what its template receives, and
    every template's source, are equal to the last build's: correct by construction.
    """
    if not templates_dir.is_dir():
        raise BuildError([problem(templates_dir, 1, "templates folder not found")])
    key = (str(templates_dir.resolve()), config.base_path)
    if environments is None:
        env = make_environment(templates_dir, config)
    else:
        env = environments.get(key) or environments.setdefault(key, make_environment(templates_dir, config))
    templates = _templates_fingerprint(templates_dir) if rendered is not None else b""
    files: dict[str, bytes] = {".nojekyll": b""}
    kept: dict = {}
    problems: list[Problem] = []
    for page in site_pages(timeline, config):
        inputs = (templates, page.template, config, page.meta, tuple(sorted(page.context.items())))
        previous = rendered.get(page.output) if rendered is not None else None
        if previous is not None and previous[0] == inputs:
            files[page.output] = previous[1]
            kept[page.output] = previous
            continue
        try:
            template = env.get_template(page.template)
            html = template.render(site=config, page=page.meta, **page.context)
        except Exception as exc:  # any template failure becomes a located problem
            found = _template_problem(exc, templates_dir, page.template)
            if found not in problems:
                problems.append(found)
            continue
        files[page.output] = html.encode("utf-8")
        kept[page.output] = (inputs, files[page.output])
    if problems:
        raise BuildError(problems)
    if rendered is not None:
        rendered.clear()
        rendered.update(kept)
    return files


def _templates_fingerprint(templates_dir: Path) -> bytes:
    """A digest of every template file: any template may include or extend any other."""
    digest = hashlib.blake2b()
    for path in sorted(templates_dir.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(templates_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def _template_problem(exc: Exception, templates_dir: Path, name: str) -> Problem:
    """Locate a template error at ``templates/x.html:line`` (Jinja keeps template lines in tracebacks)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = Path(exc.filename) if exc.filename else templates_dir / (exc.name or name)
        return problem(where, exc.lineno or 1, f"template syntax error: {exc.message}")
    if isinstance(exc, jinja2.TemplateNotFound):
        return problem(templates_dir / name, 1, f"template not found: {exc.name}")
    root = str(templates_dir.resolve())
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and str(Path(frame.filename).resolve()).startswith(root):
            return Problem(display_path(Path(frame.filename)), frame.lineno or 1, f"template error: {exc}")
    return problem(templates_dir / name, 1, f"template error: {exc}")
