"""Builds that reuse a BuildCache (as the preview does) equal builds from scratch, byte for byte."""

from __future__ import annotations

from pathlib import Path

from conftest import touch_edit
from generator.build import BuildCache, BuildOptions, build_site


def check_same(site: Path, cache: BuildCache) -> dict[str, bytes]:
    """Build in the current folder (the site) with and without the cache; both must agree."""
    options = BuildOptions()
    cached = build_site(options, cache).files
    fresh = build_site(options).files
    assert cached.keys() == fresh.keys()
    assert [name for name in fresh if cached[name] != fresh[name]] == []
    return cached


def test_cached_rebuilds_match_fresh_builds_through_every_kind_of_change(site: Path, monkeypatch):
    monkeypatch.chdir(site)
    cache = BuildCache()
    first = check_same(site, cache)
    seeds = site / "seeds"

    touch_edit(seeds / "2024-05-09-greyford-round-ends.md", "Greyford round ends", "Greyford talks end")
    after_edit = check_same(site, cache)
    changed = sorted(name for name in after_edit if after_edit[name] != first.get(name))
    assert "2024/05/09/greyford-round-ends/index.html" in changed and "index.html" in changed
    assert "2025/01/10/first-figures/index.html" not in changed  # untouched pages stay as they were

    (seeds / "2024-06-14-cafe-vote.md").unlink()
    after_delete = check_same(site, cache)
    assert "2024/06/14/cafe-vote/index.html" not in after_delete

    touch_edit(site / "templates" / "base.html", "Skip to content", "Skip to the content")
    assert b"Skip to the content" in check_same(site, cache)["2025/01/10/first-figures/index.html"]

    touch_edit(site / "templates" / "_entry_list.html", '<ol class="entry-list">', '<ol class="entry-list x">')
    assert b'class="entry-list x"' in check_same(site, cache)["actors/ada-lind/index.html"]

    touch_edit(seeds / "_actors.toml", 'name = "Ada Lind"', 'name = "Ada M. Lind"')
    assert b"Ada M. Lind" in check_same(site, cache)["2024/05/09/greyford-round-ends/index.html"]

    touch_edit(site / "timeline.toml", 'title = "Lakeside Water Talks"', 'title = "Lake Talks"')
    assert b"Lake Talks" in check_same(site, cache)["2025/01/10/first-figures/index.html"]


def test_disk_cache_gives_the_same_site_and_survives_corruption(site: Path):
    from conftest import run_timeline, tree_hash

    fresh = run_timeline("build", "--no-cache", "--out", "fresh", cwd=site)
    assert fresh.returncode == 0
    first = run_timeline("build", cwd=site)
    assert first.returncode == 0 and (site / ".timeline-cache" / "entries.pickle").is_file()
    second = run_timeline("build", cwd=site)
    assert "(0 written, 55 unchanged, 0 removed)" in second.stdout
    assert tree_hash(site / "output") == tree_hash(site / "fresh")

    cache_file = site / ".timeline-cache" / "entries.pickle"
    for damage in (lambda b: b[: len(b) // 2], lambda b: b[:-1] + bytes([b[-1] ^ 1]), lambda b: b"garbage"):
        cache_file.write_bytes(damage(cache_file.read_bytes()))
        touch_edit(site / "seeds" / "2024-06-14-cafe-vote.md", "hall because", "hall, because")
        touch_edit(site / "seeds" / "2024-06-14-cafe-vote.md", "hall, because", "hall because")
        assert run_timeline("build", cwd=site).returncode == 0
        assert tree_hash(site / "output") == tree_hash(site / "fresh")


def test_parallel_parsing_gives_the_same_site(tmp_path: Path):
    from conftest import make_site, run_timeline, tree_hash
    from generator.load import PARALLEL_THRESHOLD

    seeds = tmp_path / "many"
    seeds.mkdir()
    for i in range(PARALLEL_THRESHOLD + 20):
        day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
        if i % 2:
            (seeds / f"{day}-wire-{i}.txt").write_text(
                f"---\nsources:\n  - title: t\n    url: https://x.example/{i}\n---\n"
                f"date {day} Story number {i} happened. It had consequences.\n\nHeading {i}\n\nMore text.\n")
        else:
            (seeds / f"{day}-md-{i}.md").write_text(
                f"---\ntitle: Story {i}\ndate: {day}\nsources:\n  - title: t\n    url: https://x.example/{i}\n---\n"
                f"Body of story **{i}**.\n\n## Part\n\nMore.\n")
    (seeds / "bad.md").write_text("---\ntitle: Bad\n---\nNo date.\n")
    site = make_site(tmp_path / "site", seeds=seeds)
    one = run_timeline("build", "-j", "1", "--no-cache", "--out", "one", cwd=site)
    two = run_timeline("build", "-j", "2", "--no-cache", "--out", "two", cwd=site)
    assert one.returncode == two.returncode == 1
    assert one.stderr.replace("one/", "two/") == two.stderr
    assert "seeds/bad.md:1: missing required front matter key 'date'" in two.stderr
    (site / "seeds" / "bad.md").unlink()
    assert run_timeline("build", "-j", "1", "--no-cache", "--out", "one", cwd=site).returncode == 0
    assert run_timeline("build", "-j", "2", "--no-cache", "--out", "two", cwd=site).returncode == 0
    assert tree_hash(site / "one") == tree_hash(site / "two")
