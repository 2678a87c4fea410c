"""Shared helpers for the benchmarks: corpora from the shared kit, site folders, timing."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
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
