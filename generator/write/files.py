"""Files of a site folder, made without ever writing through what stood there: the stage of
a new site may hold hard links to the live site's files, which must stay as they are."""

from __future__ import annotations

import filecmp
import os
import shutil
import stat
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

MARKER = ".timeline-output"
"""A file in every output folder we write: we only ever replace folders that carry it."""
KEEP = ("CNAME", ".git")
"""What a site owner may put in output/ by hand that every build carries over (H6): a custom
domain's ``CNAME``, and ``.git`` for an output folder that is a checkout of a Pages branch.
(``.nojekyll`` is part of every build.)"""


def safe_relative(path: str) -> PurePosixPath:
    """A site path that stays inside the output folder, or ValueError."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in path:
        raise ValueError(f"unsafe output path {path!r}")
    return pure


def tree(root: Path) -> tuple[dict[str, int], set[str]]:
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


def place(target: str, make: Callable[[], object]) -> None:
    """Put a new file at ``target`` with ``make``: never written through what stood there (a file
    of an older site, which may be a hard link to the live site's file, or a folder), which is
    removed first; missing folders are made."""
    try:
        make()
        return
    except FileExistsError:
        remove(Path(target))
    except (FileNotFoundError, NotADirectoryError):  # no folder, or a file where the folder goes
        make_folder(os.path.dirname(target))
    make()


def make_folder(folder: str) -> None:
    """``os.makedirs``, removing a file of an older site that stands where a folder goes."""
    try:
        os.makedirs(folder, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        parent = os.path.dirname(folder)
        make_folder(parent)
        if not os.path.isdir(folder):
            remove(Path(folder))
        os.makedirs(folder, exist_ok=True)


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.is_symlink() or path.exists():
        path.unlink()


def keep(old: Path, new: Path, generated: bool) -> None:
    """Carry a KEEP file or folder over from the old site, hard-linked (never moved: the old
    site must stay whole until the swap). A generated file of that name wins; links are not followed."""
    if generated or old.is_symlink() or not old.exists():
        return
    if old.is_dir():
        shutil.copytree(old, new, symlinks=True, copy_function=os.link)
    else:
        link_or_copy(old, new)


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """A hard link at ``target`` to ``source``, or a copy where there are no hard links;
    FileExistsError when ``target`` exists: it is never written through."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:  # no hard links here
        with open(source, "rb") as old, open(target, "xb") as new:
            shutil.copyfileobj(old, new)


def same_file(live: str, data: bytes | None, compare: str = "") -> int | None:
    """The inode of ``live`` when it is a regular file, not a link, holding ``data`` or the
    bytes of the file ``compare`` (any bytes when neither is given); else None."""
    try:
        st = os.lstat(live)
        if not stat.S_ISREG(st.st_mode) or (data is not None and st.st_size != len(data)):
            return None
        if data is not None:
            with open(live, "rb") as handle:
                if handle.read() != data:
                    return None
        if compare and not filecmp.cmp(live, compare, shallow=False):
            return None
        return st.st_ino
    except OSError:
        if data is None and not compare:
            raise
        return None


def write_chunks(target: str, chunks: Iterable[bytes]) -> None:
    """Write a new file of ``chunks`` as they come (x: never one shared with the live site)."""
    with open(target, "xb") as handle:
        for chunk in chunks:
            handle.write(chunk)


def write_new(target: str, data: bytes) -> None:
    """Write a new file (never one shared with the live site: x)."""
    with open(target, "xb") as handle:
        handle.write(data)
