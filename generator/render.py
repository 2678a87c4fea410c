"""Render: Timeline + Config -> every page and data file by site path. Jinja2 makes the pages
that ``pages.py`` lists; feeds and exports are added as data files. Each file is put in the
build's stage as soon as it is made (``write.Stage.put``), or kept as bytes by the preview.

Templates receive small documented contexts and only print: every URL comes
from the ``url`` filter, every date from the locale-free date filters.
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import pickle
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import jinja2.bccache

from generator import cache as disk_cache
from generator.config import Config, quote_path
from generator.dates import entry_date_text, entry_datetime, isodate, longdate, monthname
from generator.errors import BuildError, Problem, display_path, problem
from generator.exports import Layout, Pieces, calendar_ics, entries_csv, entries_json, timelinejs
from generator.feeds import atom_feed, json_feed, robots, sitemap
from generator.digest import Digester, generator_identity
from generator.model import Timeline
from generator.pages import Page, site_pages
from generator.processes import can_fork
from generator.progress import Progress, quiet
from generator.write import Kept, Parts, join

Place = Callable[[str, bytes | Parts], Kept]
"""Puts a made file at its site path and returns where it is (``write.Stage.put``)."""


def make_environment(templates_dir: Path, config: Config, compiled: Path | None = None) -> jinja2.Environment:
    """A Jinja2 environment that escapes everything and refuses undefined names; ``compiled``
    is a folder that keeps compiled templates between runs (compiling costs 0.1 s a build)."""
    env = jinja2.Environment(
        bytecode_cache=CompiledTemplates(compiled, config.base_path) if compiled is not None else None,
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
        link = base_path + quote_path(path.lstrip("/"))  # no '#' left in it: as quote(…, safe="/")
        return f"{link}#{fragment}" if fragment else link

    env.filters.update(url=url, isodate=isodate, longdate=longdate, monthname=monthname,
                       entrydate=entry_date_text, entrydatetime=entry_datetime)
    return env


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja2's compiled templates, kept on disk between runs as the other caches are
    (``cache.save``, ``cache.load``): checksummed, tied to this generator's version, and
    skipped, never an error, when missing, damaged or unwritable.

    Jinja2 checks each against its template's source, but compiling also runs filters on
    constant arguments (``"/style.css"|url``), so the base path is part of the key."""

    def __init__(self, folder: Path, base_path: str) -> None:
        self.folder = folder
        self.base_path = base_path

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self.base_path}\0{name}", filename)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = disk_cache.load(self.folder, f"template-{bucket.key}.pickle").get("code")
        if isinstance(code, bytes):
            try:
                bucket.bytecode_from_string(code)
            except Exception:  # noqa: BLE001 - unreadable: compiled again
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        disk_cache.save(self.folder, {"code": bucket.bytecode_to_string()}, f"template-{bucket.key}.pickle")


@dataclass(frozen=True)
class Rendered:
    """The rendered site: new bytes, plus the pages that need no rendering because they are
    exactly as in the build the caller remembers."""

    files: dict[str, bytes | Kept]
    """Site path -> every file rendered now: its bytes, or where ``place`` put it."""
    kept: tuple[str, ...]
    """Site paths whose inputs are unchanged: the caller has their bytes from the last build."""
    digests: dict[str, bytes]
    """Site path -> digest of what made it, for the next build's ``previous``."""
    processes: int = 1
    """How many processes rendered the pages (``render_pages``)."""
    layouts: dict[str, Layout] = field(default_factory=dict)
    """Where each entry's part is in each data file made now (``exports.Pieces.track``)."""


