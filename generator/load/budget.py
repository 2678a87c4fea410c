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

import gc
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SECONDS = 1.5
"""What one seed may take to convert. The slowest real article measured (1 MB of prose, the
size limit) converts in about 0.3 s; what takes longer is a construct repeated thousands of
times, refused as ``this article takes too long to convert``."""


AGAIN_SECONDS = 0.05
"""After the first signal, another this often until the block ends. Python prints and drops an
exception raised in a garbage-collector callback or a ``__del__``, so the signal raises nothing
there and comes back."""


class TooSlow(Exception):
    """A conversion ran out of its budget."""


def _stop(signum: int, frame: FrameType | None) -> None:
    signal.setitimer(signal.ITIMER_REAL, AGAIN_SECONDS)
    if not _dropped_here(frame):
        raise TooSlow


def _dropped_here(frame: FrameType | None) -> bool:
    """Whether Python would print and drop an exception raised in ``frame``: one of a
    garbage-collector callback (hypothesis installs one) or of a finaliser."""
    callbacks = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    while frame is not None:
        if frame.f_code in callbacks or frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


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
        while True:  # a signal due as the block ends raises here, once more at most: then the timer is off
            try:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
                break
            except TooSlow:
                continue
        if outer:  # 0 is "no timer"; a timer already due fires at once
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 1e-6))
