"""Full-text search: Pagefind indexes of the entry pages, made as part of every build.

Pagefind (the ``pagefind[bin]`` package: a Rust indexer and a small browser client)
splits an index into fragments that the browser fetches only for a query, so the
site stays static and search costs nothing until it is used. Only elements marked
``data-pagefind-body`` (the entry articles) are indexed.

A large site gets one index per year (Pagefind's "multisite" search merges them in the
browser, sharing one copy of its WebAssembly): Pagefind has no incremental mode, and
indexing 10,000 pages at once takes about 20 s and 2 GB, so an edit would pay for the
whole site. Per year, an edit re-indexes its year only, the years are indexed two (or
one per core) at a time, and each indexer holds a year. ``pagefind/indexes.json`` lists
the indexes for the search page.

The search page (``static/search.js``) is our own interface over Pagefind's JavaScript API
(``pagefind.js``): the entry pages carry the filters, metadata and sort key it reads
(``data-pagefind-*`` in ``templates/entry.html``). See docs/search.md.

The indexer runs as its command-line binary over a scratch copy of the pages: its
Python service API was 50 times slower here (15 s against 0.3 s for 150 pages).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pagefind_bin

from generator.errors import BuildError, Problem

BUNDLE = "pagefind"
"""The bundles' folder in the site; the search page loads them from here."""
LISTING = f"{BUNDLE}/indexes.json"
"""The folders of the indexes under ``pagefind/`` (``""`` for one index of the whole site)."""
RUNTIME = re.compile(r"pagefind(-worker)?\.js|wasm\.[a-z0-9_-]+\.pagefind")
"""Pagefind's browser code and WebAssembly, the same in every bundle: the search page imports
them from the first index's folder, and the indexes merged into it are read with that copy."""
UNUSED = re.compile(r"pagefind-((component-|modular-)?ui\.(js|css)|highlight\.js)|wasm\.unknown\.pagefind")
"""What Pagefind writes that the search page never loads: its ready-made interfaces (the page has
its own, which can sort), its highlighter, and the WebAssembly for pages of no language (every
page is indexed in the site's language)."""
INDEXED_PAGES_PER_SITE = 2_000
"""Above this many pages to index, one index per year: one index is faster to load and
rank, and makes under 3 s here."""
MARK = b"data-pagefind-body"
YEAR = re.compile(r"\d{4}/")

Pages = list[tuple[str, bytes]]
Made = dict[str, tuple[str, dict[str, bytes]]]
"""Index folder -> (digest of the pages it was made from, its bundle files by bundle path)."""


def plan(files: dict[str, bytes]) -> dict[str, Pages]:
    """The pages of each index, by its folder under ``pagefind/``: ``""`` for the whole site,
    or ``"2024/"``, one per year of the pages marked for indexing (their site path begins
    with the year), and ``"other/"`` for marked pages outside the years."""
    pages = sorted((path, data) for path, data in files.items() if path.endswith(".html") and path != "404.html")
    marked = [(path, data) for path, data in pages if MARK in data]
    if len(marked) <= INDEXED_PAGES_PER_SITE:
        return {"": pages}  # all of them: with no page marked, Pagefind indexes whole pages
    indexes: dict[str, Pages] = {}
    for path, data in marked:
        folder = path[:5] if YEAR.match(path) else "other/"
        indexes.setdefault(folder, []).append((path, data))
    return indexes


def fingerprint(pages: Pages, language: str) -> str:
    """A digest of exactly what an index is made from: equal digests give an identical bundle."""
    digest = hashlib.blake2b(language.encode() + b"\0" + UNUSED.pattern.encode() + b"\0")  # what a bundle keeps
    for path, data in pages:
        digest.update(path.encode() + b"\0" + hashlib.blake2b(data).digest())
    return digest.hexdigest()


def make_indexes(files: dict[str, bytes], language: str, last: Made | None = None, jobs: int = 1) -> Made:
    """The Pagefind indexes of the site's HTML pages (``plan``), each by its folder. Those whose
    pages are the pages of an index of ``last`` are that index; ``jobs`` indexers run at once."""
    last = last or {}
    indexes: Made = {}
    todo: dict[str, tuple[bytes, Pages]] = {}
    for folder, pages in plan(files).items():
        digest = fingerprint(pages, language)
        if folder in last and last[folder][0] == digest:
            indexes[folder] = last[folder]
        else:
            todo[folder] = (digest, pages)
    with ThreadPoolExecutor(max(1, min(jobs, len(todo)))) as pool:  # each thread waits on its indexer
        for folder, bundle in zip(todo, pool.map(lambda folder: _bundle(todo[folder][1], language), todo)):
            indexes[folder] = (todo[folder][0], bundle)
    return dict(sorted(indexes.items()))


def site_files(indexes: Made) -> dict[str, bytes]:
    """The files of the indexes by site path: each bundle in its folder under ``pagefind/``, the
    runtime only in the first (the one the search page imports), and the listing."""
    first = min(indexes)
    files = {f"{BUNDLE}/{folder}{name}": data for folder, (_, bundle) in indexes.items()
             for name, data in bundle.items() if folder == first or not RUNTIME.fullmatch(name)}
    files[LISTING] = json.dumps(list(indexes)).encode()
    return files


def _bundle(pages: Pages, language: str) -> dict[str, bytes]:
    """Pagefind's bundle for ``pages``, by path inside the bundle."""
    try:
        with tempfile.TemporaryDirectory(prefix="timeline-search-") as tmp:
            return _index(pages, language, Path(tmp))
    except OSError as exc:  # the scratch copy could not be written or read (disk full…)
        raise BuildError([Problem("(search index)", 0, f"cannot make the search index: {exc.strerror or exc}")]) \
            from None


def _index(pages: Pages, language: str, tmp: Path) -> dict[str, bytes]:
    """Copy the pages into ``tmp``, run Pagefind there, and read its bundle back."""
    site = tmp / "site"
    made: set[Path] = set()
    for path, data in pages:
        target = site / path
        if target.parent not in made:  # one mkdir per folder: each costs ~0.4 ms here
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(data)
    out = tmp / BUNDLE
    command = [str(pagefind_bin.get_executable()), "--site", str(site), "--output-path", str(out),
               "--force-language", language.split("-")[0].lower(), "--quiet"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError([Problem("(search index)", 0, f"Pagefind could not run: {exc}")]) from None
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no message"]
        raise BuildError([Problem("(search index)", 0, f"Pagefind failed: {reason[0]}")])
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not UNUSED.fullmatch(p.relative_to(out).as_posix())}
