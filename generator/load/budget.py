"""A time budget for converting one seed: Markdown constructs that cost more than linear time
cannot stall a build or the preview, whatever the next one found turns out to be.

The budget is an interval timer (``signal.setitimer``) whose signal raises ``TooSlow`` in the
converting code, so it needs the main thread of a process. Every build converts there: the CLI
in its main thread, ``-j`` in the main thread of each worker process, the preview in its main
thread (its server runs in a thread of its own). Called from any other thread, as a library
user might, or on Windows (no interval timer), the conversion runs without one and only the
checks before it apply.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

SECONDS = 1.5
"""What one seed may take to convert. The slowest real article measured (1 MB of prose, the
size limit) converts in about 0.3 s; what takes longer is a construct repeated thousands of
times, refused as ``this article takes too long to convert``."""


class TooSlow(Exception):
    """A conversion ran out of its budget."""


def _stop(signum: int, frame: object) -> None:
    raise TooSlow


@contextmanager
def time_budget(seconds: float = SECONDS) -> Iterator[None]:
    """Raise ``TooSlow`` in the block once it has run ``seconds``; a timer set outside (a test
    runner's, say) is put back with what was left of it."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield  # Windows has no interval timer; another thread cannot take a signal
        return
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _stop)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # 0 is "no timer"; a timer already due fires at once
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 1e-6))
