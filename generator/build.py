"""The build: load -> model -> render -> write. ``timeline serve`` calls the same function."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import pickle
import re
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from generator import cache as disk_cache
from generator.check import check_site
from generator.config import load_config
from generator.errors import BuildError, Problem, display_path, problem
from generator.load import load_entries, load_static
from generator.model import Entry
from generator.processes import ahead
from generator.progress import Progress, quiet
from generator.render import render_site
from generator.timeline import build_timeline
from generator.write import (MARKER, Kept, Stage, WriteReport, check_output_folder, leftovers, one_build_at_a_time,
                             open_stage, write_site)
from generator.write import finish as finish_writing


@dataclass(frozen=True)
class BuildOptions:
    """Where to read and write, and how strict to be. Paths as given (relative to the cwd)."""

    seeds_dir: Path = Path("seeds")
    templates_dir: Path = Path("templates")
    static_dir: Path = Path("static")
    out_dir: Path = Path("output")
    config_path: Path = Path("timeline.toml")
    base_url: str | None = None
    """Overrides the config's base_url (e.g. for GitHub Pages: ``https://user.github.io/repo/``)."""
    drafts: bool = False
    """Include entries marked ``draft: true``."""
    future: bool = False
    """Include entries dated after today (by default they wait, with a warning, until their day)."""
    clock: dt.date | None = None
    """The day taken as today; None for SOURCE_DATE_EPOCH when set, else the system clock."""
    strict: bool = False
    """Treat warnings as errors and run ``timeline check``'s checks on the built site."""
    search: bool = True
    """Make the Pagefind search index (the preview skips it: it would slow every reload)."""
    jobs: int = 1
    """Processes for parsing many seeds, or rendering many pages, at once (0: one per CPU core)."""
    cache_dir: Path | None = None
    """Where ``timeline build`` keeps parsed seeds and the manifest of the last build between runs;
    None for no on-disk cache."""


@dataclass(frozen=True)
class BuildResult:
    """What a successful build did, for the summary line."""

    entries: int
    pages: int
    """HTML pages written."""
    files: int
    """All files written, pages and assets."""
    seconds: float
    warnings: tuple[Problem, ...]
    ignored: tuple[str, ...]
    written: WriteReport | None = None
    """What writing changed in the output folder (None for a build held in memory)."""
    rendered: int = 0
    """Pages and data files made anew (the others were unchanged)."""
    processes: int = 1
    """Processes that rendered them."""


@dataclass
class BuildCache:
    """What is kept between builds so that rebuilds are fast: all of it in the preview's
    memory, the parsed seeds on disk for ``timeline build`` (``generator/cache.py``).

    Safe by construction: parsed seeds are keyed by their text and the actors file, pages
    by exactly what their template receives, and Jinja2 reloads templates that changed.
    """

    entries: dict = field(default_factory=dict)
    """Parsed seeds, for ``load_entries``."""
    environments: dict = field(default_factory=dict)
    """Jinja2 environments by templates folder and base path, for ``render_site``."""
    digests: dict[str, bytes] = field(default_factory=dict)
    """Site path -> digest of what made it, for every page and data file of the last good build."""
    pieces: dict | None = field(default_factory=dict)
    """Each entry's part of each data file (``exports.Pieces``), kept by the preview; None to
    keep none (``timeline build``, which copies them from its last files: ``layouts``)."""
    layouts: dict = field(default_factory=dict)
    """Data file name -> where each entry's part is in it (``exports.Layout``), for the
    files of the output folder still as the last build wrote them; updated by each build."""
    search: dict[str, tuple[bytes, dict[str, bytes]]] = field(default_factory=dict)
    """The last build's search indexes by folder, each with the digest of the pages it indexed
    (``search.make_indexes``): one is reused while its pages are equal."""
    compiled: Path | None = None
    """Where Jinja2 keeps compiled templates between runs (``timeline build``); None: in memory only."""


@dataclass(frozen=True)
class Site:
    """A built site: what ``write`` swaps in for the output folder and ``serve`` serves."""

    files: dict[str, bytes | Kept]
    """Site path -> bytes, every page and asset; or an identical file of the last build,
    which writing hard-links instead of writing again, or one put in the stage already (``Kept``)."""
    result: BuildResult


