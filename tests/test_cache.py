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
