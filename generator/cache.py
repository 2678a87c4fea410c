"""The on-disk cache of the command line, kept between runs in ``.timeline-cache/``: parsed seeds
(``store-*.pickle``), where each entry's part of each data file is in the last build's
files (``layouts.pickle``, checked against those files), the last search indexes
(``search-*.pickle``, one per index), the manifest of the last build: a digest of its
inputs, the stat data of every file it wrote and the digest of what made each page
(``manifest.pickle``, small, so that a build with nothing to do reads only it), the site
before last (``spare-site/``), which the next build updates and swaps in
(``write.write_site``), and Jinja2's compiled templates (``templates/``, checked against
each template's source).

Content-addressed: an entry is reused only for the same file path, the same text, the
same actors file, and the same versions of this generator and of the libraries that
shape its output. A cache that is missing, corrupt, truncated or written by another
version is ignored and rebuilt, never trusted: the build is the same without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import tempfile
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.digest import content_digest, generator_identity

MANIFEST_FILE = "manifest.pickle"
LAYOUTS_FILE = "layouts.pickle"
SPARE_FOLDER = "spare-site"
COMPILED_FOLDER = "templates"
MAGIC = b"timeline-cache\n"


def load(folder: Path, name: str) -> dict:
    """The data saved as ``name``, or {} when it is missing, corrupt or from another version."""
    try:
        data = (folder / name).read_bytes()
    except OSError:
        return {}
    head = _head()
    if not data.startswith(head) or len(data) < len(head) + CHECKSUM:
        return {}
    payload = memoryview(data)[len(head):-CHECKSUM]
    if zlib.crc32(payload).to_bytes(CHECKSUM, "big") != data[-CHECKSUM:]:
        return {}  # truncated or corrupt
    try:
        data = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - any unreadable cache is simply rebuilt
        return {}
    return data if isinstance(data, dict) else {}


def save(folder: Path, data: dict, name: str) -> None:
    """Write the cache atomically; a cache that cannot be written is skipped, never an error.

    The pickle streams to the file through a checksum, written last: no copy of the
    whole payload (60 MB for 10,000 entries) is ever held in memory."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(_head())
            checking = _ChecksumWriter(handle)
            pickle.dump(data, checking, protocol=pickle.HIGHEST_PROTOCOL)
            handle.write(checking.crc.to_bytes(CHECKSUM, "big"))
        os.replace(tmp, folder / name)
    except OSError:
        pass


SHARDS = 32
"""The parsed seeds are kept in this many files, each named by a digest of its keys: a
one-entry edit rewrites the one or two files whose keys changed, not 60 MB (10,000
entries), and an unchanged file is never written again."""
STORED = ("entries",)


def load_store(folder: Path) -> dict:
    """``entries`` from every readable shard, ``search`` (the indexes, by folder), and
    ``shards``: each shard file read, by name, with its keys (for ``save_store``).

    Shards are merged: their keys are content digests, so a stale shard left by a killed
    save adds entries that are simply never looked up."""
    store: dict = {kind: {} for kind in STORED}
    store["search"] = {}
    store["shards"] = {}
    for path in sorted(_glob(folder, "store-")):
        part = load(folder, path.name)
        if all(isinstance(part.get(kind), dict) for kind in STORED):
            for kind in STORED:
                store[kind].update(part[kind])
            store["shards"][path.name] = _keys(part)
    for path in _glob(folder, "search-"):
        index = load(folder, path.name).get("search")
        if isinstance(index, tuple) and len(index) == 3:  # (folder, digest of its pages, bundle)
            store["search"][index[0]] = index[1:]
    return store


def save_store(folder: Path, entries: dict, search: dict, shards_on_disk: dict | None = None) -> None:
    """Save what ``load_store`` reads, writing only the shards whose keys changed from
    ``shards_on_disk`` (``load_store``'s ``shards``)."""
    shards: list[dict] = [{kind: {} for kind in STORED} for _ in range(SHARDS)]
    for key, value in entries.items():
        shards[_shard(key)]["entries"][key] = value
    unchanged = {(int(name.split("-")[1]), keys): name for name, keys in (shards_on_disk or {}).items()}
    wanted = set()
    for index, shard in enumerate(shards):
        name = unchanged.get((index, _keys(shard)))
        if name is None or not (folder / name).is_file():
            keys = hashlib.blake2b(_head() + repr([sorted(shard[kind]) for kind in STORED]).encode(), digest_size=12)
            name = f"store-{index:02d}-{keys.hexdigest()}.pickle"
            if not (folder / name).is_file():
                save(folder, shard, name)
        wanted.add(name)
    for index, (digest, bundle) in search.items():  # by folder: (digest of the indexed pages, bundle)
        name = f"search-{hashlib.blake2b(_head() + index.encode() + digest, digest_size=12).hexdigest()}.pickle"
        if not (folder / name).is_file():
            save(folder, {"search": (index, digest, bundle)}, name)
        wanted.add(name)
    for path in [*_glob(folder, "store-"), *_glob(folder, "search-"), folder / "entries.pickle"]:
        if path.name not in wanted:
            with contextlib.suppress(OSError):
                path.unlink()  # a replaced shard, or the single file of older versions


