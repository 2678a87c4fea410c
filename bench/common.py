"""Shared helpers for the benchmarks: corpora from the shared kit, site folders, timing."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TIMELINE_SHARED", REPO.parent / "shared"))
WORK = Path(os.environ.get("BENCH_WORK", "/tmp/timeline-bench"))
MAKE_CORPUS = SHARED / "bench" / "make_corpus.py"

CONFIG = '''title = "Benchmark corpus"
description = "Synthetic articles from the shared benchmark kit."
base_url = "/"
'''


def corpus(count: int, fmt: str) -> Path:
    """The shared kit's deterministic corpus of ``count`` articles in ``fmt`` (md or txt), cached."""
    target = WORK / f"corpus-{fmt}-{count}"
    if not target.is_dir():
        if not MAKE_CORPUS.is_file():
            sys.exit(f"benchmark kit not found at {MAKE_CORPUS}; set TIMELINE_SHARED")
        subprocess.run([sys.executable, str(MAKE_CORPUS), "--count", str(count), "--out", str(target),
                        "--format", fmt], check=True, stdout=subprocess.DEVNULL)
    return target


def mixed_corpus(count: int) -> Path:
    """Half Markdown, half plain text: both input shapes in one site (the same articles, split)."""
    target = WORK / f"mixed-{count}"
    if not target.is_dir():
        md, txt = corpus(count, "md"), corpus(count, "txt")
        target.mkdir(parents=True)
        for i, path in enumerate(sorted(md.glob("*.md"))):
            source = path if i % 2 == 0 else txt / (path.stem + ".txt")
            shutil.copy(source, target / source.name)
    return target


GRAVEYARD = WORK / "graveyard"
"""Where the benchmarks move the folders they are done with, to delete them only between runs."""
SETTLE_SECONDS = 65
"""How long a deletion is "recent" to ext4 once the disk is synced (60 s; 360 s before then)."""


def discard(path: Path) -> None:
    """Move ``path`` into the graveyard instead of deleting it. On ext4 without a journal (this
    machine's disk) a new inode never reuses one freed in the last minute or more: the kernel
    reads the inode table to skip each (``find_inode_bit`` → ``recently_deleted``), so a cold
    build started right after deleting the last one's 20,000 files paid seconds of system time
    for the benchmark's own deletions, more with every run (ours: 8.1, 8.6, 9.4 s back to back
    at 10,000 entries, against 7.7-8.1 s with the old folders moved aside). Every tool is
    measured the same way, as on a fresh clone where nothing was just deleted."""
    if not (path.exists() or path.is_symlink()):
        return
    GRAVEYARD.mkdir(parents=True, exist_ok=True)
    try:
        path.rename(GRAVEYARD / f"{time.time_ns()}-{path.name}")
    except OSError:  # another file system: deleting is all that is left
        shutil.rmtree(path, ignore_errors=True)


def empty_graveyard() -> None:
    """Delete what earlier runs discarded, then wait until the kernel no longer counts it as
    recently deleted: called before measuring, never between measurements."""
    if not GRAVEYARD.is_dir() or not any(GRAVEYARD.iterdir()):
        return
    print(f"deleting the folders of earlier runs, then {SETTLE_SECONDS} s for the disk to settle …",
          file=sys.stderr, flush=True)
    shutil.rmtree(GRAVEYARD, ignore_errors=True)
    os.sync()
    time.sleep(SETTLE_SECONDS)


def make_site(name: str, seeds: Path) -> Path:
    """A fresh site folder: a copy of ``seeds``, the repo's templates and static, a small config."""
    site = WORK / "sites" / name
    discard(site)
    site.mkdir(parents=True)
    shutil.copytree(seeds, site / "seeds")
    shutil.copytree(REPO / "templates", site / "templates")
    shutil.copytree(REPO / "static", site / "static")
    (site / "timeline.toml").write_text(CONFIG)
    return site


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    cores = os.cpu_count()
    mem = "?"
    try:
        kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{cores} cores, {mem} RAM, Python {sys.version.split()[0]}"


GNU_TIME = "/usr/bin/time"
# Fallback without GNU time: a wrapper process whose RUSAGE_CHILDREN peak is the command's alone.
RUSAGE_WRAPPER = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
                  "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
                  "sys.exit(code)")


@dataclass(frozen=True)
class Run:
    """One whole process, timed from outside."""

    seconds: float
    rss_mb: float
    """Peak RSS of the largest single process (GNU time's %M, as ``/usr/bin/time -v`` reports it)."""
    tree_mb: float
    """Peak of the summed RSS of the process and all its descendants, sampled every 20 ms."""
    returncode: int
    stderr: str


def _tree_rss(pid: int) -> int:
    """Summed resident bytes of ``pid`` and its descendants right now."""
    total, todo = 0, [pid]
    while todo:
        pid = todo.pop()
        try:
            total += int(open(f"/proc/{pid}/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{pid}/task"):
                todo += [int(c) for c in open(f"/proc/{pid}/task/{task}/children").read().split()]
        except (OSError, ValueError):
            pass  # exited meanwhile
    return total


USER_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
"""The environment every measured tool runs in, as a user's shell has it. This machine's
sandbox sets PYTHONDONTWRITEBYTECODE, which makes each Python process (ours, Pelican)
compile its own modules from source on every run: 30 ms that no user pays."""


def run_measured(cmd: list[str], cwd: Path | None = None) -> Run:
    """Run ``cmd`` to the end as a whole process: wall time, peak RSS (largest process and whole tree).

    The end is taken when the process is reaped (``wait``), not at the next sample of its
    memory: polling every 20 ms would add 10 ms on average to every figure."""
    with tempfile.NamedTemporaryFile("r") as peak, tempfile.TemporaryFile("w+") as err:
        if os.access(GNU_TIME, os.X_OK):
            wrapped = [GNU_TIME, "-f", "%M", "-o", peak.name, *cmd]
        else:
            wrapped = [sys.executable, "-c", RUSAGE_WRAPPER, peak.name, *cmd]
        started = time.perf_counter()
        proc = subprocess.Popen(wrapped, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                env=USER_ENV)
        tree, done = 0, threading.Event()

        def sample() -> None:
            nonlocal tree
            while True:
                tree = max(tree, _tree_rss(proc.pid))
                if done.wait(0.02):
                    return

        sampler = threading.Thread(target=sample)
        sampler.start()
        proc.wait()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        err.seek(0)
        lines = peak.read().split()
        rss_kb = int(lines[-1]) if lines and lines[-1].isdigit() else 0
        return Run(seconds, rss_kb / 1024, tree / 2**20, proc.returncode, err.read())
