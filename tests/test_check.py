"""``timeline check`` and ``build --strict``: a sound site passes; each kind of fault is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import make_site, run_timeline, touch_edit, tree_hash


def test_a_sound_site_passes(site: Path):
    result = run_timeline("check", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("timeline check: 26 pages,") and result.stdout.strip().endswith(
        " 0 problems")


@pytest.mark.parametrize("template, old, new, expected", [
    ("entry.html", '<p class="back">', '<p class="back"><a href="{{ \'nowhere/\' | url }}">x</a>',
     "output/2024/05/09/greyford-round-ends/index.html: broken link '../../../../nowhere/': no nowhere/index.html"),
    ("entry.html", '<p class="back">', '<p class="back"><a href="#no-such-section">x</a>',
     "output/2024/05/09/greyford-round-ends/index.html: broken anchor '#no-such-section'"),
    ("base.html", "<title>{{ page.title }}</title>", "<title></title>", "output/index.html: no <title>"),
    ("base.html", '<meta name="description" content="{{ page.description }}">', "", "output/index.html: no meta description"),
    ("404.html", "<h1>Page not found</h1>", "<h1>Page not found</h1></div>",
     "output/404.html: HTML parse error at line"),
])
def test_each_fault_is_named(site: Path, template: str, old: str, new: str, expected: str):
    touch_edit(site / "templates" / template, old, new)
    result = run_timeline("check", cwd=site)
    assert result.returncode == 1
    assert expected in result.stderr, result.stderr


def test_an_entry_without_a_source_is_named(site: Path):
    seed = site / "seeds" / "2024-05-09-southwick-reservoir-question.md"
    text = seed.read_text()
    seed.write_text(text[: text.index("sources:")] + text[text.index("---", 4):])
    result = run_timeline("check", cwd=site)
    assert result.returncode == 1
    assert ("output/2024/05/09/southwick-reservoir-question/index.html: entry from "
            "'2024-05-09-southwick-reservoir-question.md' cites no source") in result.stderr


def test_check_reads_a_written_folder_and_finds_a_broken_feed(site: Path):
    assert run_timeline("build", "--base-url", "/REPO/", cwd=site).returncode == 0
    assert run_timeline("check", "--dir", "output", "--base-url", "/REPO/", cwd=site).returncode == 0
    wrong_base = run_timeline("check", "--dir", "output", cwd=site)  # checked as if hosted at /
    assert wrong_base.returncode == 1 and "broken link '/REPO/style.css': no REPO/style.css" in wrong_base.stderr
    (site / "output" / "feed.xml").write_text("<feed><entry>")
    broken = run_timeline("check", "--dir", "output", "--base-url", "/REPO/", cwd=site)
    assert broken.returncode == 1
    assert "output/feed.xml: not well-formed XML" in broken.stderr


def test_strict_build_runs_the_same_checks_and_keeps_the_old_site(site: Path):
    assert run_timeline("build", cwd=site).returncode == 0
    before = tree_hash(site / "output")
    touch_edit(site / "templates" / "entry.html", '<p class="back">', '<p class="back"><a href="#missing">x</a>')
    assert run_timeline("build", cwd=site).returncode == 0  # not strict: builds
    before = tree_hash(site / "output")
    strict = run_timeline("build", "--strict", cwd=site)
    assert strict.returncode == 1
    assert "output/2024/05/09/greyford-round-ends/index.html: broken anchor '#missing'" in strict.stderr
    assert tree_hash(site / "output") == before


def test_shipped_site_passes_a_strict_build(tmp_path: Path):
    from conftest import REPO
    site = make_site(tmp_path / "site", seeds=REPO / "seeds", config=REPO / "timeline.toml")
    result = run_timeline("build", "--strict", "--base-url", "https://user.github.io/REPO/", cwd=site)
    assert result.returncode == 0, result.stderr
