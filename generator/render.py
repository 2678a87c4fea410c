"""Render: Timeline + Config -> {site path: bytes}. Jinja2 makes the pages that ``pages.py`` lists;
feeds and exports are added as data files.

Templates receive small documented contexts and only print: every URL comes
from the ``url`` filter, every date from the locale-free date filters.
"""

from __future__ import annotations

import hashlib
import traceback
from pathlib import Path
from urllib.parse import quote

import jinja2

from generator.config import Config
from generator.dates import entry_date_text, entry_datetime, isodate, longdate, monthname
from generator.errors import BuildError, Problem, display_path, problem
from generator.exports import calendar_ics, entries_csv, entries_json, timelinejs
from generator.feeds import atom_feed, json_feed, robots, sitemap
from generator.model import Timeline
from generator.pages import Page, site_pages



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
                       entrydate=entry_date_text, entrydatetime=entry_datetime)
    return env


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
    pages = site_pages(timeline, config)
    for page in pages:
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
    files.update(data_files(timeline, config, pages))
    return files


def data_files(timeline: Timeline, config: Config, pages: list[Page]) -> dict[str, bytes]:
    """Feeds, discovery files and data exports, by site path."""
    files = {
        "feed.xml": atom_feed(timeline, config),
        "feed.json": json_feed(timeline, config),
        "robots.txt": robots(config),
        "timeline.json": timelinejs(timeline, config),
        "entries.json": entries_json(timeline, config),
        "entries.csv": entries_csv(timeline, config),
        "calendar.ics": calendar_ics(timeline, config),
    }
    listed = sitemap([(page.meta.path, page.lastmod) for page in pages if page.in_sitemap], config)
    if listed is not None:
        files["sitemap.xml"] = listed
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
