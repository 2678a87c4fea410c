"""The command line, through a real subprocess: exit codes, messages, summary, atomic output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, run_timeline, tree_hash


def test_build_with_no_arguments_writes_the_site_and_a_summary(site: Path):
    result = run_timeline("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("timeline: built 5 entries, 26 pages (54 files) in ")
    assert result.stdout.rstrip().endswith("s -> output/ (54 written, 0 unchanged, 0 removed)")
    out = site / "output"
    for name in ("index.html", "404.html", ".nojekyll", "style.css", "favicon.svg", "feed.xml", "feed.json",
                 "robots.txt", "entries.json", "entries.csv", "calendar.ics", "timeline.json",
                 "pagefind/indexes.json", "2024/05/09/greyford-round-ends/index.html"):
        assert (out / name).is_file(), name


def test_console_script_and_module_are_the_same_command(site: Path):
    script = Path(sys.executable).parent / "timeline"
    assert script.exists(), "the package must install a `timeline` console command"
    by_script = subprocess.run([str(script), "build", "--out", "a"], cwd=site, capture_output=True, text=True)
    by_module = run_timeline("build", "--out", "b", cwd=site)
    assert by_script.returncode == by_module.returncode == 0
    assert tree_hash(site / "a") == tree_hash(site / "b")


def test_quiet_prints_nothing_on_success(site: Path):
    result = run_timeline("build", "-q", cwd=site)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_verbose_lists_ignored_files(site: Path):
    (site / "seeds" / "notes.md~").write_text("editor backup")
    result = run_timeline("build", "-v", cwd=site)
    assert result.returncode == 0
    assert "ignored: seeds/_notes.txt" in result.stderr and "ignored: seeds/notes.md~" in result.stderr


def test_usage_errors_exit_2(site: Path):
    for args in (["build", "--no-such-flag"], [], ["frobnicate"], ["build", "--base-url", "ftp://x/"],
                 ["build", "-q", "-v"]):
        result = run_timeline(*args, cwd=site)
        assert result.returncode == 2, args
        assert "usage: timeline" in result.stderr
        assert "Traceback" not in result.stderr


def test_options_choose_folders(tmp_path: Path, site: Path):
    (site / "seeds").rename(site / "articles")
    (site / "timeline.toml").rename(site / "site.toml")
    result = run_timeline("build", "--seeds", "articles", "--config", "site.toml", "--out", str(tmp_path / "pub"),
                          cwd=site)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "pub" / "index.html").is_file()


def test_drafts_only_with_the_flag(site: Path):
    (site / "seeds" / "2024-07-01-draft.md").write_text(
        "---\ntitle: Unfinished\ndate: 2024-07-01\ndraft: true\n---\nNot ready.\n")
    assert run_timeline("build", cwd=site).returncode == 0
    assert not (site / "output" / "2024/07/01/draft").exists()
    assert run_timeline("build", "--drafts", cwd=site).returncode == 0
    assert (site / "output" / "2024/07/01/draft/index.html").is_file()


def test_strict_turns_warnings_into_errors(site: Path):
    (site / "seeds" / "2024-07-02-typo.md").write_text("---\ntitle: Typo\ndate: 2024-07-02\ntitel: x\n---\nBody.\n")
    relaxed = run_timeline("build", cwd=site)
    assert relaxed.returncode == 0
    assert "seeds/2024-07-02-typo.md:4: warning: unknown front matter key 'titel'" in relaxed.stderr
    before = tree_hash(site / "output")
    strict = run_timeline("build", "--strict", cwd=site)
    assert strict.returncode == 1
    assert "seeds/2024-07-02-typo.md:4: unknown front matter key 'titel'" in strict.stderr
    assert tree_hash(site / "output") == before


def test_rebuild_removes_pages_of_deleted_entries_and_keeps_cname(site: Path):
    assert run_timeline("build", cwd=site).returncode == 0
    (site / "output" / "CNAME").write_text("timeline.example.org\n")
    (site / "seeds" / "2024-06-14-cafe-vote.md").unlink()
    assert run_timeline("build", cwd=site).returncode == 0
    assert not (site / "output" / "2024/06/14/cafe-vote").exists()
    assert (site / "output" / "CNAME").read_text() == "timeline.example.org\n"
    fresh = run_timeline("build", "--out", "fresh", cwd=site)
    assert fresh.returncode == 0
    rebuilt = {k: v for k, v in tree_hash(site / "output").items() if k != "CNAME"}
    assert rebuilt == tree_hash(site / "fresh")


def test_leftovers_of_a_killed_build_are_recovered(site: Path):
    assert run_timeline("build", cwd=site).returncode == 0
    good = tree_hash(site / "output")
    # A build killed between its two renames leaves the old site aside and no output/.
    os.rename(site / "output", site / ".output.old-abc123")
    (site / ".output.tmp-def456").mkdir()
    (site / ".output.tmp-def456" / "half.html").write_text("<p>half")
    assert run_timeline("build", cwd=site).returncode == 0
    assert tree_hash(site / "output") == good
    assert sorted(p.name for p in site.glob(".output.*")) == []


def test_missing_seeds_folder_is_an_error(tmp_path: Path):
    (tmp_path / "timeline.toml").write_text('title = "T"\ndescription = "D"\n')
    result = run_timeline("build", cwd=tmp_path)
    assert result.returncode == 1
    assert "seeds:1: seeds folder not found" in result.stderr


def test_repo_build_works_from_the_repo_root(tmp_path: Path):
    result = run_timeline("build", "--out", str(tmp_path / "site"), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "2024/03/21/barnea-cleared-for-qatar-talks/index.html").is_file()


def test_search_can_be_switched_off(site: Path):
    assert run_timeline("build", cwd=site).returncode == 0
    assert (site / "output" / "pagefind" / "pagefind.js").is_file()
    assert run_timeline("build", "--no-search", cwd=site).returncode == 0
    assert not (site / "output" / "pagefind").exists()
    config = site / "timeline.toml"
    config.write_text("search = false\n" + config.read_text())  # top-level keys go before [[eras]] tables
    assert run_timeline("build", cwd=site).returncode == 0
    assert not (site / "output" / "pagefind").exists()
    config.write_text(config.read_text().replace("search = false", 'search = "no"'))
    result = run_timeline("build", cwd=site)
    assert result.returncode == 1 and "config key 'search' must be true or false" in result.stderr
