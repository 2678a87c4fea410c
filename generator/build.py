"""The build: load -> model -> render -> write. ``timeline serve`` calls the same ``build_site``."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator import cache as disk
from generator import theme
from generator.check import check_site
from generator.config import load_config
from generator.errors import BuildError, Problem, display_path, problem
from generator.load.files import Inputs, inputs_digest, load_static
from generator.load.now import stale
from generator.load.today import far_apart, today, until
from generator.load.seeds import load_entries
from generator.progress import Progress, quiet
from generator.render.site import OnRequest, render_site
from generator.timeline import build_timeline
from generator.write.folders import check_folders
from generator.write import (Content, WriteReport, as_written, check_output_folder, leftovers, one_build_at_a_time,
                             write_site)


@dataclass(frozen=True)
class BuildOptions:
    """Where to read and write, and how strict to be. Paths as given (relative to the cwd)."""

    seeds_dir: Path = Path("seeds")
    templates_dir: Path = Path("templates")  # the site's own (if any), over the bundled theme's
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
    """Processes for parsing many seeds at once (0 or less: one per CPU core); never more than
    the cores, nor than there is work for."""
    cache_dir: Path | None = None
    """Where ``timeline build`` keeps what it can reuse between runs (``cache.py``); None for none."""


@dataclass(frozen=True)
class BuildResult:
    """What a successful build did, for the summary line."""

    entries: int
    pages: int
    """HTML pages made."""
    files: int
    """All files of the site, pages and assets."""
    seconds: float
    warnings: tuple[Problem, ...]
    ignored: tuple[str, ...]
    written: WriteReport | None = None
    """What writing changed in the output folder (None for a build held in memory)."""
    rendered: int = 0
    """Pages and data files made anew (the others were unchanged)."""


@dataclass
class BuildCache:
    """What one build leaves for the next, so that a rebuild does only what changed: kept in
    memory by the preview, and on disk between runs of ``timeline build`` (``cache.py``).

    Safe by construction: parsed seeds are keyed by their bytes and the actors file, pages
    by exactly what their template receives, and Jinja2 reloads templates that changed.
    """

    entries: dict = field(default_factory=dict)
    """Parsed seeds, for ``load_entries``."""
    environments: dict = field(default_factory=dict)
    """Jinja2 environments by templates folder and base path, for ``render_site``."""
    digests: dict[str, str] = field(default_factory=dict)
    """Site path -> digest of what made it, for the files of ``last``."""
    last: Mapping[str, bytes] = field(default_factory=dict)
    """The last build's files that are still at hand, by site path."""
    search: dict = field(default_factory=dict)
    """The last search shards by folder, each with the digest of its pages and its files' names."""
    signatures: dict = field(default_factory=dict)
    """Seed files' stat data and digests (``inputs_digest``): a rebuild reads only seeds that changed."""
    keep_site: bool = True
    """Keep the site in memory as ``last`` (the preview), each file made when it is first asked
    for (every file at once where the templates changed, so that every template error is found,
    and for a strict build); False where ``last`` is the output folder (``timeline build``), and
    ``Site.files`` holds None for a file that stays."""
    templates: bytes = b""
    """The digest of the templates of the site kept in memory (``Rendered.templates``)."""


@dataclass(frozen=True)
class Site:
    """A built site, as ``write_site`` takes it."""

    files: Mapping[str, Content]
    """Site path -> bytes (or chunks), every page and asset, made as they are asked for; None for a file
    of ``BuildCache.last`` that stays, where the cache does not keep the site (``keep_site``)."""
    result: BuildResult


