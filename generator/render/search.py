"""Full-text search: Pagefind indexes of the entry pages, made as part of every build.

Pagefind (the ``pagefind[bin]`` package: a Rust indexer and a small browser client)
splits an index into fragments that the browser fetches only for a query, so the
site stays static and search costs nothing until it is used. Only elements marked
``data-pagefind-body`` (the entry articles) are indexed.

Pagefind has no incremental mode, so the site is indexed in shards, each a stretch of
time (``plan``): a site of at most ``SHARD_PAGES`` entries is one index, a larger one is
cut into years, a year too large into runs of months, a month too large into runs of
days, each run of up to ``shard_pages`` entries. An edit re-indexes the shards whose pages
changed, and nothing else: a shard is known by a digest of the render digests of its pages
(equal digests, equal pages), and one the output folder still holds as the last build wrote
it stays there, unread.
Pagefind's "multisite" search merges the shards in the browser (one copy of its
WebAssembly for all); ``pagefind/indexes.json`` lists them in time order.

The indexer runs as its command-line binary, two (or one per core) at a time, each over
a scratch folder of its shard's articles alone (``stub``): what Pagefind reads of an
entry page, the title and the marked element, not the whole page. Its Python API answers
one message per 0.1 s (it polls its pipe), a minute and a half for 1,000 pages.

The search page (``static/search.js``) is our own interface over Pagefind's JavaScript API
(``pagefind.js``): the entry pages carry the filters, metadata and sort key it reads
(``data-pagefind-*`` in ``templates/entry.html``). See docs/search.md.
"""

from __future__ import annotations

import errno
import hashlib
import importlib.metadata
import json
import os
import re
import signal
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pagefind_bin

from generator.errors import BuildError, Problem

BUNDLE = "pagefind"
"""The bundles' folder in the site; the search page loads them from here."""
LISTING = f"{BUNDLE}/indexes.json"
"""The folders of the indexes under ``pagefind/``, in time order (``""`` for one index of the whole site)."""
RUNTIME = re.compile(r"pagefind(-worker)?\.js|wasm\.[a-z0-9_-]+\.pagefind")
"""Pagefind's browser code and WebAssembly, the same in every bundle: the search page imports
them from the first index's folder, and the indexes merged into it are read with that copy."""
UNUSED = re.compile(r"pagefind-((component-|modular-)?ui\.(js|css)|highlight\.js)|wasm\.unknown\.pagefind")
"""What Pagefind writes that the search page never loads: its ready-made interfaces (the page has
its own, which can sort), its highlighter, and the WebAssembly for pages of no language (every
page is indexed in the site's language)."""
SHARD_PAGES = 200
"""Entry pages of one index at most (but where one day holds more), on a site of up to ``SHARDS``
times as many: Pagefind takes about 2 ms of CPU a page, so an edit re-indexes in about 0.3 s."""
SHARDS = 4
"""A larger site has shards of twice as many pages, and again, up to ``MOST_SHARD_PAGES``: the
search page loads one word-index chunk per shard for a query, ~23 KB each past a few dozen pages
(docs/performance.md has the figures), so fewer, larger shards load less."""
MOST_SHARD_PAGES = 800
"""The largest shard: Pagefind holds about 0.22 MB a page while indexing (800 pages: ~180 MB)."""
MARK = b"data-pagefind-body"
DAY = re.compile(r"\d{4}/\d{2}/\d{2}/")
"""The start of an entry page's path; the pages that size a shard."""
VERSION = b"stub 1"
"""What a shard is made from besides its pages (how ``stub`` cuts them, what ``UNUSED`` drops)."""

Content = bytes | Iterable[bytes] | None
"""A page as rendering gives it (``write.Content``): bytes, chunks, or None where the last build's stays."""
Made = dict[str, tuple[str, tuple[str, ...]]]
"""Shard folder -> (digest of the pages it was made from, the files of its bundle); a shard
whose pages hold no marked element has no files, and ``""`` is the whole site's index."""


