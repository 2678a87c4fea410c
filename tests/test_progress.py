"""The progress bar: on a real terminal (a pty) for builds past about a second; never in CI, with -q
or when stderr is not a terminal; and no trace of it in the summary line."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from conftest import REPO, run_timeline

BAR = "%|"  # tqdm's "45%|█████"


def on_terminal(args: list[str], cwd: Path, env: dict | None = None) -> str:
    """Run a command with stdout and stderr on a new 100x24 pseudo-terminal; return what it showed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    clean = {k: v for k, v in os.environ.items() if k != "CI"}
    process = subprocess.Popen(args, stdout=slave, stderr=slave, cwd=cwd, env={**clean, **(env or {})})
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    assert process.wait(timeout=120) == 0, shown.decode(errors="replace")
    return shown.decode(errors="replace")


SLOW_STAGES = """
import sys, time
from generator import progress
bar = progress.TerminalProgress()
for stage in ("parse", "render"):  # 1.5 s each: the first bar appears a second in
    for done in range(0, 301, 20):
        time.sleep(0.1)
        bar(stage, done, 300)
bar.close()
"""


def test_a_long_build_shows_each_stage_and_clears_it():
    shown = on_terminal([sys.executable, "-c", SLOW_STAGES], cwd=REPO)
    parse, render = shown.split("render:", 1)
    assert "parse: " in parse and BAR in parse and "seeds/s" in parse
    assert "/300 [" in render and "pages/s" in render
    assert shown.endswith("\r") and shown.split("\r")[-2].strip() == ""  # the bar is cleared (leave=False)


def test_a_quick_build_shows_no_bar_only_its_summary(site: Path):
    shown = on_terminal([sys.executable, "-m", "generator", "build"], cwd=site)
    assert BAR not in shown and "timeline: built " in shown


def test_no_bar_in_ci_with_q_or_off_a_terminal(site: Path):
    code = SLOW_STAGES.replace("bar = progress.TerminalProgress()",
                               "bar = progress.TerminalProgress() if progress.wanted(False) else progress.quiet"
                               ).replace("bar.close()", "getattr(bar, 'close', print)()")
    assert BAR not in on_terminal([sys.executable, "-c", code], cwd=REPO, env={"CI": "true"})
    assert BAR in on_terminal([sys.executable, "-c", code], cwd=REPO)
    assert on_terminal([sys.executable, "-m", "generator", "build", "-q"], cwd=site) == ""
    piped = run_timeline("build", "--no-cache", cwd=site)
    assert BAR not in piped.stderr and BAR not in piped.stdout
