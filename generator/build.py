"""The build: load -> model -> render -> write. ``timeline serve`` calls the same function."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator import cache as disk_cache
from generator.check import check_site
from generator.config import load_config
from generator.errors import BuildError, Problem, display_path, problem
from generator.load import load_entries, load_static
from generator.markup import MarkdownConverter
from generator.render import render_site
from generator.search import fingerprint as search_fingerprint
from generator.search import search_files
from generator.timeline import build_timeline
from generator.write import WriteReport, check_output_folder, write_site


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
    strict: bool = False
    """Treat warnings as errors and run ``timeline check``'s checks on the built site."""
    search: bool = True
    """Make the Pagefind search index (the preview skips it: it would slow every reload)."""
    jobs: int = 1
    """Processes for parsing many seeds at once (0: one per CPU core)."""
    cache_dir: Path | None = None
    """Where ``timeline build`` keeps parsed seeds between runs; None for no on-disk cache."""


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
    pages: dict = field(default_factory=dict)
    """Each page's template inputs and bytes from the last build, for ``render_site``."""
    search: tuple[bytes, dict[str, bytes]] | None = None
    """The last search bundle with the digest of the pages it indexed: reused when they are equal."""


@dataclass(frozen=True)
class Site:
    """A built site held in memory: what ``write`` puts on disk and ``serve`` serves."""

    files: dict[str, bytes]
    """Site path -> bytes, every page and asset."""
    result: BuildResult


def build_site(options: BuildOptions, cache: BuildCache | None = None) -> Site:
    """Load, model and render the site in memory; raise BuildError listing every problem."""
    started = time.perf_counter()
    config, loaded = _load_all(options, cache.entries if cache else None)
    if options.strict and loaded.warnings:
        raise BuildError(loaded.warnings)
    timeline = build_timeline(loaded.entries, display_path(options.seeds_dir),
                              include_drafts=options.drafts, eras=config.eras)
    files = render_site(timeline, config, options.templates_dir,
                        cache.environments if cache else None, cache.pages if cache else None)
    files = _merge_static(files, load_static(options.static_dir), options.static_dir)
    if options.search and config.search:
        files.update(_search_bundle(files, config.language, cache))
    if options.strict:  # a strict build is also a checked one
        found = check_site(files, config.base_path, where=display_path(options.out_dir))
        if found:
            raise BuildError(found)
    result = BuildResult(entries=len(timeline.entries), files=len(files),
                         pages=sum(1 for name in files if name.endswith(".html")),
                         seconds=time.perf_counter() - started,
                         warnings=loaded.warnings, ignored=loaded.ignored)
    return Site(files=files, result=result)


def build(options: BuildOptions, cache: BuildCache | None = None) -> BuildResult:
    """Build the whole site into ``options.out_dir``, or raise BuildError and leave it untouched."""
    started = time.perf_counter()
    check_output_folder(options.out_dir.absolute())
    if cache is None and options.cache_dir is not None:
        saved = disk_cache.load(options.cache_dir)
        cache = BuildCache(entries=saved.get("entries", {}), search=saved.get("search"))
    site = build_site(options, cache)
    written = write_site(site.files, options.out_dir)
    if options.cache_dir is not None and cache is not None:
        disk_cache.save(options.cache_dir, {"entries": cache.entries, "search": cache.search})
    return replace(site.result, seconds=time.perf_counter() - started, written=written)


def _search_bundle(files: dict[str, bytes], language: str, cache: BuildCache | None) -> dict[str, bytes]:
    """The Pagefind bundle, made again only when an indexed page changed (Pagefind is deterministic)."""
    digest = search_fingerprint(files, language)
    if cache is not None and cache.search is not None and cache.search[0] == digest:
        return cache.search[1]
    bundle = search_files(files, language)
    if cache is not None:
        cache.search = (digest, bundle)
    return bundle


def _load_all(options: BuildOptions, cache: dict | None):
    """Config and seeds together, so one run reports the problems of both."""
    problems: list[Problem] = []
    config = loaded = None
    try:
        config = load_config(options.config_path, options.base_url)
    except BuildError as exc:
        problems.extend(exc.problems)
    try:
        loaded = load_entries(options.seeds_dir, MarkdownConverter(), cache, jobs=options.jobs or os.cpu_count() or 1)
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

