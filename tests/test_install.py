"""The package as someone else installs it: the wheel built from this repository, installed in a
fresh virtual environment outside it, used in an empty folder: init, new, build, check and a
request to the preview. Nothing of the repository is on the path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, free_port
from generator import DISTRIBUTION, __version__


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from this repository, as pip builds it for an install."""
    wheels = tmp_path_factory.mktemp("wheels")
    # From a copy of the sources: setuptools builds in the tree's build/, which two test workers
    # building at once (pytest -n) would share, and which a failed build would leave behind.
    source = tmp_path_factory.mktemp("source") / "repo"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "output", "build", "*.egg-info", ".timeline-cache", "node_modules", "__pycache__", ".output.*"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(source)],
                   check=True, cwd=wheels, capture_output=True)
    (found,) = wheels.glob(f"{DISTRIBUTION.replace('-', '_')}-{__version__}-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(tmp_path_factory, wheel) -> Path:
    """The ``bin/`` of a new virtual environment with the wheel (and its dependencies) installed."""
    root = tmp_path_factory.mktemp("install")
    venv.create(root / "venv", with_pip=True)
    bin_dir = root / "venv" / "bin"
    result = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
                            cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return bin_dir


def run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}/usr/bin:/bin"
    return subprocess.run([str(bin_dir / "timeline"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def test_the_wheel_holds_the_package_its_theme_starter_licence_and_types(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = {f"generator/theme/templates/{p.name}" for p in (REPO / "templates").iterdir()}
    theme |= {f"generator/theme/static/{p.name}" for p in (REPO / "static").iterdir()}
    assert theme <= names
    assert {"generator/py.typed", "generator/starter/timeline.toml", "generator/starter/pages.yml"} <= names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)


def test_an_installed_timeline_starts_builds_checks_and_previews_a_site_in_an_empty_folder(installed, tmp_path):
    where = run(installed, "--version", cwd=tmp_path)
    assert where.stdout == f"timeline {__version__}\n"
    site = tmp_path / "my-site"
    steps = [("init", str(site)), ("-C", str(site), "new", "Talks resume", "--date", "2025-01-20"),
             ("-C", str(site), "build", "--strict"), ("-C", str(site), "check")]
    for step in steps[:2]:
        done = run(installed, *step, cwd=tmp_path)
        assert done.returncode == 0, (step, done.stderr)
    new_seed = site / "seeds/2025-01-20-talks-resume.md"
    new_seed.write_text(new_seed.read_text().replace(
        "sources: []", 'sources:\n  - {title: "Talks resume", publisher: "Example", url: "https://example.org/t"}'))
    for step in steps[2:]:
        done = run(installed, *step, cwd=tmp_path)
        assert done.returncode == 0, (step, done.stdout, done.stderr)
    assert "built 3 entries" in run(installed, "-C", str(site), "build", cwd=tmp_path).stdout
    assert (site / "output/pagefind/pagefind.js").is_file()  # the search index, made by the installed indexer
    theme = run(installed, "-C", str(site), "theme", cwd=tmp_path).stdout
    assert "site-packages/generator/theme/templates" in theme and str(REPO) not in theme

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    preview = subprocess.Popen([str(installed / "timeline"), "-C", str(site), "serve", "--port", str(port), "-q"],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        page = b""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/2025/01/20/talks-resume/", timeout=2) as reply:
                    page = reply.read()
                break
            except OSError:
                time.sleep(0.1)
        assert b"<h1>Talks resume</h1>" in page
    finally:
        preview.terminate()
        preview.communicate(timeout=10)
