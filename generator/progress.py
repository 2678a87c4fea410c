"""Progress of a long build on a terminal: a tqdm bar per stage, only once the build has
taken about a second, so quick builds print nothing but their summary line.

The stages report through a plain function, ``progress(stage, done, total)``; with no
terminal (CI, pipes, ``-q``) it is ``quiet`` and costs one call.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: ``done`` of ``total`` items of a stage (a key of ``UNITS``)."""

DELAY = 1.0
"""Seconds into a build before a bar appears."""
UNITS = {"parse": " seeds", "render": " pages", "write": " files", "search index": " index"}


def quiet(stage: str, done: int, total: int) -> None:
    """Reports nothing."""


def wanted(quiet_flag: bool, stream=sys.stderr) -> bool:
    """A bar only for a person watching: a terminal, not CI, not ``-q``."""
    return not quiet_flag and stream.isatty() and not os.environ.get("CI")


class TerminalProgress:
    """One tqdm bar at a time on stderr, cleared when its stage ends."""

    def __init__(self) -> None:
        from tqdm import tqdm  # loaded only for a terminal

        tqdm.monitor_interval = 0  # no monitor thread: render forks only from a process without threads
        self._tqdm = tqdm
        self._started = time.monotonic()
        self._bar = None
        self._stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            self.close()
            self._stage = stage
            delay = max(0.0, DELAY - (time.monotonic() - self._started))
            self._bar = self._tqdm(total=total, desc=stage, unit=UNITS.get(stage, ""), delay=delay,
                                   leave=False, file=sys.stderr, dynamic_ncols=True)
        self._bar.update(done - self._bar.n)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar, self._stage = None, ""
