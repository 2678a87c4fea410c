"""Write: the new site -> output/, atomically. The only module that writes ``output/`` or its stage.

The new site is put in a stage (the site before last, kept in the cache folder, or a
hidden sibling folder) as its files are made, then swapped in: one atomic exchange on
Linux, else two renames. So ``output/`` is always a complete site, the old one or the new.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, NamedTuple, TypeVar

from generator.errors import BuildError, problem
from generator.processes import ahead
from generator.progress import Progress, quiet

MARKER = ".timeline-output"
"""A file in every output folder we write: we only ever replace folders that carry it."""
KEEP = ("CNAME", ".git")
"""What a site owner may put in output/ by hand that every build carries over (H6): a custom
domain's ``CNAME``, and ``.git`` for an output folder that is a checkout of a Pages branch.
(``.nojekyll`` is part of every build.)"""


def _siblings(out_dir: Path, kind: str) -> list[Path]:
    return sorted(out_dir.parent.glob(f".{out_dir.name}.{kind}-*"))


def check_output_folder(out_dir: Path) -> None:
    """Refuse an output folder we did not create, before any work is done (H5, H7)."""
    if out_dir.is_symlink():
        raise BuildError([problem(out_dir, 1, "output folder is a symlink; refusing to replace it")])
    if out_dir.exists():
        if not out_dir.is_dir():
            raise BuildError([problem(out_dir, 1, "output path exists and is not a folder")])
        if any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
            raise BuildError([problem(out_dir, 1,
                                      f"refusing to replace a non-empty folder that timeline did not create "
                                      f"(no {MARKER} file); remove it or choose another --out")])


def cannot_write(where: Path, exc: OSError) -> BuildError:
    """One located error for any refused write (disk full, file too large, no permission: H3)."""
    return BuildError([problem(where, 1, f"cannot write the site: {exc.strerror or exc}")])


def leftovers(out_dir: Path) -> list[Path]:
    """Staging or old folders of an interrupted build beside ``out_dir``."""
    return _siblings(out_dir, "old") + _siblings(out_dir, "tmp")


@contextlib.contextmanager
def one_build_at_a_time(out_dir: Path, waiting: Callable[[], None]) -> Iterator[None]:
    """Hold a lock on the output folder's parent for the whole build (H8): a second build of
    the same site waits (``waiting`` is called once) instead of racing the first. No lock
    file is left behind: the lock is on the folder itself (flock; not on Windows)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_dir.parent, os.O_RDONLY)
    except OSError as exc:
        raise cannot_write(out_dir, exc) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def recover_leftovers(out_dir: Path) -> None:
    """Clean up after a build that was killed mid-swap (H2).

    If the process died between the two renames, output/ is missing and the old
    site sits in ``.output.old-*``: put it back first, then remove staging folders.
    """
    olds = _siblings(out_dir, "old")
    if not out_dir.exists() and olds:
        os.rename(olds[-1], out_dir)
        olds = olds[:-1]
    for leftover in olds + _siblings(out_dir, "tmp"):
        shutil.rmtree(leftover, ignore_errors=True)