def render_site(timeline: Timeline, config: Config, templates_dir: Path, environments: dict | None = None,
                previous: dict[str, bytes] | None = None, progress: Progress = quiet,
                pieces: dict | None = None, fingerprints: Iterable[tuple[object, bytes]] = (),
                jobs: int = 1, compiled: Path | None = None, timeline_from: tuple | None = None,
                place: Place | None = None, layouts: dict[str, Layout] | None = None) -> Rendered:
    """Render every page and data file; raise one BuildError naming each failing template line.

    ``environments`` reuses compiled templates between builds (Jinja2 recompiles a
    template whose file changed). ``previous`` maps site paths whose last bytes the
    caller still has to the digest they were made from; a page is rendered again only
    when its digest differs: the digest covers every template's source and exactly
    what its template receives (``generator/digest.py``), so skipping is correct by
    construction. ``pieces`` keeps each entry's part of the data files between builds, in
    memory; ``layouts`` says where they are in the last build's data files, which ``place``
    then copies them from (``exports.Pieces``).
    ``fingerprints`` pairs entries with a digest of what they were parsed from
    (``Loaded.fingerprints``), which stands for them in page digests. ``jobs`` > 1 renders
    many pages in that many processes (``render_pages``). ``compiled`` is a folder for
    compiled templates kept between runs. ``timeline_from`` gives what ``build_timeline``
    made the timeline from besides the seeds label (entries, drafts, eras): it stands for
    the timeline, whose 10,000 entries a page digest would otherwise reach in every group.
    ``place`` puts each file where it goes as soon as it is made (``write.Stage.put``) and
    returns what stands for it there, so that 10,000 pages are never held in memory at once.
    """
    if not templates_dir.is_dir():
        raise BuildError([problem(templates_dir, 1, "templates folder not found")])
    key = (str(templates_dir.resolve()), config.base_path)
    if environments is None:
        env = make_environment(templates_dir, config, compiled)
    else:
        env = environments.get(key) or environments.setdefault(key, make_environment(templates_dir, config, compiled))
    previous = previous or {}
    digester = Digester()
    for value, fingerprint in fingerprints:
        digester.remember(value, fingerprint)
    if timeline_from is not None:
        digester.remember(timeline, digester.digest("build_timeline", *timeline_from))
    common = digester.digest(generator_identity(), _templates_fingerprint(templates_dir), config)
    files: dict[str, bytes | Kept] = {".nojekyll": b""}
    kept: list[str] = []
    digests: dict[str, bytes] = {}
    problems: list[Problem] = []
    pages = site_pages(timeline, config)
    todo: list[Page] = []
    for page in pages:
        made_from = (page.made_from,) if page.made_from is not None else (page.meta, page.context)
        digest = digests[page.output] = digester.digest(common, page.template, *made_from)
        if previous.get(page.output) == digest:
            kept.append(page.output)
        else:
            todo.append(page)
    listed = pickle.dumps([(p.path, p.lastmod, p.in_sitemap) for p in pages])  # the sitemap's input
    data_digest = digester.digest(generator_identity(), config, timeline, listed)
    parts = Pieces(config, pieces, digester, layouts)

    def make_data_files() -> None:
        for name, make in data_files(timeline, config, pages, parts).items():
            digest = digests[name] = digester.digest(data_digest, name)
            if previous.get(name) == digest:
                kept.append(name)
            else:
                made = make()
                if place:
                    files[name] = place(name, made if isinstance(made, bytes) else parts.track(name, made))
                else:  # the preview serves from memory: one bytes object, and keeps the parts (no layouts)
                    files[name] = made if isinstance(made, bytes) else join(made)
        parts.prune()

    rendered, problems, processes = render_pages(todo, env, config, templates_dir, jobs, progress, place,
                                                 meanwhile=make_data_files)
    if problems:
        raise BuildError(problems)
    files.update(rendered)
    return Rendered(files=files, kept=tuple(kept), digests=digests, processes=processes, layouts=parts.layouts)


PARALLEL_RENDER = 1000
"""Below this many pages to render, a second process costs more than it saves."""
CHUNK = 50
"""Pages a render process takes at a time: few enough that the processes finish together."""
_FORKED: tuple | None = None
"""What forked render processes work from: inherited by fork, never pickled."""


