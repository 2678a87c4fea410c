"""Actors, places, tags and eras: resolution, detection in text, their pages, and config errors."""

from __future__ import annotations

from pathlib import Path

import html5lib
import pytest

from conftest import FIXTURE_SITE, REPO, make_site, run_timeline
from generator.config import load_config
from generator.load.seeds import load_entries
from generator.load.markup import MarkdownConverter
from generator.load.registry import load_registry
from generator.timeline import build_timeline


def fixture_timeline():
    loaded = load_entries(FIXTURE_SITE / "seeds", MarkdownConverter())
    config = load_config(FIXTURE_SITE / "timeline.toml")
    return build_timeline(loaded.entries, eras=config.eras, figures=config.figures,
                          threads=config.threads, relations=config.relations)


def page_entries(page: Path) -> list[str]:
    """The entry links listed on an actor, place or tag page, in order."""
    doc = html5lib.parse(page.read_bytes(), namespaceHTMLElements=False)
    return [a.get("href") for a in doc.iterfind(".//ol[@class='entry-list']/li/p[@class='entry-title']/a")]


def test_detection_finds_whole_names_only():
    registry = load_registry(FIXTURE_SITE / "seeds")
    text = "Lind met Ada Lind's team; Lindholm, Blind and Lindsay did not. AL left."
    assert [a.id for a in registry.actor_finder.find(text)] == ["ada-lind"]
    assert registry.actor_finder.find("Lindholm and Blind and lindy") == []
    assert registry.place_finder.find("the Greyfordshire board") == []


def test_explicit_names_resolve_by_id_name_or_alias_and_detection_adds_the_rest():
    by_slug = {e.slug: e for e in fixture_timeline().entries}
    greyford = by_slug["greyford-round-ends"]
    assert [a.id for a in greyford.actors] == ["river-authority", "northmere-council", "southwick-council",
                                               "ada-lind"]  # the last found in the text ("Lind")
    cafe = by_slug["cafe-vote"]
    assert [a.id for a in cafe.actors] == ["northmere-council", "ada-lind"]  # "AL" given explicitly
    quiet = by_slug["southwick-reservoir-question"]  # detect: false, though it names Ada Lind
    assert [a.id for a in quiet.actors] == ["southwick-council"]


def test_facet_pages_list_exactly_their_entries_in_order(tmp_path: Path):
    site = make_site(tmp_path / "site")
    assert run_timeline("build", "--base-url", "/REPO/", cwd=site).returncode == 0
    out = site / "output"
    # Links are relative to the page (../../ from a facet's page): they work under /REPO/ and from disk.
    assert page_entries(out / "actors/ada-lind/index.html") == [
        "../../2024/05/09/greyford-round-ends/", "../../2024/06/14/cafe-vote/"]
    assert page_entries(out / "places/greyford/index.html") == [
        "../../2024/05/02/mediators-from-river-authority-will-host-both-town-councils/",
        "../../2024/05/09/greyford-round-ends/", "../../2024/05/09/southwick-reservoir-question/"]
    assert page_entries(out / "tags/vote/index.html") == ["../../2024/06/14/cafe-vote/"]
    page = html5lib.parse((out / "actors/ada-lind/index.html").read_bytes(), namespaceHTMLElements=False)
    roles = ["".join(li.itertext()) for li in page.iterfind(".//ul[@class='roles']/li")]
    assert [r.split(" (")[0] for r in roles] == ["Chief negotiator for Northmere", "Mayor of Northmere"]
    assert page.findall(".//span[@class='role']") == []  # each role once, with its dates, not on every row
    with_her = ["".join(li.itertext()) for li in page.iterfind(".//ul[@class='companions']/li")]
    assert with_her == ["Northmere Council 2 entries", "River Authority 1 entry", "Southwick Council 1 entry"]
    index = (out / "actors/index.html").read_text()
    assert '<a href="../actors/ada-lind/">Ada Lind</a> <span class="count">2 entries</span>' in index
    # By side: an affiliation of two or more actors is a group (the one most entries involve first);
    # the others share the last group.
    groups = [h.text for h in html5lib.parse(index, namespaceHTMLElements=False).iterfind(".//h2[@class='actor-group']")]
    assert groups == ["Northmere", "Others"]
    filters = (out / "index.html").read_text()
    assert filters.index('filter-subgroup">Northmere') < filters.index('data-id="ada-lind"') < \
        filters.index('filter-subgroup">Others') < filters.index('data-id="river-authority"')


