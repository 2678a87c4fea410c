"""Load: every seed file -> an Entry. The only step that reads ``seeds/``.

A new input format is one function in ``READERS``, keyed by file suffix.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import multiprocessing
import os
import re
import stat
from concurrent.futures import ProcessPoolExecutor
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.digest import content_digest, generator_identity
from generator.errors import BuildError, Problem, problem
from generator.markup import MarkdownConverter, pathological, plain_text
from generator.metadata import Meta, Split, parse_meta, split_front_matter
from generator.model import Entry, Tag, pack_html
from generator.plaintext import parse_wire
from generator.processes import can_fork
from generator.progress import Progress, quiet
from generator.prose import headline, split_sentences, summarise
from generator.registry import REGISTRY_FILE, Registry, load_registry
from generator.slugs import MAX_SLUG_LENGTH, slug_from_filename, slug_from_title, slugify, windows_reserved

MAX_SEED_BYTES = 1024 * 1024
# Editor and system leftovers that are never content (G8): hidden or ``_`` names (``.#a.md``,
# ``.DS_Store``), backups (``a.md~``, ``#a.md#``) and swap files (``a.md.swp``). README documents it.
_EDITOR_SUFFIXES = (".swp", ".swo", ".swx", ".tmp", ".bak", ".orig", ".rej", "~")


def _ignored_name(name: str) -> bool:
    """Hidden files (``.x``, ``_x``) and editors' swap, backup and autosave files (``#x#``): never
    seeds. String tests, not a regular expression: this is asked for each of 10,000 seeds."""
    return name.startswith((".", "_")) or name.lower().endswith(_EDITOR_SUFFIXES) \
        or (len(name) > 1 and name[0] == name[-1] == "#")


def _suffix(name: str) -> str:
    """``os.path.splitext(name)[1].lower()`` for a name that does not start with a dot."""
    stem, dot, suffix = name.rpartition(".")
    return f".{suffix.lower()}" if dot and stem else ""


_DAY = re.compile(r"\A\d{2}\Z", re.ASCII)
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)


@dataclass(frozen=True)
class Loaded:
    """What the load step found in the seeds folder."""

    entries: tuple[Entry, ...]
    warnings: tuple[Problem, ...]
    """Things worth fixing that do not stop the build (errors with ``--strict``)."""
    ignored: tuple[str, ...]
    """Files skipped by rule (editor leftovers, other suffixes), for ``--verbose``."""
    registry: Registry
    """The actors and places the entries were resolved against."""
    fingerprints: tuple[bytes, ...] = ()
    """For each entry, a digest of everything it was parsed from (its file's name and text,
    the actors file, this generator): equal fingerprints mean equal entries, which lets
    render digest an entry without serialising it (``Digester.remember``)."""


PARALLEL_THRESHOLD = 300
"""Below this many seeds to parse, starting worker processes costs more than it saves."""


def load_entries(seeds_dir: Path, converter: MarkdownConverter | None = None, cache: dict | None = None,
                 jobs: int = 1, progress: Progress = quiet, known: Mapping[str, bytes] | None = None) -> Loaded:
    """Read every seed under ``seeds_dir``; raise one BuildError listing every bad file.

    ``cache`` (kept by the caller between builds: in memory by ``timeline serve``, on
    disk by ``timeline build``) maps a seed's path, bytes and the actors file to its
    parsed entry, so only changed seeds are parsed again; it is pruned to this build's
    seeds. ``known`` gives the digest of seed files' bytes where the caller already
    knows it (``cache.inputs_digest``): a seed whose entry is then in the cache is not
    read at all. With ``jobs`` > 1, many seeds to parse are parsed in that many processes.
    ``converter``: None to make one only if a seed is to be parsed here (25 ms: a rebuild
    after a template edit parses none).
    """
    if not seeds_dir.is_dir():
        raise BuildError([problem(seeds_dir, 1, "seeds folder not found")])
    errors: list[Problem] = []
    try:
        registry = load_registry(seeds_dir)
    except BuildError as exc:  # report it with the seeds' own problems, checking names against nothing
        errors.extend(exc.problems)
        registry = Registry()
    ignored: list[str] = []
    found: list[tuple[str, str, tuple | None, object]] = []
    # (name, path, cache key, parsed entry or text to parse), or (name, path, None, None): read it when parsing
    known = known or {}
    folder = str(seeds_dir)

    def key_of(name: str, digest: bytes) -> tuple:  # what a parsed seed is cached under
        return name, folder, digest, registry.fingerprint

    for name, path in _seed_files(seeds_dir, errors, ignored):  # str paths: a Path each costs 0.15 s
        digest = known.get(path)
        key = key_of(name, digest) if digest and cache else None
        hit = cache.get(key) if key is not None else None
        if hit is not None:
            found.append((name, path, key, hit))
        elif digest is not None:  # a cold build: the process that parses it reads it
            found.append((name, path, None, None))
        else:  # its digest is unknown: read it here to look it up
            try:
                text, digest = _text_and_digest(Path(path))
            except BuildError as exc:
                errors.extend(exc.problems)
                continue
            key = key_of(name, digest)
            hit = cache.get(key) if cache is not None else None
            found.append((name, path, key, hit if hit is not None else text))
    identity = generator_identity()
    misses = [(path, value) for _, path, key, value in found if key is None or isinstance(value, str)]
    parsed = dict(zip((p for p, _ in misses), _parse_all(misses, seeds_dir, converter, registry, jobs, progress)))
    entries: list[Entry] = []
    fingerprints: list[bytes] = []
    warnings: list[Problem] = []
    used: dict = {}
    for name, path, key, value in found:
        if key is None or isinstance(value, str):
            value, digest = parsed[path]
            if isinstance(value, BuildError):
                errors.extend(value.problems)
                continue
            key = key or key_of(name, digest)
            # Kept with the entry: made once per parse, not for each of 10,000 seeds at each build.
            value = (*value, hashlib.blake2b(identity + repr(key).encode(), digest_size=16).digest())
        used[key] = value  # the entry, its warnings and its fingerprint
        entries.append(value[0])
        warnings.extend(value[1])
        fingerprints.append(value[2])
    if cache is not None:
        cache.clear()
        cache.update(used)
    if errors:
        raise BuildError(errors)
    return Loaded(tuple(entries), tuple(warnings), tuple(sorted(i for i in ignored if i != REGISTRY_FILE)), registry,
                  tuple(fingerprints))


def _parse_all(items: list[tuple[str, str | None]], root: Path, converter: MarkdownConverter | None, registry: Registry,
               jobs: int, progress: Progress = quiet) -> list:
    """Parse (path, text or None to read it) pairs in order, in worker processes when there are many."""
    parallel = jobs > 1 and len(items) >= PARALLEL_THRESHOLD
    # Batches of about a hundred: no worker idles long at the end (the last batch runs alone),
    # the progress bar moves, and each batch's trip between processes still costs little.
    size = max(50, -(-len(items) // (jobs * 50))) if parallel else 500
    batches = [items[i:i + size] for i in range(0, len(items), size)]
    parsed: list = []
    if not parallel:
        converter = converter or (MarkdownConverter() if items else None)
        for batch in batches:
            parsed += _parse_batch(batch, root, registry, converter)
            progress("parse", len(parsed), len(items))
        return parsed
    # Forked workers start at once with the modules already imported; "spawn" starts clean
    # interpreters, which is safe even from the preview's threads.
    context = multiprocessing.get_context("fork" if can_fork() else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for batch in pool.map(_parse_batch, batches, [root] * len(batches), [registry] * len(batches)):
            parsed += batch
            progress("parse", len(parsed), len(items))
    return parsed


def _parse_batch(items: list[tuple[str, str | None]], root: Path, registry: Registry,
                 converter: MarkdownConverter | None = None) -> list:
    """Parse seeds, reading those given without text: (entry and warnings, digest of the
    bytes read or None) each. A seed's BuildError is returned in its place so one bad file
    stops nothing. Reading here, in the worker, spares the main process 10,000 reads and
    holding every seed's text at once (55 MB) on a cold build."""
    converter = converter or MarkdownConverter()
    out: list = []
    for path, text in items:
        digest = None
        try:
            if text is None:
                text, digest = _text_and_digest(Path(path))
            out.append((parse_seed(Path(path), root, text, converter, registry), digest))
        except BuildError as exc:
            out.append((exc, digest))
    return out


