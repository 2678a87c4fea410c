"""Holes an outside attack found in how the command line takes its options and prints what it
finds (docs/reliability.md, group L): folders the build writes inside those it reads (L9),
``-j`` (L10), file names that forge or reorder the lines they are printed in (L11)."""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_timeline, tree_hash

COUNT_FORKS = """
import os, sys
forks = []
os.register_at_fork(after_in_parent=lambda: forks.append(1))
from generator.cli import main
code = main(sys.argv[1:])
print(f"forks: {len(forks)}", file=sys.stderr)
sys.exit(code)
"""


def many_seeds(site: Path, count: int) -> None:
    """``count`` short seeds more: enough to be parsed in worker processes (``PARALLEL_THRESHOLD``)."""
    for i in range(count):
        (site / "seeds" / f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}-note-{i}.md").write_text(
            f"---\ntitle: Note {i}\ndate: 2023-{1 + i % 12:02d}-{1 + i % 28:02d}\nsources:\n  - title: t\n"
            f"    url: https://news.example/{i}\n---\nA short note.\n")


@pytest.mark.case("L10")
def test_jobs_are_capped_by_the_cores_and_the_work(site: Path):
    """``-j 64`` forks no more workers than there are cores (each is a copy of the whole
    process, and more of them only fight over the same cores) nor than batches of seeds to
    give them: 320 seeds make 7 batches of 50."""
    many_seeds(site, 320)
    result = subprocess.run([sys.executable, "-c", COUNT_FORKS, "build", "-q", "-j", "64", "--no-search",
                             "--no-cache"], cwd=site, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    forks = int(result.stderr.rsplit("forks: ", 1)[1])
    assert 1 <= forks <= min(len(os.sched_getaffinity(0)), 7), result.stderr


@pytest.mark.case("L10")
@pytest.mark.parametrize("value, reason", [
    ("-1", "must be 0 (one per CPU core) or more, not -1"),
    ("1.5", "not a whole number of processes: '1.5' (0: one per CPU core)"),
    ("many", "not a whole number of processes: 'many' (0: one per CPU core)"),
    ("99999999999", "not a whole number of processes: '99999999999' (0: one per CPU core)"),
])
def test_a_bad_job_count_is_a_usage_error(site: Path, value: str, reason: str):
    before = tree_hash(site)
    result = run_timeline("build", f"--jobs={value}", cwd=site)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"timeline build: error: argument -j/--jobs: {reason}"
    assert tree_hash(site) == before


@pytest.mark.case("L10")
def test_zero_jobs_is_one_per_core_and_help_says_so(site: Path):
    assert run_timeline("build", "-q", "-j", "0", "--no-search", cwd=site).returncode == 0
    helped = run_timeline("build", "--help", cwd=site).stdout
    assert "0: one per CPU core" in " ".join(helped.split())


FORGED = "2024-01-01-x\n2024-01-01-y.md:1: all is well \u202edm.txt"
"""A seed's name that, printed raw, makes a second, forged message line and reverses the text after U+202E."""


@pytest.mark.case("L11")
@pytest.mark.parametrize("args", [["build"], ["check"]])
def test_a_file_name_cannot_forge_or_reorder_a_message(site: Path, args: list[str]):
    (site / "seeds" / f"{FORGED}.md").write_text("---\ntitle: a: b\ndate: 2024-01-01\n---\nText.\n")
    result = run_timeline(*args, cwd=site)
    assert result.returncode == 1
    assert "\u202e" not in result.stderr
    shown = "seeds/2024-01-01-x\\n2024-01-01-y.md:1: all is well \\u202edm.txt.md:2: invalid front matter YAML"
    assert [line for line in result.stderr.splitlines() if "invalid front matter" in line][0].startswith(shown)
    assert not [line for line in result.stderr.splitlines() if line.startswith("2024-01-01-y.md")]


@pytest.mark.case("L11")
def test_quoted_seed_text_and_warnings_are_escaped_too(site: Path):
    """A warning (a seed without sources) and a message quoting the seed's own line, both carrying
    an escape sequence and a right-to-left override from the file."""
    (site / "seeds" / "2024-01-02-quiet.md").write_text(
        "---\ntitle: Quiet\ndate: 2024-01-02\n---\nText.\n")
    (site / "seeds" / "2024-01-03-loud\x1b[2J\u202e.md").write_text(
        "---\ntitle: Loud\ndate: 2024-01-03\nsummray: \u202eevil\x1b[31m\n---\nText.\n")
    result = run_timeline("build", "--no-search", cwd=site)
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr, result.stderr
    assert "seeds/2024-01-03-loud\\x1b[2J\\u202e.md:" in result.stderr


@pytest.mark.case("L9")
@pytest.mark.parametrize("args, reason", [
    (["--out", "seeds/out"], "seeds/out:1: --out is inside the seeds folder (seeds), which every build reads"),
    (["--out", "templates/site"], "templates/site:1: --out is inside the templates folder (templates)"),
    (["--out", "static/site"], "static/site:1: --out is inside the static folder (static)"),
    (["--out", "linked/out"], "linked/out:1: --out is inside the seeds folder (seeds)"),
    (["--cache-dir", "seeds"], "seeds:1: --cache-dir is inside the seeds folder (seeds)"),
    (["--cache-dir", "."], ".:1: --cache-dir holds the seeds folder (seeds), which would be overwritten or deleted"),
    (["--cache-dir", "output/.cache"], "output/.cache:1: --cache-dir is inside --out (output)"),
    (["--cache-dir", "output"], "output:1: --cache-dir is inside --out (output)"),
    (["--seeds", "output/seeds"], "output:1: --out holds the seeds folder (output/seeds)"),
])
def test_a_written_folder_inside_a_read_one_is_refused(built_site: Path, args: list[str], reason: str):
    """Each would work once and then break every build (the site read as seeds), write into the
    sources, or publish the cache with the text of draft entries; a symlink resolving into seeds
    is seeds. The build stops before anything is written, with one line saying why."""
    (built_site / "linked").symlink_to(built_site / "seeds", target_is_directory=True)
    if "output/seeds" in args:
        (built_site / "output" / "seeds").mkdir()
        (built_site / "output" / "seeds" / "2024-01-01-a.md").write_text("---\ntitle: A\ndate: 2024-01-01\n---\nA.\n")
    before = tree_hash(built_site)
    result = run_timeline("build", "--no-search", *args, cwd=built_site)
    assert result.returncode == 1, result.stderr
    assert reason in result.stderr.splitlines()[0], result.stderr
    assert "Traceback" not in result.stderr
    assert tree_hash(built_site) == before


def _limit_file_size(limit: int):
    """In the child: files may not grow past ``limit`` bytes, as a full disk refuses a write
    (EFBIG: Python ignores SIGXFSZ)."""
    def limit_it() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limit_it


@pytest.mark.case("L13")
@pytest.mark.parametrize("args", [["new", "Talks resume"], ["init", "fresh"], ["theme", "--copy"]])
def test_a_file_the_disk_refuses_is_one_error_and_no_half_file(site: Path, args: list[str]):
    """``new``, ``init`` and ``theme --copy`` on a full disk: one line, exit 1, and no truncated
    seed, config or template, which the next run would keep as it is (it never overwrites)."""
    if args[0] == "theme":
        shutil.rmtree(site / "templates")
    before = tree_hash(site)
    result = subprocess.run([sys.executable, "-m", "generator", *args], cwd=site, capture_output=True, text=True,
                            timeout=60, preexec_fn=_limit_file_size(200))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert re.fullmatch(rf"timeline {args[0]}: \S+: cannot write: File too large; nothing was written\n",
                        result.stderr), result.stderr
    after = tree_hash(site)
    made = {name: digest for name, digest in after.items() if before.get(name) != digest}
    assert all((site / name).stat().st_size < 200 for name in made), made  # whole files only: a cut one is 200
    assert not list((site / "seeds").glob("*talks-resume*"))
