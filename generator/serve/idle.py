"""The preview's garbage, collected while it is idle.

A preview process keeps a whole site's objects from build to build (the parse cache, the model,
the site in memory), and each rebuild makes enough new ones for Python's cycle collector to go
through all of them: at 10,000 entries a full collection takes about 80 ms, a quarter of a
rebuild, paid while the writer waits for the page. So the collector is off from a rebuild until
the browsers have reloaded and nothing changed for ``IDLE`` seconds, then runs once; objects
without cycles are freed at once all along, as ever (reference counting). A writer who saves
without pause has the garbage collected before every ``MOST``-th rebuild, so it stays bounded.
"""

from __future__ import annotations

import gc
import queue

IDLE = 0.5
"""Seconds without a change after which the garbage of the rebuilds since is collected."""
MOST = 5
"""Rebuilds in a row without an idle moment before the garbage is collected before the next one."""


class Garbage:
    """When the preview collects: ``before_build`` ahead of each rebuild, ``wait`` for the next change."""

    def __init__(self) -> None:
        self.builds = 0
        """Rebuilds since the last collection."""

    def before_build(self) -> None:
        """Pause the collector for the rebuild and the reload after it (after collecting, at ``MOST``)."""
        if self.builds >= MOST:
            self.collect()
        gc.disable()
        self.builds += 1

    def wait(self, changes: queue.Queue):
        """The next item of ``changes``; the garbage is collected if none comes within ``IDLE`` seconds."""
        if self.builds:
            try:
                return changes.get(timeout=IDLE)
            except queue.Empty:
                self.collect()
        return changes.get()

    def collect(self) -> None:
        """Collect every generation now and turn the collector back on."""
        gc.enable()
        gc.collect()
        self.builds = 0
