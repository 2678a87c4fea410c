"""RELIABILITY.md group H (build integrity and the output folder) and E3 (future dates).

Faults are real: the kernel refuses the writes (a file-size limit, a user without write
permission), a second real build runs against a held lock. Each failing build must leave
output/ byte-identical and no staging folder behind.
"""

from __future__ import annotations

import fcntl
import importlib
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from generator.errors import BuildError
from generator.render.search import make_indexes

from conftest import assert_build_fails, run_timeline, touch_edit, tree_hash

LATE_SEED = "---\ntitle: Talks planned for next spring\ndate: 2031-03-01\n---\nA round is planned.\n"


@pytest.mark.case("H1")
def test_every_kind_of_error_after_a_good_build_changes_nothing(built_site: Path):
    (built_site / "seeds" / "bad.md").write_text("---\ntitle: a: b\ndate: 2024-01-01\n---\n")
    assert_build_fails(built_site, "seeds/bad.md:2: invalid front matter YAML")
    (built_site / "seeds" / "bad.md").unlink()
    touch_edit(built_site / "templates" / "entry.html", "</article>", "{{ entry.nope() }}</article>")
    assert_build_fails(built_site, "templates/entry.html:")
    touch_edit(built_site / "templates" / "entry.html", "{{ entry.nope() }}</article>", "</article>")
    (built_site / "timeline.toml").write_text("title = 3\n")
    assert_build_fails(built_site, "timeline.toml:1: ")


