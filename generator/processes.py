"""When a build may fork worker processes, the cheap way to use both cores."""

from __future__ import annotations

import sys
import threading


def can_fork() -> bool:
    """Fork only on Linux and from a process with no other thread (not the preview server):
    a lock another thread held at the fork stays held forever in the child. Elsewhere
    workers are spawned, which costs each ~0.3 s of imports."""
    return sys.platform.startswith("linux") and threading.active_count() == 1