def plan(pages: Iterable[str]) -> dict[str, list[str]]:
    """The site paths of each shard by its folder under ``pagefind/``, in time order: ``""``
    for all pages when at most ``SHARD_PAGES`` are entry pages; else each year (``2024/``),
    consecutive years, months (``2024/03/``) or days merged while they fit, a stretch too large
    cut one level down, and ``other/`` for the pages outside the years."""
    paths = sorted(path for path in pages if path.endswith(".html") and path != "404.html")
    entries = sum(1 for path in paths if DAY.match(path))
    if entries <= SHARD_PAGES:
        return {"": paths}
    dated = [path for path in paths if re.match(r"\d{4}/", path)]
    shards = _split(dated, 0, shard_pages(entries))
    other = [path for path in paths if not re.match(r"\d{4}/", path)]
    return {**shards, "other/": other} if other else shards


def shard_pages(entries: int) -> int:
    """The entry pages of a shard at most, on a site of ``entries``: ``SHARD_PAGES``, doubled while
    the site has more than ``SHARDS`` times as many, up to ``MOST_SHARD_PAGES``. It changes only when
    the site doubles in size, so shards stay as they were between builds."""
    size = SHARD_PAGES
    while entries > SHARDS * size and size * 2 <= MOST_SHARD_PAGES:
        size *= 2
    return size


def _split(paths: list[str], depth: int, most: int) -> dict[str, list[str]]:
    """``paths`` (all under one prefix of ``depth`` dated parts) as runs of consecutive children
    (the years, months or days one level down) of at most ``most`` entry pages each; a
    child larger than that is split in turn, down to days. A page at this level (a month's own
    page) goes with the first child."""
    children: dict[str, list[str]] = {}
    for path in paths:
        parts = path.split("/")
        children.setdefault("".join(part + "/" for part in parts[:depth + 1 if len(parts) > depth + 1 else depth]),
                            []).append(path)
    shards: dict[str, list[str]] = {}
    run: list[str] = []
    name = ""
    for key in sorted(children):
        size = _weight(children[key])
        if size > most and depth < 2 and key.count("/") > depth:
            if run:
                shards[name], run = run, []
            shards.update(_split(children[key], depth + 1, most))
            continue
        if run and _weight(run) + size > most:
            shards[name], run = run, []
        if not run:
            name = key
        run += children[key]
    if run:
        shards[name] = run
    return shards


def _weight(paths: list[str]) -> int:
    return sum(1 for path in paths if DAY.match(path))


def fingerprint(paths: list[str], digests: Mapping[str, str], language: str) -> str:
    """A digest of exactly what a shard is made from: its pages' render digests (which cover
    every byte of each page), the language, Pagefind's version and this module's ``VERSION``
    and ``UNUSED``."""
    made_by = [VERSION, importlib.metadata.version("pagefind_bin").encode(), language.encode(), UNUSED.pattern.encode()]
    digest = hashlib.blake2b(b"\0".join(made_by) + b"\0")
    for path in paths:
        digest.update(f"{path}\0{digests.get(path, '')}\0".encode())
    return digest.hexdigest()


