"""When a build may fork worker processes, the cheap way to use both cores."""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    """Fork only on Linux and from a process with no other thread (not the preview server):
    a lock another thread held at the fork stays held forever in the child. Elsewhere
    workers are spawned, which costs each ~0.3 s of imports."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def ahead(work: Callable[..., T], *args: object) -> Callable[[], T]:
    """``work(*args)`` done by a forked process while this one goes on; returns what waits for
    its result (which must pickle). For system calls the second core would otherwise idle
    through (listing or stat'ing 10,000 files), early in a build, while this process is
    small (a fork copies its page tables). Done inline, when waited for, where forking is
    unsafe, and whenever the child fails (so that an error is raised here, as it would have been)."""
    if not can_fork():
        return lambda: work(*args)
    try:
        reader, writer = os.pipe()
    except OSError:
        return lambda: work(*args)
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return lambda: work(*args)
    if pid == 0:  # the child: work, send, and leave without running any of the parent's exit code
        code = 1
        try:
            os.close(reader)
            with open(writer, "wb") as pipe:
                pickle.dump(work(*args), pipe, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(writer)
    done: list = []

    def wait() -> T:
        if not done:
            try:
                with open(reader, "rb") as pipe:
                    done.append((pickle.load(pipe),))
            except Exception:  # noqa: BLE001 - the child failed: work here instead
                done.append(None)
            finally:
                os.waitpid(pid, 0)
        return done[0][0] if done[0] is not None else work(*args)

    return wait