def safe_relative(path: str) -> PurePosixPath:
    """A site path that stays inside the output folder, or ValueError."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in path:
        raise ValueError(f"unsafe output path {path!r}")
    return pure


@dataclass(frozen=True, slots=True)
class Kept:
    """A file of the last build still in the output folder exactly as that build wrote it:
    the new site hard-links it rather than writing its bytes again. Plain strings and the
    stat data at hand, not a Path to stat: 10,000 of them cost 0.2 s as paths."""

    path: str
    """Absolute path of the file."""
    size: int
    inode: int

    def read(self) -> bytes:
        with open(self.path, "rb") as handle:
            return handle.read()


class Span(NamedTuple):
    """Bytes of the live site's file of the same name, from ``offset``: a part of a large
    data file that is as in the last build, copied from there rather than made again.
    Any (offset, length) pair is taken as one: a layout's spots are used as they are."""

    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class Joined:
    """A data file's records, in order, with ``separator`` between each two: each the record's
    bytes, a ``Span``, or None for one that ``make(index)`` makes as it is written (so that
    a cold build never holds the 60 MB of 10,000 records at once). One part for all of them,
    so that the unchanged records that follow each other in the last build's file are taken
    as one copy, in one loop."""

    items: list[bytes | tuple[int, int] | None]
    separator: bytes = b""
    make: Callable[[int], bytes] | None = None
    made: dict[int, int] = field(default_factory=dict)
    """Index -> size of each record made as it was taken."""

    def __iter__(self) -> Iterator[bytes | tuple[int, int]]:
        made, make = self.made, self.make
        for index, item in enumerate(self.items):
            if item is None:
                item = make(index)
                made[index] = len(item)
            yield item

    def sizes(self) -> Iterator[int]:
        """Each record's size, once taken."""
        made = self.made
        for index, item in enumerate(self.items):
            yield made[index] if item is None else item[1] if isinstance(item, tuple) else len(item)


Parts = Iterable[bytes | Span | Joined]
"""A file given as its parts in order, made as they are written: never joined in memory."""


@dataclass(frozen=True)
class WriteReport:
    """What a build changed in the output folder, for the summary line."""

    written: int
    """Files new or changed."""
    unchanged: int
    """Files with the same bytes as before: hard-linked from the old site instead of written again."""
    removed: int
    """Files of the old site that no longer belong (deleted or renamed entries…)."""


@dataclass(frozen=True)
class Stage:
    """The hidden folder a new site is written into before it is swapped in for ``out_dir``:
    the spare (the site before last), or a new sibling folder.

    Files can be put in it as soon as they are made, by any process of the build (forked
    render processes put their pages themselves), so that a 10,000-page site is never
    held in memory at once; ``write_site`` then completes it and swaps it in."""

    root: Path
    out_dir: Path
    spare: Path | None
    """The spare in use, when the stage is it."""
    listing: Callable[[], tuple[dict[str, int], set[str]]] | None = field(default=None, compare=False)
    """What was in the spare when the build began (``_tree``), listed by another process
    while this one builds (``processes.ahead``); None to list it when writing."""

    def discard(self) -> None:
        """Drop the stage of a build that failed: a new folder is deleted; the spare is kept,
        as any half-updated spare may be (``write_site`` checks every file it keeps)."""
        if self.listing is not None:
            self.listing()  # never leave the listing process behind
        if self.root != self.spare:
            shutil.rmtree(self.root, ignore_errors=True)

    def put(self, name: str, data: bytes | Parts) -> Kept:
        """Put a file with ``data`` (its bytes, or its parts in order, which are never joined)
        at site path ``name``: a hard link to the live site's file
        when that holds exactly these bytes (so the file stays the same one), else a new file.
        What stood there is removed first, never written through: it may be a hard link to
        a file of the live site. A refused write is a BuildError naming the file."""
        name = name if _plain(name) else safe_relative(name).as_posix()
        target, old = f"{self.root}{os.sep}{name}", f"{self.out_dir}{os.sep}{name}"
        try:
            if not isinstance(data, bytes):
                size, inode = _write_parts(target, data, old)
                return Kept(target, size, inode)
            inode = _same_file(old, data)
            if inode is not None:
                copied = _place(target, lambda: _link_or_copy(old, target))
                return Kept(target, len(data), copied or inode)
            return Kept(target, len(data), _place(target, lambda: _write(target, data)))
        except OSError as exc:  # disk full, file too large… (H3), named by the file it hit
            raise cannot_write(self.out_dir / name, exc) from None