def make_indexes(files: Mapping[str, Content], digests: Mapping[str, str], kept: Mapping[str, bytes],
                 language: str, last: Made | None = None, jobs: int = 1) -> tuple[Made, dict[str, bytes | None]]:
    """The shards of the site's pages and their files by site path (None for a file left as the
    last build wrote it). ``digests``: each page's render digest; ``kept``: the last build's files
    still as it wrote them, by site path; ``last``: its shards. A shard equal to one of ``last``
    whose files are all kept is that shard; ``jobs`` indexers run at once, while the next
    shard's articles are cut."""
    last = last or {}
    made: Made = {}
    bundles: dict[str, dict[str, bytes]] = {}
    runtime: dict[str, bytes] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="timeline-search-") as scratch, \
                ThreadPoolExecutor(max(1, jobs)) as pool:
            todo: dict[str, tuple[str, Future]] = {}
            for folder, paths in plan(name for name in files if name.endswith(".html")).items():
                digest = fingerprint(paths, digests, language)
                old = last.get(folder)
                if old and old[0] == digest and all(f"{BUNDLE}/{folder}{name}" in kept for name in old[1]
                                                    if not RUNTIME.fullmatch(name)):
                    made[folder] = old
                elif _scratch(site := Path(scratch) / str(len(made) + len(todo)), paths, files, kept):
                    todo[folder] = (digest, pool.submit(_index, site, language, not todo))
                else:  # no page of it is marked
                    made[folder] = (digest, ())
            for folder, (digest, future) in todo.items():
                names, bundles[folder], found = future.result()
                made[folder] = (digest, names)
                runtime.update(found)
        if not any(names for _, names in made.values()):  # no page is marked: Pagefind indexes whole pages
            return _whole_site(files, digests, kept, language, last)
        return dict(sorted(made.items())), site_files(made, bundles, runtime, kept, language)
    except OSError as exc:  # the scratch copy could not be written or read (disk full…)
        raise BuildError([Problem("(search index)", 0, f"cannot make the search index: {exc.strerror or exc}")]) \
            from None


def _whole_site(files: Mapping[str, Content], digests: Mapping[str, str], kept: Mapping[str, bytes],
                language: str, last: Made) -> tuple[Made, dict[str, bytes | None]]:
    """One index of every page, whole: a site whose templates mark no element (made again on
    every build, as its shards are cut before it is known that nothing is marked)."""
    paths = sorted(name for name in files if name.endswith(".html") and name != "404.html")
    digest = fingerprint(paths, digests, language + " whole")
    old = last.get("")
    if old and old[0] == digest and all(f"{BUNDLE}/{name}" in kept for name in old[1]):
        return {"": old}, site_files({"": old}, {}, {}, kept, language)
    with tempfile.TemporaryDirectory(prefix="timeline-search-") as scratch:
        _scratch(Path(scratch), paths, files, kept, whole=True)
        names, bundle, runtime = _index(Path(scratch), language, True)
    return {"": (digest, names)}, site_files({"": (digest, names)}, {"": bundle}, runtime, kept, language)


def _scratch(site: Path, paths: list[str], files: Mapping[str, Content], kept: Mapping[str, bytes],
             whole: bool = False) -> int:
    """Write into ``site`` what Pagefind reads of each marked page (``stub``), or of every page
    ``whole``; how many pages were written."""
    made: set[Path] = set()
    count = 0
    for path in paths:
        data = files[path]
        data = kept[path] if data is None else data if isinstance(data, bytes) else b"".join(data)
        if not whole:
            if MARK not in data:
                continue
            data = stub(data)
        target = site / path
        if target.parent not in made:  # one mkdir per folder: each costs ~0.4 ms here
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(data)
        count += 1
    return count


OPENING = re.compile(rb"<([a-zA-Z][a-zA-Z0-9-]*)[^>]*[\s\"']data-pagefind-body[\s=/>]")
OUTSIDE = re.compile(rb"data-pagefind-|<h1[\s>]|<img[\s/>]")  # searched in the page in lower case
"""What Pagefind reads outside the marked element: marks in the head or elsewhere, the first
``h1`` (the title) and the image after it."""
TITLE = re.compile(rb"<title[\s>].*?</title\s*>", re.IGNORECASE | re.DOTALL)