@contextlib.contextmanager
def no_cycle_collection(resume: bool = True):
    """Run a build without Python's cycle collector. A 10,000-entry build holds a million
    long-lived objects, which every full collection walks again: 0.8 s of a 2.8 s rebuild.
    Reference counting still frees what the build drops; the few cycles it makes are
    collected once it is over. ``resume=False`` leaves the collector off: for a process that
    ends after the build while still holding what it made (``build(hold=…)``), where the
    first collection would walk all of it (0.1 s at 10,000 entries) for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled and resume:
            gc.enable()


def build_site(options: BuildOptions, cache: BuildCache | None = None,
               previous: Mapping[str, bytes | Kept] | None = None, progress: Progress = quiet,
               contents: Mapping[str, bytes] | None = None, stage: Stage | None = None) -> Site:
    """Load, model and render the site in memory; raise BuildError listing every problem.

    ``previous`` holds the last good build's files that are still at hand (bytes, or a
    ``Kept`` file on disk): with ``cache.digests`` it lets pages whose inputs did not change go
    unrendered. ``cache.digests`` is updated on success. ``contents`` gives the digests of
    input files' bytes where they are known already (``cache.inputs_digest``). With a
    ``stage``, pages and data files are put in it as they are rendered, not held in memory.
    """
    started = time.perf_counter()
    config, loaded = _load_all(options, cache.entries if cache else None, progress, contents)
    entries, warnings = loaded.entries, loaded.warnings
    if not options.future:
        entries, later = _until(entries, today(options.clock, config.timezone), options.seeds_dir)
        warnings += later
    if options.strict and warnings:
        raise BuildError(warnings)
    timeline = build_timeline(entries, display_path(options.seeds_dir),
                              include_drafts=options.drafts, eras=config.eras)
    previous = previous or {}
    known = {path: digest for path, digest in cache.digests.items() if path in previous} if cache else {}
    rendered = render_site(timeline, config, options.templates_dir, cache.environments if cache else None, known,
                           progress, cache.pieces if cache else None, zip(loaded.entries, loaded.fingerprints),
                           jobs=options.jobs or os.cpu_count() or 1, compiled=cache.compiled if cache else None,
                           timeline_from=(entries, options.drafts, config.eras),
                           place=stage.put if stage is not None else None,
                           layouts=cache.layouts if cache and stage is not None else None)
    files: dict[str, bytes | Kept] = {**rendered.files, **{path: previous[path] for path in rendered.kept}}
    files = _merge_static(files, load_static(options.static_dir), options.static_dir)
    if options.search and config.search:
        progress("search index", 0, 1)
        files.update(_search_bundle(_contents(files), config.language, cache, options.jobs or os.cpu_count() or 1))
        progress("search index", 1, 1)
    warnings += _too_big_for_pages(files, options.out_dir)
    if options.strict:  # a strict build is also a checked one
        found = [*warnings, *check_site(_contents(files), config.base_path, where=display_path(options.out_dir))]
        if found:
            raise BuildError(found)
    if cache is not None:
        cache.digests = rendered.digests
    if cache is not None and stage is not None:  # what the files put in the stage hold, for the next build
        cache.layouts = {**{name: cache.layouts[name] for name in rendered.kept if name in cache.layouts},
                         **rendered.layouts}
    result = BuildResult(entries=len(timeline.entries), files=len(files),
                         pages=sum(1 for name in files if name.endswith(".html")),
                         seconds=time.perf_counter() - started,
                         warnings=warnings, ignored=loaded.ignored,
                         rendered=len(rendered.files), processes=rendered.processes)
    return Site(files=files, result=result)


def build(options: BuildOptions, cache: BuildCache | None = None, progress: Progress = quiet,
          hold: list | None = None) -> BuildResult:
    """Build the whole site into ``options.out_dir``, or raise BuildError and leave it untouched.

    With a cache folder, a build whose inputs are byte for byte those of the last build,
    into an output folder that is still as that build left it, does nothing at all; any
    other build renders only the pages whose inputs changed and hard-links the rest.

    ``hold``: a list to put what the build made in rather than free it, for a process that
    ends right after (``cli.run``): its end frees the memory at once, where freeing a
    million objects one by one takes 50 ms at 10,000 entries.
    """
    started = time.perf_counter()
    out_dir = options.out_dir.absolute()
    check_output_folder(out_dir)
    with one_build_at_a_time(out_dir, lambda: print(
            f"timeline: another build is writing {display_path(options.out_dir)}/; waiting for it to finish",
            file=sys.stderr)), no_cycle_collection(resume=hold is None):
        return _build_locked(options, cache, progress, out_dir, started, hold)


def _build_locked(options: BuildOptions, cache: BuildCache | None, progress: Progress, out_dir: Path,
                  started: float, hold: list | None = None) -> BuildResult:
    """``build`` once it holds the output folder."""
    check_output_folder(out_dir)  # again: the build we waited for may have changed it
    manifest: dict = {}
    on_disk: dict[str, Kept] = {}
    shards: dict = {}
    inputs = disk_cache.Inputs(b"", {}, {})
    if options.cache_dir is not None:
        manifest = disk_cache.load(options.cache_dir, disk_cache.MANIFEST_FILE)
        stats = manifest.get("stats", {}) if manifest.get("out_dir") == str(out_dir) else {}
        # Stat'ing the output's 10,000 files (40 ms) is done by another process meanwhile.
        changed = ahead(_not_as_written, out_dir, stats) if stats else set
        inputs = _inputs_digest(options, manifest.get("signatures"))
        if manifest.get("out_dir") != str(out_dir):
            manifest = {}
        on_disk = _as_written(out_dir, stats, changed())
        if manifest and manifest["inputs"] == inputs.digest and len(on_disk) == len(manifest["stats"]) \
                and not leftovers(out_dir):
            result = _unpack_result(manifest["result"])
            return replace(result, seconds=time.perf_counter() - started, rendered=0,
                           written=WriteReport(written=0, unchanged=result.files, removed=0))
        if cache is None:
            saved = disk_cache.load_store(options.cache_dir)
            cache = BuildCache(entries=saved["entries"], search=saved["search"], pieces=None,
                               layouts=_live_layouts(options.cache_dir, out_dir),
                               digests=manifest.get("digests", {}),
                               compiled=options.cache_dir.absolute() / disk_cache.COMPILED_FOLDER)
            shards = saved["shards"]
    spare = options.cache_dir.absolute() / disk_cache.SPARE_FOLDER if options.cache_dir is not None else None
    stage = open_stage(out_dir, spare)
    try:
        site = build_site(options, cache, on_disk, progress, inputs.contents, stage)
    except BaseException:
        stage.discard()
        raise
    current = {name: kept.inode for name, kept in on_disk.items()} if manifest else None
    # A file of the last build that stays the very same file keeps the stat data it was checked with.
    known = {name: manifest["stats"][name] for name, data in site.files.items()
             if isinstance(data, Kept) and name in on_disk and data.inode == on_disk[name].inode}
    written = write_site(site.files, options.out_dir, progress, current=current, stage=stage)
    result, names = site.result, [*site.files, MARKER]
    del site  # what it still holds in memory (static files, the search bundle) is on disk now
    try:
        if options.cache_dir is not None and cache is not None:
            disk_cache.save_store(options.cache_dir, cache.entries, cache.search, shards)
            stats = {**known, **disk_cache.file_stats(out_dir, [name for name in names if name not in known])}
            disk_cache.save(options.cache_dir, {"out_dir": str(out_dir), "layouts": {
                name: (stats[name], layout) for name, layout in cache.layouts.items() if name in stats}},
                disk_cache.LAYOUTS_FILE)
            disk_cache.save(options.cache_dir, {
                "inputs": inputs.digest, "signatures": inputs.signatures, "out_dir": str(out_dir),
                "digests": cache.digests, "result": _pack_result(result), "stats": stats,
            }, disk_cache.MANIFEST_FILE)
    finally:
        finish_writing()
    if hold is not None:
        hold.append((cache, manifest, on_disk, inputs, shards))
    return replace(result, seconds=time.perf_counter() - started, written=written)


def _pack_result(result: BuildResult) -> bytes:
    """A result as the manifest keeps it: pickled apart, so that only a build with nothing to
    do reads it, and its warnings as plain tuples (10,000 of them pickle five times faster so)."""
    return pickle.dumps((replace(result, warnings=()), [(w.path, w.line, w.message) for w in result.warnings]),
                        protocol=pickle.HIGHEST_PROTOCOL)


def _unpack_result(data: bytes) -> BuildResult:
    result, warnings = pickle.loads(data)
    return replace(result, warnings=tuple(Problem(*warning) for warning in warnings))


def today(clock: dt.date | None, timezone: str) -> dt.date:
    """The day taken as today: ``--clock``, else SOURCE_DATE_EPOCH (reproducible builds), else
    the system clock; in the site's time zone, where its dates are."""
    if clock is not None:
        return clock
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch.isdigit() else dt.datetime.now(dt.UTC)
    try:
        return moment.astimezone(ZoneInfo(timezone)).date()
    except (ValueError, KeyError):  # a bad zone is reported by the config's own check
        return moment.date()


