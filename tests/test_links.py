"""Every internal link and asset of the built site resolves, at the root and under a sub-path."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, make_site, run_timeline
from linkcheck import broken_links

SHIPPED_SEEDS = REPO / "seeds"


@pytest.mark.parametrize("base_url, base_path", [
    (None, "/"),
    ("/REPO/", "/REPO/"),
    ("https://user.github.io/REPO/", "/REPO/"),
])
def test_shipped_site_has_no_broken_internal_links(tmp_path: Path, base_url, base_path):
    site = make_site(tmp_path / "site", seeds=SHIPPED_SEEDS, config=REPO / "timeline.toml")
    args = ["build"] + (["--base-url", base_url] if base_url else [])
    result = run_timeline(*args, cwd=site)
    assert result.returncode == 0, result.stderr
    output = site / "output"
    pages = list(output.rglob("*.html"))
    assert len(pages) >= 10
    assert broken_links(output, base_path) == []


def test_checker_catches_a_broken_link(tmp_path: Path):
    """The link check itself can fail: a page linking to a missing entry and a missing anchor."""
    site = make_site(tmp_path / "site")
    assert run_timeline("build", cwd=site).returncode == 0
    index = site / "output" / "index.html"
    index.write_text(index.read_text().replace("</main>", '<a href="/nope/">x</a><a href="/#no-such-id">y</a></main>'))
    problems = broken_links(site / "output", "/")
    assert problems == ["index.html: /nope/ (no file nope/index.html)", "index.html: /#no-such-id (no id 'no-such-id')"]


def test_sub_path_build_links_nothing_at_the_domain_root(tmp_path: Path):
    site = make_site(tmp_path / "site")
    assert run_timeline("build", "--base-url", "/REPO/", cwd=site).returncode == 0
    for page in (site / "output").rglob("*.html"):
        text = page.read_text()
        assert 'href="/' not in text.replace('href="/REPO/', "") and 'src="/' not in text.replace('src="/REPO/', "")
    assert broken_links(site / "output", "/REPO/") == []
    # ...and the same output served at the root would be broken, so the check is meaningful.
    assert broken_links(site / "output", "/") != []
