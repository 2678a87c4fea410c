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


@pytest.mark.case("K1")
def test_sub_path_build_links_nothing_at_the_domain_root(tmp_path: Path):
    site = make_site(tmp_path / "site")
    assert run_timeline("build", "--base-url", "/REPO/", cwd=site).returncode == 0
    for page in (site / "output").rglob("*.html"):
        text = page.read_text()
        assert 'href="/' not in text.replace('href="/REPO/', "") and 'src="/' not in text.replace('src="/REPO/', "")
    assert broken_links(site / "output", "/REPO/") == []
    # ...and the same output served at the root would be broken, so the check is meaningful.
    assert broken_links(site / "output", "/") != []


def test_every_page_is_well_formed_html5_with_the_required_head(tmp_path: Path):
    site = make_site(tmp_path / "site", seeds=SHIPPED_SEEDS, config=REPO / "timeline.toml")
    assert run_timeline("build", cwd=site).returncode == 0
    import html5lib
    for page in sorted((site / "output").rglob("*.html")):
        parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
        doc = parser.parse(page.read_bytes())
        assert parser.errors == [], f"{page}: {parser.errors[:3]}"
        assert doc.get("lang") == "en"
        head = doc.find("head")
        assert head.find("meta[@charset='utf-8']") is not None
        assert head.find("meta[@name='viewport']") is not None
        assert (head.findtext("title") or "").strip(), page
        assert head.find("meta[@name='description']").get("content").strip(), page
        assert len(doc.findall(".//h1")) == 1, page
