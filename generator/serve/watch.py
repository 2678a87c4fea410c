"""Change detection for the preview: the OS's file events (inotify on Linux, through
``watchfiles``), else snapshots of file stat data compared by polling.

Events cost nothing while nothing changes and arrive within milliseconds, where polling
10,000 seeds costs 50 ms a scan. Polling stays the fallback where events are not to be had
(no inotify instances left, some network and container file systems, ``serve --poll``); it
behaves the same on every OS, editor and file system. Either way a burst of saves is one
report once the files have been still ``SETTLE_SECONDS``. A link loop cannot hang either
(livereload's watcher hangs, RELIABILITY G2): the poller never follows a symlink, the event
watcher's folder walk detects loops.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

import watchfiles

MAX_DEPTH = 20
SETTLE_SECONDS = 0.03
"""A change is reported once the watched files have been still this long."""
POLL_SECONDS = 0.03
"""At least; a tree so large that a scan takes longer is polled less often (twice the scan time)."""
EVENT_STEP_MS = 10
"""How often watchfiles looks for new events; it reports once a look finds no new path. A burst of
saves to one file is then settled by ``_still``: the first report comes within 10-20 ms."""
RECHECK_MS = 1000
"""How often, with nothing changing, the event watcher looks whether a watched folder was
made, removed or replaced (its events are tied to the folder it started on)."""

Report = Callable[[list[str]], None]
"""Where a watcher sends each settled burst of changed paths."""

Snapshot = dict[str, tuple[int, int, int]]
"""path -> (mtime_ns, size, inode) of every file below the watched roots."""


def snapshot(roots: list[Path]) -> Snapshot:
    """Stat data of every file under ``roots`` (files or folders), links not followed."""
    found: Snapshot = {}
    for root in roots:
        _scan(root, found, 0)
    return found


def _scan(path: Path, found: Snapshot, depth: int) -> None:
    try:
        info = path.lstat()
    except OSError:
        return
    if stat.S_ISDIR(info.st_mode):
        _scan_folder(str(path), found, depth)
    else:
        found[str(path)] = (info.st_mtime_ns, info.st_size, info.st_ino)


def _scan_folder(folder: str, found: Snapshot, depth: int) -> None:
    """One ``scandir`` a folder and one ``lstat`` a file: 10,000 seeds are scanned in 50 ms."""
    if depth > MAX_DEPTH:
        return
    try:
        children = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for child in children:
        try:
            if child.is_dir(follow_symlinks=False):
                _scan_folder(child.path, found, depth + 1)
                continue
            info = child.stat(follow_symlinks=False)
        except OSError:
            continue
        found[child.path] = (info.st_mtime_ns, info.st_size, info.st_ino)


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    """Paths added, removed or modified between two snapshots, sorted."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


async def watch(roots: list[Path], report: Report, poll: bool, say: Callable[[str], None], before: Snapshot) -> None:
    """Report every settled burst of changes under ``roots`` since ``before``, forever."""
    if not poll:
        try:
            await _events(roots, report)
        except RuntimeError as exc:  # watchfiles' error: no inotify instance or watch to be had
            say(f"cannot watch for file events ({exc}); polling for changes instead")
    await _polled(roots, report, before)


def _stat_data(paths: list, fields: tuple[str, str]) -> list[tuple[int, int] | None]:
    """Two fields of each path's own stat data (links not followed), None where there is none."""
    out: list[tuple[int, int] | None] = []
    for path in paths:
        try:
            info = os.lstat(path)
            out.append((getattr(info, fields[0]), getattr(info, fields[1])))
        except OSError:
            out.append(None)
    return out


def _identity(roots: list[Path]) -> list[tuple[int, int] | None]:
    """Which folder or file each root is: a root made, removed or replaced changes it."""
    return _stat_data(roots, ("st_dev", "st_ino"))


def _stats(paths: list[str]) -> list[tuple[int, int] | None]:
    """What each file holds, as far as its stat data tells: it changes with every save."""
    return _stat_data(paths, ("st_mtime_ns", "st_size"))


async def _events(roots: list[Path], report: Report) -> None:
    """File events of the roots that exist, restarted when a root comes, goes or is replaced."""
    reported: dict[str, tuple[int, int] | None] = {}  # what each path was when last reported
    while True:
        identity = _identity(roots)
        present = [root for root, known in zip(roots, identity) if known is not None]
        if not present:  # nothing to watch yet: look again now and then
            await asyncio.sleep(RECHECK_MS / 1000)
        else:
            batches = watchfiles.awatch(*present, step=EVENT_STEP_MS, rust_timeout=RECHECK_MS,
                                        yield_on_timeout=True, ignore_permission_denied=True)
            async with contextlib.aclosing(batches):  # a watcher left for another is stopped at once
                async for batch in batches:
                    paths = sorted({path for _, path in batch})
                    if paths and _stats(paths) != [reported.get(path, ()) for path in paths]:  # not all seen yet
                        reported.update(zip(paths, await _still(paths)))
                        report(paths)
                    if _identity(roots) != identity:
                        break
        now = _identity(roots)
        if now != identity:
            report([str(root) for root, a, b in zip(roots, identity, now) if a != b])


async def _still(paths: list[str]) -> list[tuple[int, int] | None]:
    """Wait until the files have been still ``SETTLE_SECONDS``; their stat data then. watchfiles
    counts a path once however often it changes, so it reports a burst of saves to one file
    after the first of them, and the rest in its next report."""
    last = _stats(paths)
    while True:
        await asyncio.sleep(SETTLE_SECONDS)
        now = _stats(paths)
        if now == last:
            return now
        last = now


async def _polled(roots: list[Path], report: Report, last: Snapshot) -> None:
    """Poll the roots' stat data; report each settled change from ``last``."""
    interval = POLL_SECONDS
    while True:
        await asyncio.sleep(interval)
        started = time.perf_counter()
        now = snapshot(roots)
        interval = max(POLL_SECONDS, 2 * (time.perf_counter() - started))
        if now == last:
            continue
        while True:  # wait until the burst of saves is over
            await asyncio.sleep(SETTLE_SECONDS)
            settled = snapshot(roots)
            if settled == now:
                break
            now = settled
        report(changed(last, now))
        last = now