def test_entry_page_links_every_actor_place_and_tag(tmp_path: Path):
    site = make_site(tmp_path / "site")
    assert run_timeline("build", cwd=site).returncode == 0
    page = (site / "output/2024/05/09/greyford-round-ends/index.html").read_text()
    for href in ("actors/river-authority/", "actors/ada-lind/", "places/greyford/", "tags/talks-round/"):
        assert f'href="../../../../{href}"' in page


def test_unknown_actor_is_an_error_with_its_line(site: Path):
    seed = site / "seeds" / "2024-05-09-greyford-round-ends.md"
    seed.write_text(seed.read_text().replace("actors: [River Authority, Northmere Council, Southwick Council]",
                                             "actors:\n  - River Authority\n  - Nobody Known"))
    result = run_timeline("build", cwd=site)
    assert result.returncode == 1
    assert "seeds/2024-05-09-greyford-round-ends.md:8: unknown actor 'Nobody Known' (not in _actors.toml)" \
        in result.stderr


def test_shipped_march_21_entry_links_its_actors():
    loaded = load_entries(REPO / "seeds", MarkdownConverter())
    entry = next(e for e in loaded.entries if e.slug == "barnea-cleared-for-qatar-talks")
    ids = {a.id for a in entry.actors}
    assert {"david-barnea", "william-burns", "antony-blinken", "benjamin-netanyahu", "qatar"} <= ids
    assert not loaded.registry.open, "the shipped seeds have an actors file"


def test_eras_cut_the_timeline_where_they_begin_and_name_each_entrys_era():
    timeline = fixture_timeline()
    may = timeline.years[0].months[0]
    assert [(run.era.name if run.era else None, len(run.entries)) for run in may.runs] == [("Greyford round", 3)]
    assert [page.era.name if page.era else None for page in timeline.pages] == [
        "Greyford round", "Greyford round", "Greyford round", "Ratification", None]


def test_month_only_dates_sort_at_the_months_start_and_show_the_month(site: Path):
    (site / "seeds" / "2024-06-mid-month.md").write_text(
        "---\ntitle: Talks sometime in June\ndate: 2024-06\nsources:\n  - title: t\n    url: https://x.example/\n"
        "---\nBody.\n")
    (site / "seeds" / "2024-06-vague.md").write_text(
        "---\ntitle: Vague timing\ndate: 2024-06-15\ndate_display: mid-June 2024\nsources:\n  - title: t\n"
        "    url: https://x.example/\n---\nBody.\n")
    assert run_timeline("build", cwd=site).returncode == 0
    page = (site / "output/2024/06/mid-month/index.html").read_text()
    assert '<time datetime="2024-06" ' in page and 'data-pagefind-sort="date:2024-06 mid-month">June 2024</time>' in page
    index = (site / "output/index.html").read_text()
    index = index[index.index('<div class="list">'):]  # the list (the key moments come first)
    assert index.index("Talks sometime in June") < index.index("Northmere ratifies") < index.index("Vague timing")
    assert '<time datetime="2024-06-15">mid-June 2024</time>' in index


@pytest.mark.parametrize("eras, line, message", [
    ('[[eras]]\nname = "A"\nstart = 2024-05-01\nend = 2024-04-01\n', 3, "era 'A': ends (2024-04-01) before it starts"),
    ('[[eras]]\nname = "A"\nstart = 2024-01-01\nend = 2024-05-01\n\n[[eras]]\nname = "B"\nstart = 2024-04-01\n'
     'end = 2024-06-01\n', 8, "era 'B' overlaps 'A' (2024-01-01 to 2024-05-01)"),
    ('[[eras]]\nname = "A"\nstart = "soon"\nend = 2024-05-01\n', 3, "era 'A': start and end must be dates"),
    ('[[eras]]\nname = "A"\nstart = 2024-01-01\nend = 2024-05-01\ncolour = "red"\n', 3, "era 'A': unknown key 'colour'"),
])
def test_bad_eras_are_config_errors_with_the_line(site: Path, eras: str, line: int, message: str):
    (site / "timeline.toml").write_text('title = "T"\ndescription = "D"\n' + eras)
    result = run_timeline("build", cwd=site)
    assert result.returncode == 1
    assert f"timeline.toml:{line}: {message}" in result.stderr, result.stderr


