"""A long timeline splits by month so no page grows huge, and every entry stays reachable."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import make_site, run_timeline
from generator.render.pages import RECENT, SPLIT_AT


def test_long_timeline_gets_month_pages_and_stays_linked(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    count = SPLIT_AT + 40
    for i in range(count):
        day = f"{2022 + (i // 12) % 3}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        (seeds / f"{day}-story-{i}.md").write_text(
            f"---\ntitle: Story {i}\ndate: {day}\nsources:\n  - title: t\n    url: https://x.example/{i}\n"
            f"    date: {day}\n---\nBody of story {i}.\n")
    site = make_site(tmp_path / "site", seeds=seeds)
    result = run_timeline("build", "--base-url", "/REPO/", cwd=site)
    assert result.returncode == 0, result.stderr
    out = site / "output"
    index = (out / "index.html").read_text()
    assert index.count('<p class="entry-title">') == RECENT
    month_pages = sorted(out.glob("20*/[01][0-9]/index.html"))
    assert len(month_pages) == 36
    listed = sum(p.read_text().count('class="entry-title"') for p in month_pages)
    assert listed == count  # every entry is on exactly one month page
    assert re.search(r'href="2022/01/"', index)
    biggest = max(p.stat().st_size for p in out.rglob("*.html"))
    assert biggest < 1024 * 1024 and (out / "index.html").stat().st_size < 150 * 1024
    entry = (out / "2022/01/01/story-0/index.html").read_text()
    assert 'href="../../../../2022/01/#e-story-0"' in entry  # "back to the timeline" goes to its month page
    checked = run_timeline("check", "--dir", "output", "--base-url", "/REPO/", cwd=site)
    assert checked.returncode == 0, checked.stderr[-2000:]