def _seed_files(root: Path, errors: list[Problem], ignored: list[str]) -> list[tuple[str, str]]:
    """(name in the seeds folder, path) of every seed file, in a stable order; symlinks, unreadable
    folders and odd files are errors (G1, G2, G6).

    One ``scandir`` per folder, whose entries know their own type: a stat call per seed
    (what pathlib's checks make) costs half a second for 10,000 seeds."""
    found: list[tuple[str, str]] = []
    pending = [(str(root), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as listing:
                items = sorted(listing, key=lambda item: item.name)
        except OSError as exc:  # reported, never skipped in silence
            errors.append(problem(Path(exc.filename or folder), 1, f"cannot read folder: {exc.strerror or exc}"))
            continue
        for item in items:
            name, rel = item.name, prefix + item.name
            if item.is_dir():  # follows a symlink, to report it
                if _ignored_name(name):
                    continue
                if item.is_symlink():
                    errors.append(problem(Path(item.path), 1, "symlink not allowed in the seeds folder"))
                elif os.path.splitext(name)[1].lower() in READERS:
                    errors.append(problem(Path(item.path), 1, "a folder named like a seed file; rename it"))
                else:
                    pending.append((item.path, rel + "/"))
            elif _ignored_name(name) or _suffix(name) not in READERS:
                ignored.append(rel)
            elif item.is_symlink():
                errors.append(problem(Path(item.path), 1, "symlink not allowed in the seeds folder"))
            elif not _is_regular(item):
                errors.append(problem(Path(item.path), 1, "not a regular file (a pipe, socket or device)"))
            else:
                found.append((rel, item.path))
    return sorted(found)


def _is_regular(item: os.DirEntry) -> bool:
    if item.is_file(follow_symlinks=False):  # known from the listing: no system call
        return True
    try:
        return stat.S_ISREG(item.stat(follow_symlinks=False).st_mode)
    except OSError:
        return True  # gone or unreadable: reading it reports why, naming the file


def _text_and_digest(path: Path) -> tuple[str, bytes]:
    """A seed's text (``read_text``) and the digest of its bytes, the cache's key."""
    data = _read_bounded(path)
    return _decode(path, data), content_digest(data)


def read_text(path: Path) -> str:
    """Bytes -> text with LF newlines; refuses what is not UTF-8 text, naming the line."""
    return _decode(path, _read_bounded(path))


def _decode(path: Path, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BuildError([problem(path, 1, "UTF-16 is not supported; save the file as UTF-8")])
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise BuildError([problem(path, line, "binary file (contains NUL bytes), not a text article")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BuildError([problem(path, line,
                                  f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                                  "save the file as UTF-8")]) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise BuildError([problem(path, 1, "empty article")])
    return text


def _read_bounded(path: Path) -> bytes:
    """A regular file's bytes, refusing links, pipes and files over the size cap without reading them whole.

    O_NOFOLLOW and O_NONBLOCK: a file swapped for a symlink or a FIFO since the walk
    is refused rather than followed or waited on forever (G1, G6).
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        reason = "symlink not allowed in the seeds folder" if exc.errno == errno.ELOOP else \
            f"cannot read: {exc.strerror or exc}"
        raise BuildError([problem(path, 1, reason)]) from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise BuildError([problem(path, 1, "not a regular file")])
        if info.st_size > MAX_SEED_BYTES:
            raise BuildError([problem(path, 1, f"too large: {info.st_size // 1024} KB "
                                               f"(the limit is {MAX_SEED_BYTES // 1024} KB)")])
        try:
            data = file.read(MAX_SEED_BYTES + 1)  # a file growing while read is still capped
        except OSError as exc:
            raise BuildError([problem(path, 1, f"cannot read: {exc.strerror or exc}")]) from None
    if len(data) > MAX_SEED_BYTES:
        raise BuildError([problem(path, 1, f"too large: over {MAX_SEED_BYTES // 1024} KB")])
    return data


def read_seed(path: Path, root: Path, converter: MarkdownConverter,
              registry: Registry | None = None) -> tuple[Entry, list[Problem]]:
    """One seed file -> (Entry, warnings); without a registry, names are kept as written."""
    return parse_seed(path, root, read_text(path), converter, registry or Registry())


def parse_seed(path: Path, root: Path, text: str, converter: MarkdownConverter,
               registry: Registry) -> tuple[Entry, list[Problem]]:
    """A seed's text -> (Entry, warnings)."""
    split = split_front_matter(path, text)
    meta, warnings = parse_meta(path, split)
    reader = READERS[path.suffix.lower()]
    try:
        derived = reader(path, split, meta, converter)
    except RecursionError:  # Python-Markdown recurses once per level of nesting (G4)
        raise BuildError([problem(path, split.body_line, "lists or quotes nested too deeply to convert; "
                                                         "flatten the deepest ones")]) from None
    if not meta.sources:
        warnings.append(problem(path, 1, "no sources: every entry should cite at least one report"))
    entry = _entry(path, root, meta, derived, registry)
    lines = meta.lines or {}
    for name in [entry.path] + [tag.path for tag in entry.tags]:
        folder = name.rstrip("/").rsplit("/", 1)[-1]
        if windows_reserved(folder):
            warnings.append(problem(path, lines.get("slug" if name == entry.path else "tags", 1),
                                    f"the folder {name} cannot be made on Windows ({folder!r} is reserved there); "
                                    "choose another name"))
    return entry, warnings


@dataclass(frozen=True)
class Derived:
    """What a reader found in the file itself, before front matter and the registry are applied."""

    title: str
    date: dt.date | None
    summary: str
    body_html: str
    headings: tuple


def _entry(path: Path, root: Path, meta: Meta, derived: Derived, registry: Registry) -> Entry:
    """Merge front matter (which wins) over what the reader derived; name, tag and link the entry."""
    title = meta.title or derived.title
    slug = meta.slug or slug_from_filename(path.stem) or slug_from_title(title)
    errors: list[Problem] = []
    lines = meta.lines or {}
    if not slug:
        errors.append(problem(path, 1, "cannot make a URL slug from the file name or title; add 'slug: some-name'"))
    elif len(slug) > MAX_SLUG_LENGTH:  # a path segment must stay far below 255 bytes (F5)
        errors.append(problem(path, lines.get("slug", 1),
                              f"slug is {len(slug)} characters long; at most {MAX_SLUG_LENGTH}"))
    elif meta.month_only and _DAY.match(slug):  # YYYY/MM/DD/ is that day's folder (F4)
        errors.append(problem(path, lines.get("slug", 1),
                              f"slug {slug!r} of a month-only entry would take the folder of a day; "
                              "choose a slug that is not a day number"))
    actors, places = [], []
    for key, names, resolve, found in (("actors", meta.actors, registry.actor, actors),
                                       ("places", meta.places, registry.place, places)):
        for i, name in enumerate(names):
            try:
                found.append(resolve(name))
            except ValueError as exc:
                errors.append(problem(path, lines.get(f"{key}[{i}]", lines.get(key, 1)), str(exc)))
    tags = []
    for i, name in enumerate(meta.tags):
        tag_slug = slugify(name)
        if not tag_slug:
            errors.append(problem(path, lines.get(f"tags[{i}]", lines.get("tags", 1)),
                                  f"tag {name!r} has no letters or digits to make a URL from"))
        tags.append(Tag(name=name, slug=tag_slug))
    if errors:
        raise BuildError(errors)
    summary = meta.summary or derived.summary
    if meta.detect:
        text = " ".join((title, summary, plain_text(derived.body_html)))
        actors += registry.actor_finder.find(text)
        places += registry.place_finder.find(text)
    return Entry(
        date=meta.date or derived.date,
        time=meta.time,
        month_only=meta.month_only,
        date_display=meta.date_display or "",
        title=title,
        slug=slug,
        summary=summary,
        body=pack_html(derived.body_html),
        headings=derived.headings,
        source_path=path.relative_to(root).as_posix(),
        tags=tuple(dict.fromkeys(tags)),
        actors=tuple(dict.fromkeys(actors)),
        places=tuple(dict.fromkeys(places)),
        sources=meta.sources,
        updated=meta.updated,
        update_note=meta.update_note or "",
        draft=meta.draft,
        summary_in_body=not meta.summary,
    )


def read_markdown(path: Path, split: Split, meta: Meta, converter: MarkdownConverter) -> Derived:
    """Markdown with YAML front matter; ``title`` and ``date`` are required."""
    if split.yaml_text is None:
        raise BuildError([problem(path, 1, "no front matter: a Markdown seed starts with '---' and gives title and date")])
    missing = [key for key in ("title", "date") if getattr(meta, key) is None]
    if missing:
        raise BuildError([problem(path, 1, f"missing required front matter key {key!r}") for key in missing])
    found = pathological(split.body, split.body_line)
    if found is not None:
        raise BuildError([problem(path, *found)])
    body_html, headings = converter.convert(split.body)
    summary = meta.summary or ""
    if not summary:
        first = _FIRST_PARAGRAPH.search(body_html)
        summary = summarise(split_sentences(plain_text(first.group(1)))) if first else ""
    return Derived(title=meta.title or "", date=meta.date, summary=summary, body_html=body_html, headings=headings)


def read_wire(path: Path, split: Split, meta: Meta, converter: MarkdownConverter) -> Derived:
    """The news-wire plain-text shape; optional front matter wins over what is derived."""
    article = parse_wire(path, split.body, split.body_line)
    if not article.lede_sentences and meta.title is None:
        raise BuildError([problem(path, article.date_line, "no sentence to make a title from; add 'title:' front matter")])
    derived_title = headline(article.lede_sentences[0]) if article.lede_sentences else ""
    return Derived(title=derived_title, date=article.date, summary=summarise(list(article.lede_sentences)),
                   body_html=article.body_html, headings=article.headings)


READERS: dict[str, Callable[[Path, Split, Meta, MarkdownConverter], Derived]] = {
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".txt": read_wire,
}


def load_static(static_dir: Path) -> dict[str, bytes]:
    """The files of ``static/`` by site path; hidden files skipped, symlinks refused."""
    files: dict[str, bytes] = {}
    if not static_dir.is_dir():
        return files
    errors = []
    for folder, dirs, names in os.walk(static_dir, followlinks=False):
        base = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names) + [d for d in dirs if (base / d).is_symlink()]:
            path = base / name
            if name.startswith("."):
                continue
            if path.is_symlink():
                errors.append(problem(path, 1, "symlink not allowed in the static folder"))
                continue
            files[path.relative_to(static_dir).as_posix()] = path.read_bytes()
    if errors:
        raise BuildError(errors)
    return files
