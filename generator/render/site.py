"""Render: Timeline + Config -> every page and data file by site path. Jinja2 makes the pages
that ``pages.py`` lists; feeds and exports are added as data files.

Templates receive small documented contexts and only print: every URL comes
from the ``url`` filter, every date from the locale-free date filters.
"""

from __future__ import annotations

import functools
import hashlib
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from generator import __version__
from generator.config import Config, quote_path
from generator.errors import BuildError, Problem, display_path, problem
from generator.model import Entry, Timeline
from generator.render.dates import entry_date_text, entry_datetime, isodate, longdate, monthname
from generator.render.digest import Digester
from generator.render.exports import calendar_ics, entries_csv, entries_json, timelinejs
from generator.render.feeds import atom_feed, json_feed, robots, sitemap
from generator.render.pages import NOT_FOUND, Page, site_pages


def make_environment(templates: Sequence[Path], config: Config, compile_all: bool = False) -> jinja2.Environment:
    """A Jinja2 environment that escapes everything and refuses undefined names; a template is
    looked up in ``templates`` in order (a site's own folder, then the theme's).

    A template is read once (``auto_reload`` off); with ``compile_all`` every one is compiled
    now, so the environment is the templates as they were when it was made: a page of the
    preview's last good site, made when it is asked for, is made with that site's templates,
    whatever is on disk by then. (Compiling all takes ~0.1 s, which a CLI build does not need.)"""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(templates)),
        autoescape=True,  # every template, whatever its suffix (I3)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals["generator"] = f"Timeline {__version__}"  # the pages' meta generator tag
    base_path = config.base_path

    @jinja2.pass_context
    def url(context: jinja2.runtime.Context, path: str, absolute: bool = False) -> str:
        """Site path -> link from the page being rendered: relative (``../actors/``), so that the
        site works at ``/``, under ``/REPO/`` and opened from disk alike; rooted at the base path
        for the 404 page (served at any depth) and where ``absolute`` is asked for."""
        path, _, fragment = str(path).partition("#")
        link = quote_path(path.lstrip("/"))  # no '#' left in it: as quote(…, safe="/#")
        here = context["page"].path
        if fragment and link == here and not absolute:  # in-page: keeps the query (filters) and does not reload
            return f"#{fragment}"
        if absolute or here == NOT_FOUND:
            link = base_path + link
        else:
            link = "../" * here.count("/") + link or "./"
        return f"{link}#{fragment}" if fragment else link

    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}  # JSON-LD, compact
    env.filters.update(url=url, isodate=isodate, longdate=longdate, monthname=monthname,
                       entrydate=entry_date_text, entrydatetime=entry_datetime)
    for name in env.list_templates() if compile_all else ():
        try:
            env.get_template(name)
        except (jinja2.TemplateError, UnicodeDecodeError, OSError):
            pass  # not kept: the page that uses it reads it again, and fails with the error located
    return env


class SiteFiles(Mapping[str, "bytes | Iterable[bytes] | None"]):
    """The site's files by site path, each made when it is asked for and not kept, so that a
    10,000-page site is never held in memory at once (``write_site`` takes one at a time).
    None stands for a file whose inputs did not change since the last build.

    A file whose template fails raises one BuildError naming every failing template line
    of the whole site, found by making the files not made yet."""

    def __init__(self, items: dict[str, bytes | None | Callable[[], bytes | Iterable[bytes]]]) -> None:
        self._items = items

    def __getitem__(self, name: str) -> bytes | Iterable[bytes] | None:
        item = self._items[name]
        if not callable(item):
            return item
        try:
            return item()
        except BuildError:
            raise BuildError(self.problems()) from None

    def problems(self) -> list[Problem]:
        """Every problem of making the files, in site order, each once."""
        found: list[Problem] = []
        for item in self._items.values():
            if callable(item):
                try:
                    item()
                except BuildError as exc:
                    found += [p for p in exc.problems if p not in found]
        return found

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def with_files(self, files: Mapping[str, bytes | None]) -> SiteFiles:
        """These files and ``files`` (static files, the search index), which take no making."""
        return SiteFiles({**self._items, **files})

    def made_anew(self) -> int:
        """How many files are rendered now (the others stay as they were, or need no making)."""
        return sum(1 for item in self._items.values() if callable(item))


class OnRequest(Mapping[str, bytes]):
    """A site's files (none left as the last build's) each made when first asked for, then kept:
    the preview's site, of which a reload asks for a page or two."""

    def __init__(self, files: Mapping[str, bytes | Iterable[bytes] | None]) -> None:
        self._files = files
        self._made: dict[str, bytes] = {}

    def __getitem__(self, name: str) -> bytes:
        made = self._made.get(name)
        if made is None:
            data = self._files[name]
            if data is None:
                raise KeyError(name)  # a file left as the last build's, which a site made on request has not
            made = self._made[name] = data if isinstance(data, bytes) else b"".join(data)
        return made

    def __contains__(self, name: object) -> bool:
        return name in self._files

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)


@dataclass(frozen=True)
class Rendered:
    """The rendered site, less what is exactly as in the build whose digests were given."""

    files: SiteFiles
    """Site path -> the file's bytes, or None for one whose inputs did not change since the
    last build (its bytes are the ones that build made)."""
    digests: dict[str, str]
    """Site path -> digest of what made it, for the next build (none where not ``digested``)."""
    templates: bytes = b""
    """A digest of every template's source: a build whose templates are as the last one's can
    find no template error the last did not, but for the pages its data changed."""