def _limit_file_size() -> None:
    """In the child: files may not grow past 4 KiB, and writing past it fails with EFBIG
    (rather than the default SIGXFSZ, which would kill the process)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.mark.case("H3")
@pytest.mark.parametrize("args", [["--no-search"], []])
def test_a_write_the_disk_refuses_is_an_error_and_the_old_site_stays(built_site: Path, args):
    """The kernel refuses the first file larger than 4 KiB, as a full disk refuses a write: a
    file of the new site, or of the search index's scratch copy, which is made before writing."""
    touch_edit(built_site / "seeds" / "2024-06-14-cafe-vote.md", "hall because", "hall, because")
    seeds, output = tree_hash(built_site / "seeds"), tree_hash(built_site / "output")
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--no-cache", *args], cwd=built_site,
                            capture_output=True, text=True, timeout=120, preexec_fn=_limit_file_size)
    assert result.returncode == 1, result.stderr
    refused = (r"output/\S+:1: cannot write the site: File too large\n" if args else
               r"\(search index\): cannot make the search index: File too large\n")
    assert re.fullmatch(refused + r"timeline: build failed with 1 error; output/ left as it was\n",
                        result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert tree_hash(built_site / "output") == output and tree_hash(built_site / "seeds") == seeds
    assert not list(built_site.glob(".output.*"))


@pytest.mark.case("H3")
def test_a_search_index_the_disk_refuses_is_one_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The scratch copy Pagefind indexes cannot be made (here the kernel refuses a folder
    inside a file): one error, no traceback."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(tempfile, "tempdir", str(blocker))
    page = b'<!doctype html><html lang="en"><body><main data-pagefind-body><p>Talks resume.</p></main></body></html>'
    with pytest.raises(BuildError) as caught:
        make_indexes({"index.html": page}, {"index.html": "0" * 32}, {}, "en")
    assert [str(p) for p in caught.value.problems] == ["(search index): cannot make the search index: Not a directory"]


@pytest.mark.case("H5")
@pytest.mark.parametrize("out", ["seeds", ".", "templates"])
def test_never_replaces_a_folder_it_did_not_make(built_site: Path, out: str):
    before = tree_hash(built_site)
    result = run_timeline("build", "--out", out, cwd=built_site)
    assert result.returncode == 1
    assert "refusing to replace a non-empty folder that timeline did not create" in result.stderr
    assert tree_hash(built_site) == before


@pytest.mark.case("H6")
def test_cname_nojekyll_and_a_git_checkout_survive_every_build(built_site: Path):
    output = built_site / "output"
    assert run_timeline("build", "--no-search", cwd=built_site).returncode == 0
    (output / "CNAME").write_text("timeline.example.org\n")
    git = output / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (git / "refs" / "heads" / "gh-pages").write_text("0" * 40 + "\n")
    for old, new in (("hall because", "hall, because"), ("hall, because", "hall because")):
        touch_edit(built_site / "seeds" / "2024-06-14-cafe-vote.md", old, new)
        result = run_timeline("build", "--no-search", cwd=built_site)  # (search fragments would be "removed")
        assert result.returncode == 0, result.stderr
        assert (output / "CNAME").read_text() == "timeline.example.org\n"
        assert (output / ".nojekyll").is_file()
        assert (git / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"
        assert (git / "refs" / "heads" / "gh-pages").is_file()
        assert "0 removed" in result.stdout  # the kept .git is not counted as the site's


@pytest.mark.case("H7")
def test_a_symlinked_output_folder_is_refused_and_the_site_has_no_links(built_site: Path, tmp_path: Path):
    for _ in range(2):  # the second build hard-links unchanged files from the first
        assert run_timeline("build", cwd=built_site).returncode == 0
    files = [p for p in (built_site / "output").rglob("*")]
    assert not [p for p in files if p.is_symlink()]
    assert not [p for p in files if p.is_file() and p.stat().st_nlink != 1]  # Pages artifacts: no links
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (built_site / "linked").symlink_to(elsewhere)
    result = run_timeline("build", "--out", "linked", cwd=built_site)
    assert result.returncode == 1 and "linked:1: output folder is a symlink" in result.stderr
    assert list(elsewhere.iterdir()) == []


@pytest.mark.case("H8")
def test_a_second_build_waits_for_the_first(built_site: Path):
    """The test holds the build lock, as a running build would: the build waits, says so, and
    completes once the lock is released."""
    fd = os.open(built_site, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        touch_edit(built_site / "seeds" / "2024-06-14-cafe-vote.md", "hall because", "hall, because")
        waiting = subprocess.Popen([sys.executable, "-m", "generator", "build"], cwd=built_site,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        assert waiting.poll() is None, "the build did not wait for the lock"
        assert "hall, because" not in (built_site / "output/2024/06/14/cafe-vote/index.html").read_text()
    finally:
        os.close(fd)
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert "another build is writing output/; waiting for it to finish" in err
    assert "hall, because" in (built_site / "output/2024/06/14/cafe-vote/index.html").read_text()


@pytest.mark.case("E3")
def test_future_entries_wait_for_their_day_with_a_warning(built_site: Path):
    (built_site / "seeds" / "2031-03-01-plans.md").write_text(LATE_SEED)
    result = run_timeline("build", "--clock", "2026-11-28", cwd=built_site)
    assert result.returncode == 0
    assert ("seeds/2031-03-01-plans.md:3: warning: dated 2031-03-01, after today (2026-11-28): "
            "left out until then (--future includes it)") in result.stderr
    assert not (built_site / "output/2031").exists()
    assert run_timeline("build", "--future", cwd=built_site).returncode == 0
    assert (built_site / "output/2031/03/01/plans/index.html").is_file()
    # SOURCE_DATE_EPOCH is "now" for reproducible builds: 2031-06-01 00:00 UTC.
    reproducible = run_timeline("build", cwd=built_site, env={"SOURCE_DATE_EPOCH": "1937779200"})
    assert reproducible.returncode == 0 and "after today" not in reproducible.stderr
    assert (built_site / "output/2031/03/01/plans/index.html").is_file()
    assert_build_fails(built_site, "seeds/2031-03-01-plans.md:3: dated 2031-03-01, after today (2026-11-28)",
                       "--clock", "2026-11-28", "--strict")


@pytest.mark.case("K3")
def test_a_site_too_big_for_pages_is_a_warning_and_strict_refuses_it(site: Path, monkeypatch):
    """The Pages limit is 1 GB; here it is lowered to 10 kB so that the fixture site exceeds it.
    (A site holds no links to audit: every file is written from bytes or hard-linked.)"""
    build_module = importlib.import_module("generator.build")  # `generator.build` is the function

    monkeypatch.chdir(site)
    monkeypatch.setattr(build_module, "PAGES_LIMIT", 10_000)
    result = build_module.build(build_module.BuildOptions(search=False))
    [warning] = [w for w in result.warnings if "GitHub Pages" in w.message]
    assert warning.path == "output" and warning.line == 1
    assert re.fullmatch(r"the site is \d+\.\d MB; GitHub Pages publishes at most 0 MB", warning.message)
    with pytest.raises(build_module.BuildError, match="GitHub Pages publishes at most"):
        build_module.build(build_module.BuildOptions(search=False, strict=True, out_dir=Path("strict")))
    assert not (site / "strict").exists()
