"""Files: what is in the seeds and static folders, and a seed file's bytes as text.

Reading is strict: symlinks, pipes, devices, huge files and text that is not UTF-8 are
refused with the file named, never skipped in silence (G1, G2, G6).
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.errors import BuildError, Problem, problem

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



def seed_files(root: Path, suffixes: Container[str], errors: list[Problem],
               ignored: list[str]) -> list[tuple[str, str]]:
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
                elif os.path.splitext(name)[1].lower() in suffixes:
                    errors.append(problem(Path(item.path), 1, "a folder named like a seed file; rename it"))
                else:
                    pending.append((item.path, rel + "/"))
            elif _ignored_name(name) or _suffix(name) not in suffixes:
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


def read_text(path: Path) -> str:
    """Bytes -> text with LF newlines; refuses what is not UTF-8 text, naming the line."""
    return decode(path, read_bounded(path))


def decode(path: Path, data: bytes) -> str:
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


def read_bounded(path: Path) -> bytes:
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


def content_digest(data: bytes) -> str:
    """The digest of a file's bytes, which keys the parse cache."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


SETTLED_NS = 2_000_000_000
"""A signature is kept only for a file unchanged this long before it was taken: one written
again within the clock's resolution could otherwise keep its signature (git's "racy" files)."""


@dataclass(frozen=True)
class Inputs:
    """What ``inputs_digest`` found."""

    digest: str
    """Of every input's path and bytes, and the build's settings."""
    contents: dict[str, str]
    """File path -> digest of its bytes (``content_digest``), for every regular input file."""
    signatures: dict[str, list]
    """File path -> [size, mtime_ns, ctime_ns, inode, content digest], for the next build's ``known``."""


def inputs_digest(folders: Iterable[Path], files: Iterable[Path], settings: str,
                  known: Mapping[str, list] | None = None) -> Inputs:
    """A digest of every file a build reads, by path and bytes, and of its settings.

    Unlike modification times alone, bytes cannot be fooled by a checkout or a copy:
    equal digests mean the build would make exactly the same site. A file whose
    signature is as in ``known`` (the last build's) is not read again: reading and
    hashing 10,000 seeds takes a quarter of a second.
    """
    known = known or {}
    settled = time.time_ns() - SETTLED_NS
    contents: dict[str, str] = {}
    signatures: dict[str, list] = {}
    h = hashlib.blake2b(settings.encode())

    def feed(path: str) -> None:  # strings: pathlib costs 0.1 s per 10,000 files
        h.update(b"\0file:" + os.fsencode(path) + b"\0")
        try:
            st = os.stat(path, follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode):
                h.update(b"link:" + os.fsencode(os.readlink(path)))
            elif stat.S_ISREG(st.st_mode):
                signature = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
                memo = known.get(path)
                if isinstance(memo, list) and memo[:4] == signature and isinstance(memo[4], str):
                    digest = memo[4]
                else:
                    with open(path, "rb") as handle:
                        digest = content_digest(handle.read())
                contents[path] = digest
                if max(st.st_mtime_ns, st.st_ctime_ns) < settled:
                    signatures[path] = [*signature, digest]
                h.update(b"%d:" % st.st_size + digest.encode())
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
    return Inputs(h.hexdigest(), contents, signatures)