def _keys(shard: dict) -> tuple[frozenset, ...]:
    return tuple(frozenset(shard[kind]) for kind in STORED)


def _shard(key: tuple) -> int:
    """Which shard keeps ``key``: by its first byte of content digest (every key has one)."""
    return next(part for part in key if isinstance(part, bytes))[0] % SHARDS


def _glob(folder: Path, prefix: str) -> list[Path]:
    try:
        return [folder / name for name in os.listdir(folder) if name.startswith(prefix) and name.endswith(".pickle")]
    except OSError:
        return []


CHECKSUM = 4
"""Bytes of the CRC-32 that ends every cache file. It catches truncation and damage, as in
zip and PNG; a cryptographic hash would add nothing (a cache file is as trusted as the
seeds beside it) and costs four times as long: 0.07 s for the 60 MB of 10,000 entries."""


def _head() -> bytes:
    return MAGIC + hashlib.blake2b(generator_identity()).digest()


class _ChecksumWriter:
    """A file-like ``write`` that keeps the CRC-32 of what it passes on."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.crc = 0

    def write(self, chunk) -> int:
        self.crc = zlib.crc32(chunk, self.crc)
        return self.handle.write(chunk)


Signature = tuple[int, int, int, int]
"""A file's size, modification and change times (ns) and inode: what says it was not
written since, without reading it (as git's index does)."""
SETTLED_NS = 2_000_000_000
"""A signature is kept only for a file unchanged this long before it was taken: one written
again within the clock's resolution could otherwise keep its signature (git's "racy" files)."""


@dataclass(frozen=True)
class Inputs:
    """What ``inputs_digest`` found."""

    digest: bytes
    """Of every input's path and bytes, and the build's settings."""
    contents: dict[str, bytes]
    """File path -> digest of its bytes (``content_digest``), for every regular input file."""
    signatures: dict[str, tuple[Signature, bytes]]
    """File path -> signature and content digest, for the next build's ``known``."""


def inputs_digest(folders: Iterable[Path], files: Iterable[Path], settings: str,
                  known: Mapping[str, tuple[Signature, bytes]] | None = None) -> Inputs:
    """A digest of every file a build reads, by path and bytes, and of its settings.

    Unlike modification times alone, bytes cannot be fooled by a checkout or a copy:
    equal digests mean the build would make exactly the same site. A file whose
    signature is as in ``known`` (the last build's) is not read again: reading and
    hashing 10,000 seeds takes a quarter of a second.
    """
    known = known or {}
    settled = time.time_ns() - SETTLED_NS
    contents: dict[str, bytes] = {}
    signatures: dict[str, tuple[Signature, bytes]] = {}
    h = hashlib.blake2b(generator_identity() + settings.encode())

    def feed(path: str) -> None:  # strings: pathlib costs 0.1 s per 10,000 files
        h.update(b"\0file:" + os.fsencode(path) + b"\0")
        try:
            st = os.stat(path, follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode):
                h.update(b"link:" + os.fsencode(os.readlink(path)))
            elif stat.S_ISREG(st.st_mode):
                signature = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                memo = known.get(path)
                if memo is not None and memo[0] == signature:
                    digest = memo[1]
                else:
                    with open(path, "rb") as handle:
                        digest = content_digest(handle.read())
                contents[path] = digest
                if max(st.st_mtime_ns, st.st_ctime_ns) < settled:
                    signatures[path] = (signature, digest)
                h.update(b"%d:" % st.st_size + digest)
            else:  # a FIFO or device is never read (it could block): the build reports it
                h.update(b"mode:%o" % st.st_mode)
        except OSError as exc:  # unreadable now: the build will say so; the digest just differs
            h.update(f"error:{exc.errno}".encode())

    for folder in folders:
        h.update(b"\0folder:" + os.fsencode(folder.absolute()))
        # Unreadable folders and the folders themselves count too: the build reports an
        # unreadable folder, or a folder named like a seed, and must not be skipped.
        for root, dirs, names in os.walk(folder, onerror=lambda exc: h.update(f"error:{exc.filename}:{exc.errno}".encode())):
            dirs.sort()
            h.update(b"\0dir:" + os.fsencode(root) + b"\0" + b"/".join(os.fsencode(d) for d in dirs))
            for name in sorted(names + [d for d in dirs if os.path.islink(os.path.join(root, d))]):
                feed(os.path.join(root, name))
    for path in files:
        feed(str(path.absolute()))
    return Inputs(h.digest(), contents, signatures)


def file_stats(root: Path, names: Iterable[str]) -> dict[str, tuple[int, int, int]]:
    """{site path: (size, mtime_ns, inode)} of files as they are now in ``root``; missing ones left out."""
    stats = {}
    base = str(root) + os.sep
    for name in names:
        try:
            st = os.stat(base + name, follow_symlinks=False)
        except OSError:
            continue
        stats[name] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return stats
