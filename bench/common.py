"""Shared helpers for the benchmarks: corpora from the shared kit, site folders, timing."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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


def make_site(name: str, seeds: Path) -> Path:
    """A fresh site folder: a copy of ``seeds``, the repo's templates and static, a small config."""
    site = WORK / "sites" / name
    shutil.rmtree(site, ignore_errors=True)
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


def run_measured(cmd: list[str], cwd: Path | None = None) -> Run:
    """Run ``cmd`` to the end as a whole process: wall time, peak RSS (largest process and whole tree)."""
    with tempfile.NamedTemporaryFile("r") as peak, tempfile.TemporaryFile("w+") as err:
        if os.access(GNU_TIME, os.X_OK):
            wrapped = [GNU_TIME, "-f", "%M", "-o", peak.name, *cmd]
        else:
            wrapped = [sys.executable, "-c", RUSAGE_WRAPPER, peak.name, *cmd]
        started = time.perf_counter()
        proc = subprocess.Popen(wrapped, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        tree = 0
        while proc.poll() is None:
            tree = max(tree, _tree_rss(proc.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        err.seek(0)
        lines = peak.read().split()
        rss_kb = int(lines[-1]) if lines and lines[-1].isdigit() else 0
        return Run(seconds, rss_kb / 1024, tree / 2**20, proc.returncode, err.read())