def render_site(timeline: Timeline, config: Config, templates: Sequence[Path], last: Mapping[str, str] | None = None,
                environments: dict | None = None, fingerprints: Iterable[tuple[Entry, str]] = (),
                digested: bool = True) -> Rendered:
    """Every page and data file by site path; a template error is one BuildError naming each
    failing template line.

    ``last`` maps site paths of the last build, whose bytes the caller still has, to the
    digest they were made from: a file is made again only when its digest differs. The
    digest covers every template's source and exactly what the template receives
    (``render/digest.py``), so skipping is correct by construction; without ``digested``
    nothing is digested and every file is to be made. ``environments`` keeps the Jinja2
    environment of the templates as they are between builds (a new one when any changed).
    ``fingerprints`` pairs entries with what they were parsed from (``Loaded.keys``),
    which stands for them in digests.
    """
    missing = [problem(folder, 1, "templates folder not found") for folder in templates if not folder.is_dir()]
    if missing:
        raise BuildError(missing)
    sources = _templates_fingerprint(templates)
    key = (*(str(folder.resolve()) for folder in templates), config.base_path, sources)
    environments = environments if environments is not None else {}
    if key not in environments:
        environments.clear()  # the last site's pages hold their own environment while they need it
        environments[key] = make_environment(templates, config, compile_all=not digested)  # (made later)
    env = environments[key]
    last = last or {}
    pages = site_pages(timeline, config)
    data = data_files(timeline, config, pages)
    items: dict[str, bytes | None | Callable[[], bytes | Iterable[bytes]]] = {
        ".nojekyll": b"", **{page.output: functools.partial(_render, page, env, config, templates) for page in pages},
        **data}
    digests = _digests(timeline, config, pages, list(data), sources, fingerprints) if digested else {}
    for name, digest in digests.items():
        if last.get(name) == digest:
            items[name] = None
    return Rendered(files=SiteFiles(items), digests=digests, templates=sources)


def _digests(timeline: Timeline, config: Config, pages: list[Page], data: list[str], sources: bytes,
             fingerprints: Iterable[tuple[Entry, str]]) -> dict[str, str]:
    """Site path -> a digest of exactly what makes each page (its template's context) and data file."""
    digester = Digester()
    for entry, fingerprint in fingerprints:
        digester.remember(entry, fingerprint)
    common = digester.digest(sources, config)
    digests = {page.output: digester.digest(common, page.template, *page.made_from).hex() for page in pages}
    listed = [(p.path, p.lastmod, p.in_sitemap) for p in pages]  # the sitemap's input
    made_of = digester.digest(config, timeline, listed)
    return {**digests, **{name: digester.digest(made_of, name).hex() for name in data}}


def _render(page: Page, env: jinja2.Environment, config: Config, folders: Sequence[Path]) -> bytes:
    """One page's bytes; a template failure is a BuildError naming the template line."""
    try:
        template = env.get_template(page.template)
        meta, context = page.parts(config)
        return template.render(site=config, page=meta, **context).encode("utf-8")
    except Exception as exc:  # any template failure becomes a located problem
        raise BuildError([_template_problem(exc, folders, page.template)]) from None


def data_files(timeline: Timeline, config: Config,
               pages: list[Page]) -> dict[str, Callable[[], bytes | Iterable[bytes]]]:
    """Feeds, discovery files and data exports by site path, each as the function that makes it
    (so that an unchanged one is not made at all): its bytes, or its chunks for a large one."""
    files = {
        "feed.xml": lambda: atom_feed(timeline, config),
        "feed.json": lambda: json_feed(timeline, config),
        "robots.txt": lambda: robots(config),
        "timeline.json": lambda: timelinejs(timeline, config),
        "entries.json": lambda: entries_json(timeline, config),
        "entries.csv": lambda: entries_csv(timeline, config),
        "calendar.ics": lambda: calendar_ics(timeline, config),
    }
    if config.is_absolute:  # a sitemap needs absolute URLs
        files["sitemap.xml"] = lambda: sitemap([(p.path, p.lastmod) for p in pages if p.in_sitemap], config)
    return files


def _templates_fingerprint(templates: Sequence[Path]) -> bytes:
    """A digest of every template file of every folder, in lookup order: any template may
    include or extend any other."""
    digest = hashlib.blake2b()
    for templates_dir in templates:
        digest.update(b"\1")
        for path in sorted(templates_dir.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(templates_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def _template_problem(exc: Exception, folders: Sequence[Path], name: str) -> Problem:
    """Locate a template error at ``templates/x.html:line`` (Jinja keeps template lines in tracebacks),
    in the folder the template was found in."""
    templates_dir = next((folder for folder in folders if (folder / name).is_file()), folders[0])
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = Path(exc.filename) if exc.filename else templates_dir / (exc.name or name)
        return problem(where, exc.lineno or 1, f"template syntax error: {exc.message}")
    if isinstance(exc, jinja2.TemplateNotFound):
        return problem(templates_dir / name, 1, f"template not found: {exc.name}")
    roots = tuple(str(folder.resolve()) for folder in folders)
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and str(Path(frame.filename).resolve()).startswith(roots):
            return Problem(display_path(Path(frame.filename)), frame.lineno or 1, f"template error: {exc}")
    return problem(templates_dir / name, 1, f"template error: {exc}")