def open_stage(out_dir: Path, spare: Path | None = None) -> Stage:
    """A stage for a new ``out_dir``, after cleaning up what an interrupted build left.
    ``spare`` (in the cache folder) is used as the stage when it can be (``write_site``)."""
    out_dir = out_dir.absolute()
    check_output_folder(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        recover_leftovers(out_dir)
        root, spare = _stage(out_dir, spare)
    except OSError as exc:
        raise cannot_write(out_dir, exc) from None
    # Listing the spare's 11,000 folders takes 80 ms of system calls, a twelfth of a one-entry
    # rebuild at 10,000 entries: another process does it meanwhile.
    return Stage(root, out_dir, spare, ahead(_tree, root) if spare is not None else None)


def write_site(files: Mapping[str, bytes | Kept], out_dir: Path, progress: Progress = quiet,
               spare: Path | None = None, current: Mapping[str, int] | None = None,
               stage: Stage | None = None) -> WriteReport:
    """Write ``files`` as the complete new content of ``out_dir``, replacing it atomically.

    A file is given as its bytes, or as an identical file of the old site (``Kept``),
    or as one already put in ``stage`` (``Stage.put``). The new site is staged beside the
    old one and swapped in; a file whose bytes did not change is hard-linked from the old
    site rather than written again, and no file is ever modified in place, so a build
    killed at any moment leaves the old or the new site whole. ``current`` gives the files
    of ``out_dir`` still as the last build wrote them, with their inodes, when the caller
    knows them (the cache's manifest); else ``out_dir`` is walked. Only these are linked
    or counted as removed.

    ``spare`` (in the cache folder) keeps the site before last after the swap: the next
    build brings it up to date and swaps it in, touching only what changed. Staging from
    nothing makes every folder again, and on ext4 creating and deleting 10,000 folders
    takes 2-3 s, more than the rest of a one-entry rebuild.
    """
    stage = stage or open_stage(out_dir, spare)
    out_dir, root = stage.out_dir, stage.root
    written = unchanged = 0
    where = ""  # the site path being written, for an error
    try:
        old = current if current is not None else _tree(out_dir)[0]
        # The spare (the site before last, or a half-updated one), listed before or while this
        # build put files in it: each file put is there now, whatever the listing saw.
        staged, folders = stage.listing() if stage.listing is not None else _tree(root)
        stage_root = str(root) + os.sep  # strings: pathlib costs 0.3 s here
        for name, data in files.items():
            if isinstance(data, Kept) and data.path == stage_root + name:
                staged[name] = data.inode
        _prune(root, staged, folders, files)
        for done, (path, data) in enumerate(sorted(files.items()), start=1):
            if done % 100 == 0 or done == len(files):
                progress("write", done, len(files))
            where = path
            name = path if _plain(path) else safe_relative(path).as_posix()
            if not isinstance(data, Kept):
                data = stage.put(name, data)
            elif staged.get(name) != data.inode:  # a file of the old site: the stage must hold this very file
                target, source = stage_root + name, data.path
                _place(target, lambda: _link_or_copy(source, target))
            if old.get(name) == data.inode:
                unchanged += 1
            else:
                written += 1
        where = MARKER
        _place(str(root / MARKER), lambda: _write(
            str(root / MARKER), b"Built by timeline. This whole folder is replaced on every build.\n"))
        for name in KEEP:
            where = name
            _keep(out_dir / name, root / name, name in files)
        os.chmod(root, 0o755)  # mkdtemp makes it 0700; a web server must be able to read it
        removed = sum(1 for name in old if name not in files and name != MARKER)
        where = ""
        _swap(root, out_dir, stage.spare)
    except OSError as exc:  # disk full, file too large, no permission… (H3): the old site stays
        shutil.rmtree(root, ignore_errors=True)
        raise cannot_write(out_dir / where if where else out_dir, exc) from None
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return WriteReport(written=written, unchanged=unchanged, removed=removed)


def _stage(out_dir: Path, spare: Path | None) -> tuple[Path, Path | None]:
    """The folder to stage the new site in: the spare when it can be swapped with ``out_dir``
    (same file system, neither inside the other), else a new hidden sibling. Returns it and
    the spare in use, if any."""
    if spare is not None and out_dir not in spare.parents and spare not in out_dir.parents and spare != out_dir:
        try:
            if spare.is_symlink() or (spare.exists() and not spare.is_dir()):
                spare.unlink()
            spare.mkdir(parents=True, exist_ok=True)
            if spare.stat().st_dev == out_dir.parent.stat().st_dev:
                return spare, spare
            shutil.rmtree(spare, ignore_errors=True)
        except OSError:
            pass
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent)), None


