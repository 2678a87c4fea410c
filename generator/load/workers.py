"""Worker processes for the load step: one function mapped over batches, results in order.

A worker ends with the build that started it. A build killed mid-parse (SIGKILL, the OOM
killer) would otherwise leave its workers behind, stuck writing to a pipe no one reads and
holding, through the descriptor they inherited at the fork, the output folder's lock, so
that every later build waited for them forever.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with(parent: int) -> None:
    """In a new worker: ask Linux to kill it when its parent ends, and end now if that happened already."""
    if sys.platform.startswith("linux"):
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def mapped(function: Callable[..., Any], batches: Sequence[Any], jobs: int, *shared: Any) -> Iterator[Any]:
    """``function(batch, *shared)`` for each batch, in worker processes, yielded in order."""
    # Fork where it is safe (Linux, no other thread: a lock another thread held at the fork
    # would stay held in the child); elsewhere spawn clean interpreters, as the preview does.
    safe = sys.platform.startswith("linux") and threading.active_count() == 1
    context = multiprocessing.get_context("fork" if safe else "spawn")
    # No more workers than batches: the pool forks them all at once, whether there is work for them or not (L10).
    with ProcessPoolExecutor(max_workers=min(jobs, len(batches)), mp_context=context,
                             initializer=_die_with, initargs=(os.getpid(),)) as pool:
        yield from pool.map(function, batches, *([value] * len(batches) for value in shared))