def stub(page: bytes) -> bytes:
    """What Pagefind reads of a page with one marked element: its ``<title>`` (the title where
    the element has no ``h1``) and that element, the rest of the page dropped; Pagefind indexes
    it as the whole page, a third faster. The whole page where that is not sure: no single
    marked element, no end to it, or marks, an ``h1`` or an image outside it."""
    if page.count(MARK) != 1:
        return page
    opening = OPENING.search(page, page.rfind(b">", 0, page.find(MARK)) + 1)  # a match holds the mark, and no '>'
    if opening is None:
        return page
    tag = re.compile(rb"<(/?)" + re.escape(opening.group(1)) + rb"(?=[\s/>])[^>]*>", re.IGNORECASE)
    depth = 1
    for found in tag.finditer(page, opening.end()):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            start, end = opening.start(), found.end()
            break
    else:
        return page
    lower = page.lower()  # as IGNORECASE, ASCII letters only, and several times faster
    if OUTSIDE.search(lower, 0, start) or OUTSIDE.search(lower, end):
        return page
    title = TITLE.search(page, 0, start)
    return b"".join([b"<!doctype html><html><head>", title.group(0) if title else b"", b"</head><body>",
                     page[start:end], b"</body></html>"])


def _index(site: Path, language: str, runtime: bool) -> tuple[tuple[str, ...], dict[str, bytes], dict[str, bytes]]:
    """Run Pagefind over ``site``: the names of its bundle's files (less ``UNUSED``), the bytes
    of those but the runtime, and the runtime's bytes if asked for."""
    out = site.parent / f"{site.name}.{BUNDLE}"
    command = [str(pagefind_bin.get_executable()), "--site", str(site), "--output-path", str(out),
               "--force-language", language.split("-")[0].lower(), "--quiet"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError([Problem("(search index)", 0, f"Pagefind could not run: {exc}")]) from None
    if done.returncode == -signal.SIGXFSZ:  # the kernel refused a write past the file-size limit, as a full disk
        raise BuildError([Problem("(search index)", 0, f"cannot make the search index: {os.strerror(errno.EFBIG)}")])
    if done.returncode < 0:
        raise BuildError([Problem("(search index)", 0, f"Pagefind was stopped: {signal.strsignal(-done.returncode)}")])
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no message"]
        raise BuildError([Problem("(search index)", 0, f"Pagefind failed: {reason[0]}")])
    names = tuple(name for name in sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
                  if not UNUSED.fullmatch(name))
    bundle = {name: (out / name).read_bytes() for name in names if not RUNTIME.fullmatch(name)}
    return names, bundle, {name: (out / name).read_bytes() for name in names if runtime and RUNTIME.fullmatch(name)}


def _runtime(language: str) -> dict[str, bytes]:
    """Pagefind's runtime alone (the same in every bundle), from an index of one empty page."""
    with tempfile.TemporaryDirectory(prefix="timeline-search-") as scratch:
        (Path(scratch) / "site").mkdir()
        (Path(scratch) / "site" / "index.html").write_bytes(b"<!doctype html><html><body><h1>-</h1></body></html>")
        return _index(Path(scratch) / "site", language, True)[2]


def site_files(made: Made, bundles: Mapping[str, Mapping[str, bytes]], runtime: dict[str, bytes],
               kept: Mapping[str, bytes], language: str) -> dict[str, bytes | None]:
    """The files of the shards by site path: each bundle in its folder under ``pagefind/``, the
    runtime only in the first (the one the search page imports), and the listing. A bundle of
    ``bundles`` (by folder, then name) gives its bytes, any other stays as it was written; the
    runtime is ``runtime``'s (read from a shard just made), else stays where the first folder
    holds it already."""
    listed = [folder for folder, (_, names) in sorted(made.items()) if names]
    found: dict[str, bytes | None] = {}
    for folder in listed:
        for name in made[folder][1]:
            path = f"{BUNDLE}/{folder}{name}"
            if not RUNTIME.fullmatch(name):
                found[path] = bundles[folder][name] if folder in bundles else None
            elif folder == listed[0]:
                if path not in kept and name not in runtime:
                    runtime.update(_runtime(language))
                found[path] = runtime.get(name)  # a new shard's runtime, or None: the one written stays
    found[LISTING] = json.dumps(listed).encode()
    return found