def _tree(root: Path) -> tuple[dict[str, int], set[str]]:
    """Every file of a site folder (site path -> inode; a symlink counts as a file) and every
    folder, leaving out what KEEP names: that is the owner's, not the site's."""
    files: dict[str, int] = {}
    folders: set[str] = set()
    pending = [("", str(root))]
    while pending:
        prefix, folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            name = prefix + entry.name
            if not prefix and entry.name in KEEP:
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.add(name)
                pending.append((name + "/", entry.path))
            else:
                files[name] = entry.inode()
    return files, folders


def _prune(stage: Path, staged: dict[str, int], folders: set[str], files: Mapping[str, object]) -> None:
    """Delete from the stage what the new site does not have (files, folders) and the KEEP
    items, which are written or linked from the live site again after."""
    needed = {parent for path in files for parent in _parents(path)}
    for name in [name for name in staged if name not in files and name != MARKER]:
        # What a file put meanwhile replaced is gone already; a folder made for one is kept (EISDIR).
        with contextlib.suppress(FileNotFoundError, NotADirectoryError, IsADirectoryError):
            os.unlink(stage / name)
        del staged[name]
    for name in sorted((name for name in folders - needed if name not in files), key=len):
        shutil.rmtree(stage / name, ignore_errors=True)
    for name in KEEP:  # made again after: generated, or linked from the live site
        _remove(stage / name)


def _parents(path: str) -> Iterator[str]:
    """'a/b/c.html' -> 'a/b', 'a'."""
    while "/" in path:
        path = path.rpartition("/")[0]
        yield path


T = TypeVar("T")


def _place(target: str, make: Callable[[], T]) -> T:
    """Put a new file at ``target`` with ``make`` and return what it returns: never written
    through what stood there (a file of an older site, which may be a hard link to the live
    site's file, or a folder), which is removed first; missing folders are made."""
    try:
        return make()
    except FileExistsError:
        _remove(Path(target))
    except (FileNotFoundError, NotADirectoryError):  # no folder, or a file where the folder goes
        _make_folder(os.path.dirname(target))
    return make()