def build_site(options: BuildOptions, cache: BuildCache | None = None, progress: Progress = quiet,
               known: Mapping[str, str] | None = None) -> Site:
    """Load, model and render the site in memory; raise BuildError listing every problem.

    With a ``cache`` from the last build, only what changed is read, parsed and rendered;
    the cache is brought up to date when the build succeeds. ``known``: the digests of seed
    files' bytes where the caller has them already (``inputs_digest``).
    """
    started = time.perf_counter()
    cache = cache if cache is not None else BuildCache()
    if known is None:
        seeds = inputs_digest((options.seeds_dir,), (), "", cache.signatures)
        cache.signatures, known = seeds.signatures, seeds.contents
    config, loaded = _load_all(options, cache, progress, known)
    entries, warnings = loaded.entries, loaded.warnings
    if not options.future:
        entries, later = until(entries, today(options.clock, config.timezone), options.seeds_dir)
        warnings += later
    timeline = build_timeline(entries, display_path(options.seeds_dir), options.drafts, config.eras, loaded.now,
                              config.figures, config.threads, config.relations)
    warnings += stale(timeline, options.seeds_dir) + far_apart(timeline.entries, options.seeds_dir)
    if options.strict and warnings:
        raise BuildError(warnings)
    last = {name: digest for name, digest in cache.digests.items() if name in cache.last}
    searching = options.search and config.search  # reads every page, and keeps what it can from the last build
    on_request = cache.keep_site and not options.strict and not searching  # the preview: made as the browser asks
    rendered = render_site(timeline, config, theme.layers(options.templates_dir, "templates"), last,
                           cache.environments, zip(loaded.entries, loaded.keys), digested=not on_request)
    made = rendered.files.with_files(_static(rendered.files, options.static_dir))
    if searching:
        made = made.with_files(_search_bundle(made, rendered.digests, cache, config.language, _jobs(options), progress))
    files: Mapping[str, Content] = made
    # In memory, every file is made now unless the templates are the last site's: then only pages whose
    # data changed could fail, when asked for; where they changed, every template error is found before serving.
    if options.strict or (cache.keep_site and not (on_request and rendered.templates == cache.templates)):
        files = _contents(files, cache.last)
        # ``build`` checks the files it wrote, where they are not all here
        warnings += too_big_for_pages((len(data) for data in files.values() if data is not None), options.out_dir)
    elif on_request:
        files = OnRequest(files)
    if options.strict:  # a strict build is also a checked one
        found = [*warnings, *check_site(files, config.base_path, where=display_path(options.out_dir))]
        if found:
            raise BuildError(found)
    cache.digests = rendered.digests
    if cache.keep_site:
        cache.last, cache.templates = files, rendered.templates
    result = BuildResult(entries=len(timeline.entries), files=len(files),
                         pages=sum(1 for name in files if name.endswith(".html")),
                         seconds=time.perf_counter() - started, warnings=warnings, ignored=loaded.ignored,
                         rendered=rendered.files.made_anew())
    return Site(files=files, result=result)


def build(options: BuildOptions, progress: Progress = quiet) -> BuildResult:
    """Build the whole site into ``options.out_dir``, or raise BuildError and leave it untouched.

    With a cache folder, a build whose inputs are byte for byte those of the last build,
    into an output folder still as that build left it, does nothing at all; any other
    build parses and renders only what changed and links the rest from the last site.
    """
    started = time.perf_counter()
    out_dir = options.out_dir.absolute()
    check_output_folder(out_dir)
    check_folders({"seeds folder": options.seeds_dir, "templates folder": options.templates_dir,
                   "static folder": options.static_dir, "config": options.config_path},
                  {"--out": options.out_dir, **({"--cache-dir": options.cache_dir} if options.cache_dir else {})})
    with one_build_at_a_time(out_dir, lambda: print(
            f"timeline: another build is writing {display_path(options.out_dir)}/; waiting for it to finish",
            file=sys.stderr)):
        check_output_folder(out_dir)  # again: the build we waited for may have changed it
        saved = disk.load(options.cache_dir) if options.cache_dir is not None else disk.Saved()
        if saved.out_dir != str(out_dir):  # what it says of the output is of another folder
            saved = disk.Saved(signatures=saved.signatures)
        inputs = _inputs_digest(options, saved.signatures)
        kept = as_written(out_dir, saved.record)
        repeated = _summary_result(saved.result)
        if repeated and saved.inputs == inputs.digest and len(kept) == len(saved.record) and not leftovers(out_dir):
            return replace(repeated, seconds=time.perf_counter() - started,
                           written=WriteReport(written=0, unchanged=repeated.files, removed=0, record=saved.record))
        if options.cache_dir is not None:
            saved = disk.load_parsed(options.cache_dir, saved)
        cache = BuildCache(entries=saved.entries, search=saved.search, keep_site=False,
                           digests={name: d for name, d in saved.digests.items() if name in kept},
                           last=LastSite(out_dir, {name: saved.record[name] for name in kept}))
        site = build_site(options, cache, progress, inputs.contents)
        written = write_site(site.files, options.out_dir, progress,
                             spare=disk.spare_folder(options.cache_dir) if options.cache_dir is not None else None)
        if not options.strict:  # a strict build checked it before writing
            site = replace(site, result=replace(site.result, warnings=site.result.warnings + too_big_for_pages(
                (size for size, _, _ in written.record.values()), options.out_dir)))
        if options.cache_dir is not None:
            disk.save(options.cache_dir, disk.Saved(
                out_dir=str(out_dir), inputs=inputs.digest, signatures=inputs.signatures, digests=cache.digests,
                record=written.record, result=_summary(site.result), entries=cache.entries, search=cache.search),
                saved)
    return replace(site.result, seconds=time.perf_counter() - started, written=written)


class LastSite(Mapping[str, bytes]):
    """The files of the last build still in the output folder as it wrote them (``write.Record``),
    read only when asked for: a rebuild needs the bytes of few of them, if any."""

    def __init__(self, out_dir: Path, record: dict[str, list[int]]) -> None:
        self.out_dir, self.record = out_dir, record

    def __getitem__(self, name: str) -> bytes:
        if name not in self.record:
            raise KeyError(name)
        return (self.out_dir / name).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self.record)

    def __len__(self) -> int:
        return len(self.record)

    def __contains__(self, name: object) -> bool:
        return name in self.record


