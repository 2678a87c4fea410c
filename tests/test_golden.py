"""The fixture site's HTML equals the reviewed golden copy, whatever the locale, zone or hash seed."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from update_golden import GOLDEN, build_fixture, html_files

ENVIRONMENTS = [
    {"TZ": "UTC", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0"},
    {"TZ": "Pacific/Kiritimati", "LC_ALL": "tr_TR.UTF-8", "PYTHONHASHSEED": "12345"},
    {"TZ": "Etc/GMT+12", "LANG": "de_DE.UTF-8", "PYTHONHASHSEED": "random"},
]


@pytest.mark.case("E5")
@pytest.mark.parametrize("env", ENVIRONMENTS, ids=["utc", "kiritimati-tr", "gmt12-de"])
def test_fixture_site_matches_golden(tmp_path: Path, env: dict):
    built = html_files(build_fixture(tmp_path, env=env))
    golden = html_files(GOLDEN)
    assert sorted(built) == sorted(golden), "the set of pages changed: run `make golden` and review"
    for name in golden:
        if built[name] != golden[name]:
            diff = "".join(difflib.unified_diff(golden[name].decode().splitlines(True),
                                                built[name].decode().splitlines(True),
                                                f"golden/{name}", f"built/{name}", n=2))
            pytest.fail(f"{name} differs from the golden copy (run `make golden` if intended):\n{diff[:3000]}")


def test_crlf_sources_build_the_same_site(tmp_path: Path):
    from conftest import FIXTURE_SITE, make_site, run_timeline
    crlf = tmp_path / "crlf-seeds"
    crlf.mkdir()
    for seed in (FIXTURE_SITE / "seeds").iterdir():
        (crlf / seed.name).write_bytes(seed.read_bytes().replace(b"\n", b"\r\n"))
    site = make_site(tmp_path / "site", seeds=crlf)
    assert run_timeline("build", cwd=site).returncode == 0
    assert html_files(site / "output") == html_files(GOLDEN)