def _make_folder(folder: str) -> None:
    """``os.makedirs``, removing a file of an older site that stands where a folder goes."""
    try:
        os.makedirs(folder, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        parent = os.path.dirname(folder)
        _make_folder(parent)
        if not os.path.isdir(folder):
            _remove(Path(folder))
        os.makedirs(folder, exist_ok=True)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.is_symlink() or path.exists():
        path.unlink()


def _keep(old: Path, new: Path, generated: bool) -> None:
    """Carry a KEEP file or folder over from the old site, hard-linked (never moved: the old
    site must stay whole until the swap). A generated file of that name wins; links are not followed."""
    if generated or old.is_symlink() or not old.exists():
        return
    if old.is_dir():
        shutil.copytree(old, new, symlinks=True, copy_function=os.link)
    else:
        _link_or_copy(old, new)


def _link_or_copy(source: str | Path, target: str | Path) -> int | None:
    """A hard link at ``target`` to ``source`` (None), or where there are no hard links a
    copy (its inode); FileExistsError when ``target`` exists: it is never written through."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:  # no hard links here
        with open(source, "rb") as old, open(target, "xb") as new:
            shutil.copyfileobj(old, new)
            return os.fstat(new.fileno()).st_ino
    return None


def _same_file(old: str, data: bytes) -> int | None:
    """The inode of ``old`` when it is a regular file with exactly these bytes, not a link; else None."""
    try:
        st = os.lstat(old)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return None
        with open(old, "rb") as handle:
            return st.st_ino if handle.read() == data else None
    except OSError:
        return None


def _write(target: str, data: bytes) -> int:
    """Write a new file (never one shared with the live site: x) and return its inode."""
    with open(target, "xb") as handle:
        handle.write(data)
        return os.fstat(handle.fileno()).st_ino


def join(parts: Parts) -> bytes:
    """A file given as parts made anew (no ``Span``), as one bytes object: the preview serves from memory."""
    return b"".join(part.separator.join(part) if isinstance(part, Joined) else part for part in parts)


def _write_parts(target: str, parts: Parts, old: str) -> tuple[int, int]:
    """Write a new file of ``parts`` as they come, copying each ``Span`` from ``old``, and
    return its size and inode. When ``old`` holds exactly these bytes, it is hard-linked in
    place of the new file instead, as ``Stage.put`` does with bytes. Only making the file
    is retried (``_place``): the parts can be taken once."""
    with _place(target, lambda: open(target, "xb", buffering=0)) as handle, _reader(old) as before:  # noqa: SIM115
        out = _Appender(handle.fileno(), before.fileno() if before is not None else None, old)
        same = before is not None
        for part in parts:
            if isinstance(part, Joined):
                same = out.records(part, same)
            elif isinstance(part, tuple):
                same = same and part[0] == out.size  # the very bytes that are there
                out.copy(part[0], part[1])
            else:
                same = same and os.pread(out.source, len(part), out.size) == part
                out.append(part, held=same)
        out.flush()
        size = out.size
        same = same and os.fstat(out.source).st_size == size
        inode = os.fstat(handle.fileno()).st_ino
    if same:
        os.unlink(target)
        inode = _link_or_copy(old, target) or os.lstat(old).st_ino
    return size, inode


class _Appender:
    """Appends bytes and ranges of the last build's file to a new file. Consecutive ranges
    (and the short separators between them that the old file holds too) are copied as one,
    in the kernel (``copy_file_range``): a one-entry edit copies each data file in a few
    calls instead of one read and one write per entry."""

    BUFFER = 1 << 20
    SEPARATOR = 64
    """Bytes up to this long that the old file holds where a range would continue extend it."""

    def __init__(self, target: int, source: int | None, source_name: str) -> None:
        self.target, self.source, self.source_name = target, source, source_name
        self.size = 0
        self.pending = bytearray()
        self.run: list[int] = []  # [start, end) of the old file, to be copied next
        self.in_kernel = hasattr(os, "copy_file_range")

    def append(self, data: bytes, held: bool = False) -> None:
        """``held``: the old file is known to hold ``data`` at this very place (it has matched
        so far), where a pending range ends."""
        if self.run and (held or len(data) <= self.SEPARATOR
                         and os.pread(self.source, len(data), self.run[1]) == data):
            self.run[1] += len(data)
        else:
            self._copy_run()
            self.pending += data
            if len(self.pending) >= self.BUFFER:
                self._write_pending()
        self.size += len(data)

    def records(self, joined: Joined, same: bool) -> bool:
        """Append ``joined``'s records and separators; ``same``: the old file holds every byte
        so far where the new one has it. Returns whether it still does.

        A record that follows the pending range in the old file, after one separator,
        extends it without a system call: the last build wrote its records one after the
        other with this separator between (``exports.Pieces.track``), and a layout is used
        only while its file is as that build wrote it (``build._live_layouts``)."""
        separator, step = joined.separator, len(joined.separator)
        for index, item in enumerate(joined):
            if index:
                run = self.run
                if run and isinstance(item, tuple) and item[0] == run[1] + step:
                    same = same and item[0] == self.size + step
                    run[1] = item[0] + item[1]
                    self.size += step + item[1]
                    continue
                if step:
                    same = same and os.pread(self.source, step, self.size) == separator
                    self.append(separator, held=same)
            if isinstance(item, tuple):
                same = same and item[0] == self.size
                self.copy(item[0], item[1])
            else:
                same = same and os.pread(self.source, len(item), self.size) == item
                self.append(item, held=same)
        return same

    def copy(self, offset: int, length: int) -> None:
        if self.source is None:
            self._changed()
        if self.run and self.run[1] == offset:
            self.run[1] += length
        else:
            self._copy_run()
            self._write_pending()
            self.run = [offset, offset + length]
        self.size += length

    def flush(self) -> None:
        self._copy_run()
        self._write_pending()

    def _write_pending(self) -> None:
        self._write_all(self.pending)
        self.pending.clear()

    def _copy_run(self) -> None:
        if not self.run:
            return
        start, end = self.run
        self.run = []
        while start < end:
            if self.in_kernel:
                try:
                    done = os.copy_file_range(self.source, self.target, end - start, start)
                except OSError as exc:
                    if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EPERM):
                        raise
                    self.in_kernel = False
                    continue
            else:
                chunk = os.pread(self.source, min(end - start, self.BUFFER), start)
                done = len(chunk)
                self._write_all(chunk)
            if done == 0:  # the layout was checked against it when the build began
                self._changed()
            start += done

    def _write_all(self, data: bytes | bytearray) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.target, view):]

    def _changed(self) -> None:
        raise OSError(errno.EIO, "the last build's file changed during the build", self.source_name)


@contextlib.contextmanager
def _reader(path: str) -> Iterator[BinaryIO | None]:
    """A regular file open for reading at offsets (``os.pread``), or None when there is none.
    Not mapped: the pages of a mapped 60 MB file would count in the build's memory."""
    try:
        handle = open(path, "rb", buffering=0)  # noqa: SIM115 - closed below
    except OSError:
        yield None
        return
    with handle:
        yield handle if stat.S_ISREG(os.fstat(handle.fileno()).st_mode) else None


def _plain(path: str) -> bool:
    """A site path needing no checks: relative, without '', '.' or '..' parts or backslashes."""
    return "\\" not in path and not any(part in ("", ".", "..") for part in path.split("/"))


def _swap(stage: Path, out_dir: Path, spare: Path | None) -> None:
    """Put ``stage`` in place of ``out_dir``; the old site becomes the spare, or is deleted.

    On Linux the two folders are exchanged in one atomic step (renameat2 with
    RENAME_EXCHANGE), so there is no moment without a complete ``out_dir``. Elsewhere
    the old folder is renamed away and the new one renamed in; a build killed between
    the two renames is recovered by the next one (``recover_leftovers``).
    """
    if not out_dir.exists():
        os.rename(stage, out_dir)
        return
    if _exchange(stage, out_dir):  # ``stage`` now holds the old site
        if stage != spare:
            _remove_later(stage)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.rmdir(old)  # only the unique name is wanted: rename needs the target absent
    os.rename(out_dir, old)
    os.rename(stage, out_dir)
    try:
        if spare is None:
            raise OSError
        os.rename(old, spare)
    except OSError:
        _remove_later(old)


_removals: list[threading.Thread] = []


def _remove_later(folder: Path) -> None:
    """Delete the old site in a thread: the new one is already in place, and removing 10,000
    folders (a second or more) then overlaps saving the cache. ``finish`` waits for it; a
    process killed first leaves a ``.output.tmp-*`` folder that the next build removes."""
    thread = threading.Thread(target=shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True})
    thread.start()
    _removals.append(thread)


def finish() -> None:
    """Wait until old sites replaced by this process are deleted."""
    while _removals:
        _removals.pop().join()


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux's renameat2(RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