def _until(entries: tuple[Entry, ...], day: dt.date, seeds_dir: Path) -> tuple[tuple[Entry, ...], tuple[Problem, ...]]:
    """The entries dated up to ``day``, and a warning for each one left out (E3)."""
    kept, later = [], []
    for entry in entries:
        if entry.date <= day:
            kept.append(entry)
        else:
            later.append(problem(seeds_dir / entry.source_path, _date_line(seeds_dir / entry.source_path),
                                 f"dated {entry.date.isoformat()}, after today ({day.isoformat()}): left out "
                                 f"until then (--future includes it)"))
    return tuple(kept), tuple(later)


def _date_line(path: Path) -> int:
    """The line of a seed's date (front matter ``date:`` or the wire's ``date`` line), else 1."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    return next((n for n, line in enumerate(lines[:200], start=1) if re.match(r"date[: ]", line)), 1)


def _inputs_digest(options: BuildOptions, known: dict | None) -> disk_cache.Inputs:
    """Everything the build reads: the seed, template and static folders, the config, the options
    (and today's date: an entry dated tomorrow is in tomorrow's build)."""
    now = options.clock or os.environ.get("SOURCE_DATE_EPOCH") or int(time.time() // 900)  # the quarter hour:
    # the day changes at a quarter hour in every time zone, whichever the site's is
    settings = repr((str(options.out_dir.absolute()), options.base_url, options.drafts, options.strict,
                     options.search, options.future, now))
    return disk_cache.inputs_digest((options.seeds_dir, options.templates_dir, options.static_dir),
                                    (options.config_path,), settings, known)


def _live_layouts(cache_dir: Path, out_dir: Path) -> dict:
    """The saved layouts of the data files still exactly as the last build wrote them: only
    from those may a build copy an entry's part (same size, modification time and inode)."""
    saved = disk_cache.load(cache_dir, disk_cache.LAYOUTS_FILE)
    layouts = saved.get("layouts", {}) if saved.get("out_dir") == str(out_dir) else {}
    now = disk_cache.file_stats(out_dir, layouts)
    return {name: layout for name, (stat, layout) in layouts.items() if now.get(name) == stat}