@pytest.mark.parametrize("mutation, line, message", [
    (lambda t: t.replace('id = "greyford"', 'id = "Grey Ford"'), 51, "place 'Grey Ford': id must be lowercase"),
    (lambda t: t.replace('kind = "body"', 'kind = "club"', 1), 8, "actor 'river-authority': kind must be one of"),
    (lambda t: t.replace('start = 2024-06-01', 'start = 2024-06-01\n  colour = "red"'), 49,
     "actor 'ada-lind': unknown role key 'colour' (allowed: title, start, end)"),
    (lambda t: t.replace('id = "northmere-council"', 'id = "river-authority"'), 14, "actor id 'river-authority' is used twice"),
])
def test_bad_actors_file_is_reported_with_the_line(site: Path, mutation, line, message):
    path = site / "seeds" / "_actors.toml"
    path.write_text(mutation(path.read_text()))
    result = run_timeline("build", cwd=site)
    assert result.returncode == 1
    assert f"seeds/_actors.toml:{line}: {message}" in result.stderr, result.stderr


def test_site_without_actors_file_keeps_names_as_written(site: Path):
    (site / "seeds" / "_actors.toml").unlink()
    assert run_timeline("build", cwd=site).returncode == 0
    actors = sorted(p.name for p in (site / "output/actors").iterdir() if p.is_dir())
    # "AL" is now an actor of its own, and nothing is detected in the text (no names to look for).
    assert actors == ["al", "northmere-council", "river-authority", "southwick-council"]


def test_ambiguous_alias_must_be_resolved_by_id(site: Path):
    path = site / "seeds" / "_actors.toml"
    path.write_text(path.read_text().replace('aliases = ["Southwick\'s council"]', 'aliases = ["AL"]'))
    result = run_timeline("build", cwd=site)
    assert result.returncode == 1
    assert "actor name 'AL' is ambiguous: it could be southwick-council or ada-lind; use the id" in result.stderr


def test_tags_show_the_names_the_actors_file_gives_them_everywhere(tmp_path: Path):
    import json

    site = make_site(tmp_path / "site")
    assert run_timeline("build", "--base-url", "https://x.example/", cwd=site).returncode == 0
    out = site / "output"
    entry = (out / "2024/05/09/greyford-round-ends/index.html").read_text()
    assert '<a href="../../../../tags/talks-round/" data-pagefind-filter="tag">Rounds of talks</a>' in entry  # [[tag]]
    assert '<a href="../../../../tags/draft/" data-pagefind-filter="tag">Draft</a>' in entry  # the slug, readable
    page = (out / "tags/talks-round/index.html").read_text()
    assert "<h1>Rounds of talks</h1>" in page and "Sessions of the two councils and their mediators." in page
    assert '<a href="../tags/talks-round/">Rounds of talks</a>' in (out / "tags/index.html").read_text()
    assert '<button data-id="talks-round">Rounds of talks <span class="count">' in (out / "index.html").read_text()
    records = json.loads((out / "entries.json").read_text())["entries"]
    assert next(r for r in records if r["slug"] == "greyford-round-ends")["tags"] == ["Rounds of talks", "Draft"]
    assert 'term="talks-round" label="Rounds of talks"' in (out / "feed.xml").read_text()


@pytest.mark.parametrize("table, expected", [
    ('id = "truce"\n', "tag 'truce': name is required text"),
    ('id = "truce"\nname = "Truces"\ncolour = "red"\n', "tag 'truce': unknown key 'colour' (allowed: id, name, description)"),
    ('id = "Truce"\nname = "Truces"\n', "tag 'Truce': id must be lowercase ASCII letters, digits and hyphens"),
])
def test_a_bad_tag_table_is_an_error_with_its_line(built_site: Path, table: str, expected: str):
    from conftest import assert_build_fails

    registry = built_site / "seeds" / "_actors.toml"
    text = registry.read_text() + "\n[[tag]]\n" + table
    registry.write_text(text)
    line = text.count("\n", 0, text.rindex("[[tag]]")) + 1
    found = assert_build_fails(built_site, f"seeds/_actors.toml:")
    assert any(f":{n}: {expected}" in found for n in range(line, line + 4)), found


def test_the_places_index_is_grouped_by_country(tmp_path: Path):
    site = make_site(tmp_path / "site")
    registry = site / "seeds" / "_actors.toml"
    registry.write_text(registry.read_text().replace('id = "southwick"\nname = "Southwick"\naliases = []\ncountry = "Lakeside"',
                                                     'id = "southwick"\nname = "Southwick"\naliases = []'))
    assert run_timeline("build", cwd=site).returncode == 0
    page = html5lib.parse((site / "output/places/index.html").read_bytes(), namespaceHTMLElements=False)
    main = page.find(".//main")
    groups, children = [], list(main)
    for i, child in enumerate(children):
        if child.get("class") == "place-group":  # the group's heading, then its list
            groups.append((child.text, [a.text for a in children[i + 1].iter("a")]))
    assert groups[-1] == ("Other places", ["Southwick"])  # no country given: last
    assert [name for name, _ in groups[:-1]] == sorted(name for name, _ in groups[:-1])
