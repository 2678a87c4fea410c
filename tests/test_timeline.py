"""The model step: order, groups, neighbours, unique slugs."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from generator.errors import BuildError
from generator.model import Entry
from generator.timeline import build_timeline


def entry(day: str, slug: str, path: str | None = None, time: dt.time | None = None, draft: bool = False) -> Entry:
    return Entry(date=dt.date.fromisoformat(day), title=slug.title(), slug=slug, summary="", body_html="",
                 source_path=path or f"{slug}.md", time=time, draft=draft)


ENTRIES = [
    entry("2024-03-21", "b-story"),
    entry("2024-03-21", "a-story"),
    entry("2024-03-21", "evening", time=dt.time(18, 0)),
    entry("2024-03-21", "morning", time=dt.time(8, 0)),
    entry("2023-11-24", "truce"),
    entry("2024-01-28", "paris"),
    entry("2025-01-15", "deal"),
]


@pytest.mark.case("E4")
def test_order_is_date_then_time_then_slug_whatever_the_input_order():
    expected = ["truce", "paris", "a-story", "b-story", "morning", "evening", "deal"]
    for seed in range(5):
        shuffled = ENTRIES[:]
        random.Random(seed).shuffle(shuffled)
        assert [e.slug for e in build_timeline(shuffled).entries] == expected


def test_years_and_months_group_the_entries():
    timeline = build_timeline(ENTRIES)
    shape = [(y.year, [(m.month, len(m.entries)) for m in y.months]) for y in timeline.years]
    assert shape == [(2023, [(11, 1)]), (2024, [(1, 1), (3, 4)]), (2025, [(1, 1)])]
    assert timeline.years[1].months[1].anchor == "m-2024-03"


def test_previous_and_next():
    pages = build_timeline(ENTRIES).pages
    assert pages[0].previous is None and pages[0].next.slug == "paris"
    assert pages[-1].next is None and pages[-1].previous.slug == "evening"


def test_drafts_are_left_out_unless_asked_for():
    entries = ENTRIES + [entry("2024-05-01", "unfinished", draft=True)]
    assert "unfinished" not in [e.slug for e in build_timeline(entries).entries]
    assert "unfinished" in [e.slug for e in build_timeline(entries, include_drafts=True).entries]


def test_last_updated_is_the_newest_date_without_a_clock():
    assert build_timeline(ENTRIES).last_updated == dt.date(2025, 1, 15)
    assert build_timeline([]).last_updated is None


@pytest.mark.parametrize("first, second", [
    pytest.param("same", "same", marks=pytest.mark.case("F1")),
    pytest.param("About", "about", marks=pytest.mark.case("F2")),
    pytest.param("caf\u00e9", "cafe\u0301", marks=pytest.mark.case("F2")),  # NFC and NFD spellings
])
def test_slug_collision_names_both_files(first, second):
    with pytest.raises(BuildError) as caught:
        build_timeline([entry("2024-01-01", first, "one.md"), entry("2024-06-01", second, "two.md")])
    (problem,) = caught.value.problems
    assert str(problem).startswith("seeds/two.md:1: slug")
    assert "seeds/one.md" in problem.message
