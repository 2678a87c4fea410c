"""Staging and swapping: the new site -> output/, atomically.

The new site is put together in a hidden folder beside ``output/`` (the stage) and then
swapped in with two renames, so ``output/`` is always a complete site, the old one or
the new. A file whose bytes did not change is hard-linked from the old site, never
written again. Given a spare folder (the caller's, on the same file system), the site
replaced is kept there as the next build's stage, so that a rebuild touches only what
changed instead of making every folder anew (docs/performance.md shows what that buys).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.errors import BuildError, problem
from generator.progress import Progress, quiet
from generator.write.files import (KEEP, MARKER, keep, link_or_copy, place, remove, same_file, tree,
                                   write_chunks, write_new, safe_relative)


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


def leftovers(out_dir: Path, kind: str = "") -> list[Path]:
    """Staging (``tmp``) or old folders (``old``) of an interrupted build beside ``out_dir``; both by default."""
    if not kind:
        return leftovers(out_dir, "old") + leftovers(out_dir, "tmp")
    return sorted(out_dir.parent.glob(f".{out_dir.name}.{kind}-*"))


@contextlib.contextmanager
def one_build_at_a_time(out_dir: Path, waiting: Callable[[], None]) -> Iterator[None]:
    """Hold a lock on the output folder's parent for the whole build (H8): a second build of
    the same site waits (``waiting`` is called once) instead of racing the first. No lock
    file is left behind: the lock is on the folder itself (flock; not on Windows)."""
    try:
        import fcntl
    except ImportError:  # Windows
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
    olds = leftovers(out_dir, "old")
    if not out_dir.exists() and olds:
        os.rename(olds[-1], out_dir)
        olds = olds[:-1]
    for leftover in olds + leftovers(out_dir, "tmp"):
        shutil.rmtree(leftover, ignore_errors=True)


Content = bytes | Iterable[bytes] | None
"""A file's bytes; its bytes as chunks in order (written as they come, never held whole);
or None for the file of that name in ``output/``, kept as it is."""
Record = dict[str, list[int]]
"""Site path -> [size, mtime_ns, inode] of each file as written: tells, unread, that it is unchanged."""


@dataclass(frozen=True)
class WriteReport:
    """What a build changed in the output folder, for the summary line."""

    written: int
    """Files new or changed."""
    unchanged: int
    """Files with the same bytes as before: hard-linked from the old site instead of written again."""
    removed: int
    """Files of the old site that no longer belong (deleted or renamed entries…)."""
    record: Record


def as_written(out_dir: Path, record: Mapping[str, list[int]]) -> set[str]:
    """The files of ``record`` that ``out_dir`` still holds exactly as they were written
    (same size, modification time and inode): their bytes are the ones that build made."""
    found, base = set(), f"{out_dir.absolute()}{os.sep}"
    for name, expected in record.items():
        try:
            st = os.stat(base + name, follow_symlinks=False)
        except (OSError, ValueError):
            continue
        if [st.st_size, st.st_mtime_ns, st.st_ino] == expected and stat.S_ISREG(st.st_mode):
            found.add(name)
    return found


def write_site(files: Mapping[str, Content], out_dir: Path, progress: Progress = quiet,
               spare: Path | None = None) -> WriteReport:
    """Write ``files`` as the complete new content of ``out_dir``, replacing it atomically.

    A file is given as its ``Content``, each asked for once, in site path order, and not
    kept; a None file must be as the last build wrote it (``as_written``). No file is ever
    modified in place, so a build killed at any moment leaves the old or the new site whole.
    ``spare``: where to keep the replaced site to stage the next build in (the last one's is
    used now); None to delete it.
    """
    out_dir = out_dir.absolute()
    check_output_folder(out_dir)
    root = None
    where = ""  # the site path being written, for an error
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        recover_leftovers(out_dir)
        root = _open_stage(out_dir, spare)
        staged, folders = tree(root)
        old = tree(out_dir)[0] if out_dir.is_dir() else {}
        _prune(root, staged, folders, files)
        written, record = 0, {}
        for done, name in enumerate(sorted(files), start=1):  # one file at a time: each is made when asked for
            if done % 500 == 0 or done == len(files):
                progress("write", done, len(files))
            where = name
            data = files[name]
            name = safe_relative(name).as_posix()
            if _put(root, out_dir, name, data, staged.get(name)):
                written += 1
            st = os.lstat(root / name)
            record[name] = [st.st_size, st.st_mtime_ns, st.st_ino]
        where = MARKER
        place(str(root / MARKER), lambda: write_new(
            str(root / MARKER), b"Built by timeline. This whole folder is replaced on every build.\n"))
        for name in KEEP:
            where = name
            keep(out_dir / name, root / name, name in files)
        os.chmod(root, 0o755)  # mkdtemp makes it 0700; a web server must be able to read it
        where = ""
        _swap(root, out_dir, spare)
    except OSError as exc:  # disk full, file too large, no permission… (H3): the old site stays
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)
        raise cannot_write(out_dir / where if where else out_dir, exc) from None
    except BaseException:
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)
        raise
    removed = sum(1 for name in old if name not in files and name != MARKER)
    return WriteReport(written=written, unchanged=len(files) - written, removed=removed, record=record)


def _put(root: Path, out_dir: Path, name: str, data: Content, staged: int | None) -> bool:
    """Make the stage's file ``name``: the live site's file when ``data`` is None or its bytes,
    else a new file. Whether it was written anew."""
    target, live = f"{root}{os.sep}{name}", f"{out_dir}{os.sep}{name}"
    if data is not None and not isinstance(data, bytes):  # chunks: written, then compared on disk
        place(target, lambda: write_chunks(target, data))
        if not same_file(live, None, compare=target):
            return True
        os.unlink(target)  # the live file holds these very bytes: link it instead
        data, staged = None, None
    inode = same_file(live, data)
    if inode is None:
        place(target, lambda: write_new(target, data))  # type: ignore[arg-type] - None is always the same file
        return True
    if staged != inode:  # the stage must hold this very file, not a copy
        place(target, lambda: link_or_copy(live, target))
    return False


def _open_stage(out_dir: Path, spare: Path | None) -> Path:
    """A new hidden folder beside ``out_dir``, or the spare moved to one (so that a build
    killed meanwhile leaves only a ``.tmp-`` folder, which the next build removes)."""
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    if spare is not None and spare.is_dir() and not spare.is_symlink():
        os.rmdir(stage)
        try:
            os.rename(spare, stage)  # fails across file systems: then a new stage
        except OSError:
            shutil.rmtree(spare, ignore_errors=True)
            stage.mkdir()
    return stage


def _prune(stage: Path, staged: dict[str, int], folders: set[str], files: Mapping[str, object]) -> None:
    """Delete from the stage what the new site does not have (files, folders) and the KEEP
    items, which are written or linked from the live site again after."""
    needed = {"/".join(parts[:i]) for parts in (path.split("/") for path in files) for i in range(1, len(parts))}
    for name in [name for name in staged if name not in files and name != MARKER]:
        # What a file put meanwhile replaced is gone already; a folder made for one is kept (EISDIR).
        with contextlib.suppress(FileNotFoundError, NotADirectoryError, IsADirectoryError):
            os.unlink(stage / name)
        del staged[name]
    for name in sorted((name for name in folders - needed if name not in files), key=len):
        shutil.rmtree(stage / name, ignore_errors=True)
    for name in KEEP:  # made again after: generated, or linked from the live site
        remove(stage / name)


def _swap(stage: Path, out_dir: Path, spare: Path | None) -> None:
    """Put ``stage`` in place of ``out_dir`` with two renames; the old site becomes the spare,
    or is deleted. A build killed between the renames is recovered by the next one
    (``recover_leftovers``)."""
    if not out_dir.exists():
        os.rename(stage, out_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.rmdir(old)  # only the unique name is wanted: rename needs the target absent
    os.rename(out_dir, old)
    os.rename(stage, out_dir)
    if spare is not None:
        with contextlib.suppress(OSError):
            remove(spare)
            spare.parent.mkdir(parents=True, exist_ok=True)
            os.rename(old, spare)  # fails across file systems: then it is deleted
    shutil.rmtree(old, ignore_errors=True)
