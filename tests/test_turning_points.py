"""The reader's timeline as data: the time axis's layout, turning points, key figures, where
things stand, and the errors each new input gives (file:line, exit 1, nothing lost)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from conftest import assert_build_fails, run_timeline
from generator.config import load_config
from generator.load.markup import MarkdownConverter
from generator.load.seeds import load_entries
from generator.model import Entry, Figure
from generator.render.axis import LANES, time_axis
from generator.render.figures import HEIGHT, TOP, WIDTH, figure_charts
from generator.render.facets import facet_keys
from generator.render.pages import key_moments
from generator.timeline import build_timeline


def fixture_timeline(site: Path):
    config = load_config(site / "timeline.toml")
    loaded = load_entries(site / "seeds", MarkdownConverter())
    return build_timeline(loaded.entries, eras=config.eras, now=loaded.now, figures=config.figures,
                          threads=config.threads, relations=config.relations)


def entry(day: str, slug: str, **more) -> Entry:
    return Entry(date=dt.date.fromisoformat(day), title=f"Title {slug}", slug=slug, summary="S.", body_html="",
                 source_path=f"{slug}.md", **more)


def test_the_axis_spans_whole_months_and_places_every_entry_by_date(site: Path):
    timeline = fixture_timeline(site)
    axis = time_axis(timeline, split=False, era_links={})
    assert [(m.year, m.month) for m in axis.months] == [(2024, m) for m in range(5, 13)] + [(2025, 1)]
    assert axis.months[0].left == 0 and abs(axis.months[-1].left + axis.months[-1].width - 100) < 0.01
    for before, after in zip(axis.months, axis.months[1:]):
        assert abs(before.left + before.width - after.left) < 0.01  # no gaps, no overlaps
    assert [m.count for m in axis.months] == [3, 1, 0, 0, 0, 0, 0, 0, 1]
    assert [m.link for m in axis.months if m.count] == ["#m-2024-05", "#m-2024-06", "#m-2025-01"]
    assert [(y.year, y.left) for y in axis.years] == [(2024, 0), (2025, axis.months[-1].left)]
    assert [m.entry for m in axis.marks] == list(timeline.entries)
    days = (dt.date(2025, 2, 1) - dt.date(2024, 5, 1)).days
    for mark in axis.marks:
        assert abs(mark.left - 100 * (mark.entry.date - dt.date(2024, 5, 1)).days / days) < 0.01
    same_day = [m for m in axis.marks if m.entry.date == dt.date(2024, 5, 9)]
    assert len({m.lane for m in same_day}) == 2  # two entries of one day stack, they do not overlap
    assert [(e.name, e.colour) for e in axis.eras] == [("Greyford round", 0), ("Ratification", 1)]


def test_turning_points_are_labelled_and_listed_as_key_moments(site: Path):
    timeline = fixture_timeline(site)
    axis = time_axis(timeline, split=False, era_links={})
    labelled = {m.entry.slug: m.label for m in axis.marks if m.label}
    assert labelled == {"cafe-vote": "Accord ratified",  # its milestone_label
                        "first-figures": "The river authority…"}  # no label: the title, cut at a word
    moments = key_moments(timeline)
    assert [m.entry.slug for m in moments] == ["cafe-vote", "first-figures"]
    # The line adds to the title: a headline cut from the summary's first sentence skips it.
    assert moments[1].line == "A spokesperson said the figures would be updated on the tenth of each month."


def test_close_marks_take_the_next_lane_up_to_the_last():
    entries = [entry("2024-01-01", f"e{i}") for i in range(LANES + 2)] + [entry("2024-12-31", "late")]
    timeline = build_timeline(entries)
    lanes = [m.lane for m in time_axis(timeline, split=False, era_links={}).marks]
    assert lanes == [*range(LANES), LANES - 1, LANES - 1, 0]


def test_a_split_timeline_draws_months_that_link_to_their_pages():
    entries = [entry(f"2024-{m:02d}-01", f"e{m}-{i}") for m in range(1, 13) for i in range(45)]
    axis = time_axis(build_timeline(entries), split=True, era_links={})
    assert axis.marks == () and [m.link for m in axis.months][:2] == ["2024/01/", "2024/02/"]


def test_figures_are_totals_as_given_or_counts_summed():
    entries = [entry("2024-01-01", "a", figures=(("freed", 3), ("held", 10))),
               entry("2024-02-01", "b", figures=(("freed", 2),)),
               entry("2024-03-01", "c", figures=(("held", 4),))]
    figures = (Figure("freed", "Freed", kind="count"), Figure("held", "Held", kind="total"),
               Figure("unused", "Nobody reports it"))
    charts = figure_charts(build_timeline(entries, figures=figures))
    assert [c.figure.id for c in charts] == ["freed", "held"]  # a figure no entry gives draws nothing
    freed, held = charts
    assert [(p.given, p.value) for p in freed.points] == [(3, 3), (2, 5)]
    assert [(p.given, p.value) for p in held.points] == [(10, 10), (4, 4)]
    assert held.points[0].y == TOP and held.points[1].y == pytest.approx(HEIGHT - (HEIGHT - TOP) * 4 / 10, abs=0.01)
    assert all(0 <= p.x <= WIDTH for c in charts for p in c.points)
    assert freed.line == f"M{freed.points[0].x:g} {freed.points[0].y:g}H{freed.points[1].x:g}V{freed.points[1].y:g}H300"


def test_filter_keys_name_each_facet_by_its_place_among_the_buttons(site: Path):
    timeline = fixture_timeline(site)
    keys = facet_keys(timeline)
    vote = next(e for e in timeline.entries if e.slug == "cafe-vote")
    expected = [f"a{i}" for i, f in enumerate(timeline.actors) if vote in f.entries] + \
               [f"p{i}" for i, f in enumerate(timeline.places) if vote in f.entries] + \
               [f"t{i}" for i, f in enumerate(timeline.tags) if vote in f.entries] + \
               [f"h{i}" for i, c in enumerate(timeline.threads) if vote in [s.entry for s in c.steps]]
    assert keys[vote.anchor].split() == expected and len(expected) >= 3


def test_where_things_stand_is_read_with_its_sources(site: Path):
    timeline = fixture_timeline(site)
    assert timeline.now.as_of == dt.date(2025, 1, 10)
    assert timeline.now.sources[0].publisher == "River Authority"
    assert timeline.now.body_html.startswith("<p>Both towns are within their summer quotas")


def test_where_things_stand_older_than_the_latest_entry_warns_and_fails_a_strict_build(site: Path):
    now = site / "seeds" / "_now.md"
    now.write_text(now.read_text().replace("as_of: 2025-01-10", "as_of: 2024-12-31"))
    result = run_timeline("build", cwd=site)
    assert result.returncode == 0
    message = ("seeds/_now.md:1: warning: as_of 2024-12-31 is older than the latest entry (2025-01-10, "
               "2025-01-10-first-figures.txt): update where things stand")
    assert message in result.stderr
    assert_build_fails(site, "seeds/_now.md:1: as_of 2024-12-31 is older than the latest entry", "--strict")


@pytest.mark.parametrize("text, expected", [
    ("---\nsources: []\n---\nText.\n", "seeds/_now.md:1: missing 'as_of'"),
    ("---\nas_of: 2025-13-01\n---\nText.\n", "seeds/_now.md:2: as_of '2025-13-01' is not a valid calendar date"),
    ("---\nas_of: 2025-01-10\n---\n\n", "seeds/_now.md:1: no text after the front matter"),
    ("Just text.\n", "seeds/_now.md:1: no front matter"),
])
def test_a_bad_where_things_stand_file_is_an_error_with_its_line(built_site: Path, text: str, expected: str):
    (built_site / "seeds" / "_now.md").write_text(text)
    assert_build_fails(built_site, expected)


@pytest.mark.parametrize("front, expected", [
    ("milestone_label: Ratified\n", ":6: milestone_label needs 'milestone: true'"),
    ("milestone: true\nmilestone_label: " + "x" * 31 + "\n", ":7: milestone_label is 31 characters long; at most 30"),
    ("milestone: yes please\n", ":6: milestone is str 'yes please'; write true or false"),
    ("figures: [1, 2]\n", ":6: figures must be a mapping of figure id to number, not list [1, 2]"),
    ("figures: {councils-ratified: -1}\n", ":6: figures: councils-ratified is int -1; it must be a whole number"),
    ("figures: {councils-ratified: 1.5}\n", ":6: figures: councils-ratified is float 1.5; it must be a whole"),
    ("figures: {Bad Id: 1}\n", ":6: figure id 'Bad Id' must be lowercase letters, digits and hyphens"),
])
def test_bad_turning_point_or_figure_fields_are_errors_with_their_line(built_site: Path, front: str, expected: str):
    seed = built_site / "seeds" / "2024-05-09-greyford-round-ends.md"
    text = seed.read_text()
    lines = text.split("\n")
    lines.insert(5, front.rstrip("\n"))  # after line 5 of the front matter
    seed.write_text("\n".join(lines))
    assert_build_fails(built_site, f"seeds/2024-05-09-greyford-round-ends.md{expected}")


def test_a_figure_the_config_does_not_define_is_an_error_naming_the_file(built_site: Path):
    seed = built_site / "seeds" / "2024-06-14-cafe-vote.md"
    seed.write_text(seed.read_text().replace("councils-ratified: 1", "councils-ratifed: 1"))
    assert_build_fails(built_site, "seeds/2024-06-14-cafe-vote.md:1: figures: 'councils-ratifed' is not a figure "
                                   "timeline.toml defines (it defines: councils-ratified, towns-within-quota)")


@pytest.mark.parametrize("table, expected", [
    ('id = "x"\nlabel = "X"\nkind = "sum"\n', "figure 'x': kind must be one of total, count, not 'sum'"),
    ('id = "Bad"\nlabel = "X"\n', "figure 'Bad': id must be lowercase letters"),
    ('id = "towns-within-quota"\nlabel = "X"\n', "figure 'towns-within-quota': id is used twice"),
    ('id = "x"\n', "figure 'x': label is required text"),
    ('id = "x"\nlabel = "X"\ncolour = "red"\n', "figure 'x': unknown key 'colour'"),
])
def test_a_bad_figure_in_the_config_is_an_error_with_its_line(built_site: Path, table: str, expected: str):
    config = built_site / "timeline.toml"
    text = config.read_text() + "\n[[figures]]\n" + table
    config.write_text(text)
    line = text.count("\n", 0, text.rindex("[[figures]]")) + 1
    assert_build_fails(built_site, f"timeline.toml:{line}: {expected}")


def test_a_front_matter_summary_that_begins_with_the_title_is_warned_about(site: Path):
    seed = site / "seeds" / "2024-05-09-greyford-round-ends.md"
    text = seed.read_text()
    title = re.search(r'^title: "(.*)"$', text, re.M).group(1)
    seed.write_text(re.sub(r"^summary: .*$", f'summary: "{title.upper()}: and more."', text, flags=re.M))
    result = run_timeline("build", cwd=site)
    assert result.returncode == 0
    assert "seeds/2024-05-09-greyford-round-ends.md:4: warning: summary begins with the title" in result.stderr
