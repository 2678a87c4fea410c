"""The preview's watcher: file events, the polling fallback, bursts of saves, folders that come later."""

from __future__ import annotations

import asyncio
import queue
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from browser import need
from generator.serve.watch import snapshot, watch

BURST = 5
GAP_SECONDS = 0.02
ENDS_WITHIN = 0.2  # issue 25: the watcher ends on the last of five saves within 200 ms


class Watching:
    """``watch`` on an event loop of its own, as the preview runs it; reports land in a queue."""

    def __init__(self, roots: list[Path], poll: bool):
        self.reports: queue.Queue[tuple[float, list[str]]] = queue.Queue()
        self.said: list[str] = []
        self.loop = asyncio.new_event_loop()
        before = snapshot(roots)
        self.task = self.loop.create_task(watch(roots, lambda paths: self.reports.put((time.monotonic(), paths)),
                                                poll, self.said.append, before))
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        time.sleep(0.3)  # the watcher is set up

    def _run(self) -> None:
        try:
            self.loop.run_until_complete(self.task)
        except asyncio.CancelledError:
            pass
        finally:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.run_until_complete(self.loop.shutdown_default_executor())
            self.loop.close()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.task.cancel)
        self.thread.join(timeout=10)

    def next(self, timeout: float = 5) -> tuple[float, list[str]]:
        return self.reports.get(timeout=timeout)

    def quiet(self, seconds: float = 0.3) -> bool:
        try:
            self.reports.get(timeout=seconds)
        except queue.Empty:
            return True
        return False


@pytest.fixture(params=["events", "polling"])
def mode(request) -> str:
    return request.param


def test_a_burst_of_five_saves_is_one_report_ending_on_the_last(tmp_path: Path, mode: str):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    story = seeds / "story.md"
    story.write_text("v0")
    watching = Watching([seeds], poll=mode == "polling")
    try:
        for i in range(1, BURST + 1):
            story.write_text(f"v{i}")
            last_save = time.monotonic()
            time.sleep(GAP_SECONDS)
        seen, paths = watching.next()
        assert str(story) in paths
        more = 0
        while not watching.quiet(0.3):
            more += 1
        assert more == 0, f"the burst gave {1 + more} reports"
        assert seen - last_save <= ENDS_WITHIN, f"reported {seen - last_save:.3f} s after the last save"
        assert story.read_text() == f"v{BURST}"
        assert watching.said == []
    finally:
        watching.stop()


def test_new_removed_and_nested_files_are_reported(tmp_path: Path, mode: str):
    seeds = tmp_path / "seeds"
    (seeds / "2024").mkdir(parents=True)
    old = seeds / "old.md"
    old.write_text("x")
    watching = Watching([seeds], poll=mode == "polling")
    try:
        nested = seeds / "2024" / "new.md"
        nested.write_text("y")
        assert str(nested) in watching.next()[1]
        old.unlink()
        assert str(old) in watching.next()[1]
    finally:
        watching.stop()


def test_a_watched_folder_made_after_the_start_is_watched(tmp_path: Path, mode: str):
    static = tmp_path / "static"  # not there when the preview starts
    watching = Watching([tmp_path / "seeds", static], poll=mode == "polling")
    try:
        static.mkdir()
        (static / "site.css").write_text("a {}")
        paths = set(watching.next()[1])  # the folder, or the file in it: either way the preview rebuilds
        assert str(static / "site.css") in paths or str(static) in paths
        while not watching.quiet(0.3):
            pass
        (static / "site.css").write_text("b {}")  # and what happens in it from then on
        assert str(static / "site.css") in watching.next()[1]
    finally:
        watching.stop()


def test_a_symlink_loop_in_the_seeds_does_not_hang_the_watcher(tmp_path: Path, mode: str):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "loop").symlink_to(seeds)
    watching = Watching([seeds], poll=mode == "polling")
    try:
        (seeds / "story.md").write_text("x")
        assert str(seeds / "story.md") in watching.next()[1]
    finally:
        watching.stop()


FALLBACK = textwrap.dedent("""
    import asyncio, sys, time
    from pathlib import Path
    from generator.serve.watch import snapshot, watch
    seeds = Path(sys.argv[1])
    said, reports = [], []
    async def main():
        task = asyncio.create_task(watch([seeds], reports.append, False, said.append, snapshot([seeds])))
        await asyncio.sleep(0.3)
        (seeds / "story.md").write_text("changed")
        for _ in range(100):
            await asyncio.sleep(0.05)
            if reports:
                break
        task.cancel()
    asyncio.run(main())
    print(said)
    print(reports)
""")


def test_without_file_events_the_watcher_says_so_and_polls(tmp_path: Path):
    """Linux lets a user namespace set its own inotify limit: 0 instances is a system without inotify."""
    need(bool(shutil.which("unshare")) and
         subprocess.run(["unshare", "--user", "--map-root-user", "true"]).returncode == 0,
         "needs `unshare --user` (util-linux, user namespaces) to take inotify away")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "story.md").write_text("x")
    script = tmp_path / "fallback.py"
    script.write_text(FALLBACK)
    done = subprocess.run(["unshare", "--user", "--map-root-user", "sh", "-c",
                           f'echo 0 > /proc/sys/user/max_inotify_instances && exec "{sys.executable}" "{script}" "{seeds}"'],
                          capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    said, reports = done.stdout.splitlines()
    assert "polling for changes instead" in said and "Too many open files" in said
    assert str(seeds / "story.md") in reports