def _contents(files: Mapping[str, Content], last: Mapping[str, bytes]) -> dict[str, bytes]:
    """Every file's bytes, joining those made as chunks and reading those that stay from the last build."""
    return {name: last[name] if data is None else data if isinstance(data, bytes) else b"".join(data)
            for name, data in files.items()}


def _summary(result: BuildResult) -> dict:
    """A result as the cache keeps it, for a build that finds nothing to do."""
    return {"entries": result.entries, "pages": result.pages, "files": result.files,
            "warnings": [[w.path, w.line, w.message] for w in result.warnings], "ignored": list(result.ignored)}


def _summary_result(summary: dict) -> BuildResult | None:
    """``_summary`` read back, or None where it is not one."""
    try:
        counts = [summary[key] for key in ("entries", "pages", "files")]
        warnings = tuple(Problem(path, line, message) for path, line, message in summary["warnings"])
        ignored = tuple(summary["ignored"])
    except (KeyError, TypeError, ValueError):
        return None
    if not all(type(n) is int for n in counts) or not all(
            isinstance(w.path, str) and type(w.line) is int and isinstance(w.message, str) for w in warnings) \
            or not all(isinstance(name, str) for name in ignored):
        return None
    return BuildResult(*counts, seconds=0.0, warnings=warnings, ignored=ignored)


def _jobs(options: BuildOptions) -> int:
    """Processes to work with: as asked, never more than the cores this process may run on
    (more only compete for them, each with its own copy of the parser: L10); 0 for all of them."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(options.jobs, cores) if options.jobs > 0 else cores


def _inputs_digest(options: BuildOptions, known: dict) -> Inputs:
    """Everything the build reads: the seed, template and static folders, the config, the options
    (and today's date: an entry dated tomorrow is in tomorrow's build)."""
    now = options.clock or os.environ.get("SOURCE_DATE_EPOCH") or int(time.time() // 900)  # the quarter hour:
    # the day changes at a quarter hour in every time zone, whichever the site's is
    settings = repr((str(options.out_dir.absolute()), options.base_url, options.drafts, options.strict,
                     options.search, options.future, now))
    folders = (options.seeds_dir, *theme.layers(options.templates_dir, "templates"),
               *theme.layers(options.static_dir, "static"))
    return inputs_digest(folders, (options.config_path,), settings, known)


PAGES_LIMIT = 1_000_000_000
"""GitHub Pages publishes sites of at most 1 GB (K3)."""


def too_big_for_pages(sizes: Iterable[int], out_dir: Path) -> tuple[Problem, ...]:
    """A warning when the files' sizes add up to more than GitHub Pages publishes."""
    size = sum(sizes)
    if size <= PAGES_LIMIT:
        return ()
    return (problem(out_dir, 1, f"the site is {size / 1e6:,.1f} MB; GitHub Pages publishes at most "
                                f"{PAGES_LIMIT / 1e6:,.0f} MB"),)


def _search_bundle(files: Mapping[str, Content], digests: Mapping[str, str], cache: BuildCache, language: str,
                   jobs: int, progress: Progress) -> dict[str, bytes | None]:
    """The Pagefind shards' files, each shard made again only when one of its pages changed."""
    from generator.render.search import make_indexes  # pagefind_bin, subprocess, threads: only when searching
    progress("search index", 0, 1)
    cache.search, found = make_indexes(files, digests, cache.last, language, cache.search, jobs)
    progress("search index", 1, 1)
    return found


def _load_all(options: BuildOptions, cache: BuildCache, progress: Progress, known: Mapping[str, str] | None):
    """Config and seeds together, so one run reports the problems of both."""
    problems: list[Problem] = []
    config = loaded = None
    try:
        config = load_config(options.config_path, options.base_url)
    except BuildError as exc:
        problems.extend(exc.problems)
    try:
        loaded = load_entries(options.seeds_dir, None, cache.entries, jobs=_jobs(options), progress=progress,
                              known=known)
    except BuildError as exc:
        problems.extend(exc.problems)
    if problems:
        raise BuildError(problems)
    return config, loaded


def _static(pages: Mapping[str, object], static_dir: Path) -> dict[str, bytes]:
    """The static assets, the site's own over the theme's; one may not shadow a generated file."""
    static = {name: data for folder in reversed(theme.layers(static_dir, "static"))
              for name, data in load_static(folder).items()}
    clashes = sorted(name for name in static if name in pages)
    if clashes:
        raise BuildError([problem(static_dir / name, 1, f"static file would overwrite the generated {name}")
                          for name in clashes])
    return static
