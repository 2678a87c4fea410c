"""Shared helpers: run the real CLI in a subprocess, copy fixture sites, hash trees."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
FIXTURE_SITE = FIXTURES / "site"


def run_timeline(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m generator ARGS`` as a user would, capturing its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=120)


def make_site(root: Path, seeds: Path = FIXTURE_SITE / "seeds", config: Path = FIXTURE_SITE / "timeline.toml") -> Path:
    """A self-contained site folder: fixture seeds and config, the repo's templates and static."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(seeds, root / "seeds")
    shutil.copy(config, root / "timeline.toml")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    return root


def tree_hash(root: Path) -> dict[str, str]:
    """{relative path: sha256} of every file below root (symlinks recorded as their target)."""
    result = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            result[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            result[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return result


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A fresh copy of the fixture site."""
    return make_site(tmp_path / "site")