def render_pages(todo: list[Page], env: jinja2.Environment, config: Config, templates_dir: Path,
                 jobs: int = 1, progress: Progress = quiet, place: Place | None = None,
                 meanwhile: Callable[[], None] = lambda: None) -> tuple[dict[str, bytes | Kept], list[Problem], int]:
    """Render pages: {site path: bytes, or what ``place`` returned for them}, one problem
    per failing template line in page order, and the number of processes that rendered them.
    ``meanwhile`` is other work of this process (the data files), done first.

    With ``jobs`` > 1 and many pages (a cold build, a template edit), forked processes
    render pages while this one does ``meanwhile``, then it joins them: each process takes
    the next CHUNK pages from a shared counter until none are left, so that they finish
    together whatever else they did. The pages, templates and model are inherited; only
    the rendered bytes (or, with ``place``, where each process put them) come back. Fork
    only where it is safe: on Linux, from a process with no other thread (not the preview).
    """
    shares = jobs if jobs > 1 and len(todo) >= PARALLEL_RENDER and can_fork() else 1
    if shares == 1:
        meanwhile()
        results = [_render_claimed(todo, itertools.count(0, CHUNK).__next__, env, config, templates_dir,
                                   progress, place)]
    else:
        global _FORKED
        context = multiprocessing.get_context("fork")
        counter = context.Value("q", 0)

        def claim() -> int:
            with counter.get_lock():
                first = counter.value
                counter.value = first + CHUNK
            return first

        _FORKED = (todo, claim, env, config, templates_dir, place)
        try:
            with context.Pool(shares - 1) as pool:
                others = pool.map_async(_render_forked, range(1, shares))
                meanwhile()
                results = [_render_claimed(todo, claim, env, config, templates_dir, progress, place), *others.get()]
        finally:
            _FORKED = None
        progress("render", len(todo), len(todo))  # the last page may have been another process's
    files: dict[str, bytes | Kept] = {}
    found: list[tuple[int, Problem]] = []
    for share_files, share_problems in results:
        files.update(share_files)
        found += share_problems
    problems: list[Problem] = []
    for _, item in sorted(found, key=lambda pair: pair[0]):
        if item not in problems:
            problems.append(item)
    return files, problems, shares


def _render_forked(_: int) -> tuple[dict[str, bytes | Kept], list[tuple[int, Problem]]]:
    todo, claim, env, config, templates_dir, place = _FORKED
    return _render_claimed(todo, claim, env, config, templates_dir, place=place)


def _render_claimed(todo: list[Page], claim: Callable[[], int], env: jinja2.Environment, config: Config,
                    templates_dir: Path, progress: Progress = quiet,
                    place: Place | None = None) -> tuple[dict[str, bytes | Kept], list[tuple[int, Problem]]]:
    """Render the pages of each chunk ``claim`` gives (its first index) until they run out; a
    template failure becomes a located problem, with its page's index."""
    files: dict[str, bytes | Kept] = {}
    problems: list[tuple[int, Problem]] = []
    templates: dict[str, jinja2.Template] = {}  # Jinja2 would check each template's file again for every page
    while (first := claim()) < len(todo):
        progress("render", first, len(todo))
        for index in range(first, min(first + CHUNK, len(todo))):
            page = todo[index]
            try:
                template = templates.get(page.template) or templates.setdefault(
                    page.template, env.get_template(page.template))
                html = template.render(site=config, page=page.meta, **page.context)
            except Exception as exc:  # any template failure becomes a located problem
                problems.append((index, _template_problem(exc, templates_dir, page.template)))
                continue
            files[page.output] = place(page.output, html.encode("utf-8")) if place else html.encode("utf-8")
    progress("render", len(todo), len(todo))
    return files, problems


def data_files(timeline: Timeline, config: Config, pages: list[Page],
               pieces: Pieces | None = None) -> dict[str, Callable[[], bytes | Parts]]:
    """Feeds, discovery files and data exports by site path, each as the function that makes it
    (so that an unchanged one is not made at all): its bytes, or the parts of a large one."""
    files = {
        "feed.xml": lambda: atom_feed(timeline, config),
        "feed.json": lambda: json_feed(timeline, config),
        "robots.txt": lambda: robots(config),
        "timeline.json": lambda: timelinejs(timeline, config, pieces),
        "entries.json": lambda: entries_json(timeline, config, pieces),
        "entries.csv": lambda: entries_csv(timeline, config, pieces),
        "calendar.ics": lambda: calendar_ics(timeline, config, pieces),
    }
    if config.is_absolute:  # a sitemap needs absolute URLs
        files["sitemap.xml"] = lambda: sitemap([(p.path, p.lastmod) for p in pages if p.in_sitemap], config)
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