def _not_as_written(out_dir: Path, stats: dict[str, tuple[int, int, int]]) -> set[str]:
    """The files of the last build that are no longer exactly as it wrote them (size,
    modification time and inode), or are gone."""
    now = disk_cache.file_stats(out_dir, stats)
    return {name for name, stat in stats.items() if now.get(name) != stat}


def _as_written(out_dir: Path, stats: dict[str, tuple[int, int, int]], changed: set[str]) -> dict[str, Kept]:
    """The files of the output folder still exactly as the last build wrote them, all but
    ``changed`` (``_not_as_written``): their bytes are the ones the manifest's digests describe."""
    base = str(out_dir) + os.sep
    return {name: Kept(base + name, stat[0], stat[2]) for name, stat in stats.items() if name not in changed}


PAGES_LIMIT = 1_000_000_000
"""GitHub Pages publishes sites of at most 1 GB (K3)."""


def _too_big_for_pages(files: Mapping[str, bytes | Kept], out_dir: Path) -> tuple[Problem, ...]:
    size = sum(len(data) if isinstance(data, bytes) else data.size for data in files.values())
    if size <= PAGES_LIMIT:
        return ()
    return (problem(out_dir, 1, f"the site is {size / 1e6:,.1f} MB; GitHub Pages publishes at most "
                                f"{PAGES_LIMIT / 1e6:,.0f} MB"),)


def _contents(files: Mapping[str, bytes | Kept]) -> dict[str, bytes]:
    """Every file's bytes, reading those that are kept from the last build."""
    return {path: data if isinstance(data, bytes) else data.read() for path, data in files.items()}


def _search_bundle(files: dict[str, bytes], language: str, cache: BuildCache | None, jobs: int) -> dict[str, bytes]:
    """The Pagefind bundles, each index made again only when one of its pages changed
    (Pagefind is deterministic)."""
    from generator.search import make_indexes, site_files  # pagefind loads asyncio: 25 ms
    indexes = make_indexes(files, language, cache.search if cache else None, jobs)
    if cache is not None:
        cache.search = indexes
    return site_files(indexes)


def _load_all(options: BuildOptions, cache: dict | None, progress: Progress = quiet,
              contents: Mapping[str, bytes] | None = None):
    """Config and seeds together, so one run reports the problems of both."""
    problems: list[Problem] = []
    config = loaded = None
    try:
        config = load_config(options.config_path, options.base_url)
    except BuildError as exc:
        problems.extend(exc.problems)
    try:
        loaded = load_entries(options.seeds_dir, None, cache, jobs=options.jobs or os.cpu_count() or 1,
                              progress=progress, known=contents)
    except BuildError as exc:
        problems.extend(exc.problems)
    if problems:
        raise BuildError(problems)
    return config, loaded


def _merge_static(pages: dict[str, bytes], static: dict[str, bytes], static_dir: Path) -> dict[str, bytes]:
    """Rendered pages plus static assets; an asset may not shadow a page."""
    clashes = sorted(set(pages) & set(static))
    if clashes:
        raise BuildError([problem(static_dir / name, 1, f"static file would overwrite the generated {name}")
                          for name in clashes])
    return {**pages, **static}

