"""Exports read by other programs are an attack surface too: what a spreadsheet does with a CSV
cell and what TimelineJS does with a JSON field is part of their contract. Seeds carrying a
formula and an HTML payload in every text field they have, read back by real parsers."""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path

import pytest

from conftest import run_timeline

PAYLOAD = '<img src=x onerror=alert(1)>'
FORMULAS = ("=HYPERLINK(\"https://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)",
            "\tTab", "\rCR")


def hostile_site(site: Path) -> None:
    """The fixture site with an era, the title, the description, a thread and a seed whose title,
    summary, date text, tags, actors, places and publisher start with formulas and hold HTML."""
    config = site / "timeline.toml"
    text = config.read_text().replace('title = "Lakeside Water Talks"', f'title = "Lakeside {PAYLOAD}"')
    text = text.replace('name = "Greyford round"', 'name = "=1+1 Greyford round"')
    text = text.replace('name = "The water accord"', f'name = "@accord {PAYLOAD}"')
    config.write_text(text.replace('description = "A fictional', f'description = "{PAYLOAD} A fictional', 1))
    actors = site / "seeds" / "_actors.toml"
    actors.write_text(actors.read_text() + '\n[[actor]]\nid = "minus-bloc"\nname = "-Minus Bloc"\n'
                      '\n[[place]]\nid = "cellar"\nname = "=Cellar"\n')
    (site / "seeds" / "2024-05-03-hostile.md").write_text(
        "---\n"
        f"title: '{FORMULAS[0]}'\n"
        "date: 2024-05-03\n"
        f"date_display: '-early May {PAYLOAD}'\n"
        f"summary: '+{PAYLOAD}'\n"
        "tags: ['=tag', '@other']\n"
        "actors: ['-Minus Bloc']\n"
        "places: ['=Cellar']\n"
        "detect: false\n"
        "sources:\n"
        "  - title: 'Report'\n"
        "    url: 'https://news.example/r'\n"
        "    publisher: '@Publisher'\n"
        "---\n"
        f"Body with {PAYLOAD} written out.\n")


@pytest.fixture
def built(site: Path) -> Path:
    hostile_site(site)
    result = run_timeline("build", "--no-search", cwd=site)
    assert result.returncode == 0, result.stderr
    return site / "output"


@pytest.mark.case("L1")
def test_no_csv_cell_starts_a_formula(built: Path):
    rows = list(csv.reader(io.StringIO((built / "entries.csv").read_text(encoding="utf-8"), newline="")))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    records = [dict(zip(rows[0], row)) for row in rows[1:]]
    record = next(r for r in records if r["slug"] == "hostile")
    assert record["title"] == "'" + FORMULAS[0]  # the text is all there, behind a quote
    assert record["summary"] == "'+" + PAYLOAD
    assert record["tags"].startswith("'=tag") and record["actors"] == "'-Minus Bloc"
    assert record["places"] == "'=Cellar" and record["source_publishers"] == "'@Publisher"
    assert {r["era"] for r in records} >= {"'=1+1 Greyford round"}
    assert {r["thread"] for r in records} >= {f"'@accord {PAYLOAD}"}
    assert "starts with <code>'</code> there" in (built / "data/index.html").read_text()


@pytest.mark.parametrize("formula", FORMULAS)
def test_each_formula_start_is_neutralised(formula: str):
    from generator.render.exports import _cell

    assert _cell(formula) == "'" + formula and _cell("Talks resume") == "Talks resume" and _cell(3) == 3


@pytest.mark.case("L2")
def test_timelinejs_gets_plain_text_as_escaped_html_everywhere_it_renders_html(built: Path):
    data = json.loads((built / "timeline.json").read_text())
    fields = [data["title"]["text"]["headline"], data["title"]["text"]["text"]]
    fields += [v for era in data["eras"] for v in era["text"].values()]
    for event in data["events"]:
        fields += [event["text"]["headline"], event["text"]["text"], event.get("group", ""),
                   event["start_date"].get("display_date", "")]
    assert not [f for f in fields if "<" in f or ">" in f]
    assert html.escape(PAYLOAD) in data["title"]["text"]["headline"]
    hostile = next(e for e in data["events"] if e["unique_id"] == "hostile")
    assert html.unescape(hostile["text"]["text"]) == "+" + PAYLOAD  # escaped, not dropped
    assert html.unescape(hostile["start_date"]["display_date"]) == "-early May " + PAYLOAD
    assert {html.unescape(e.get("group", "")) for e in data["events"]} >= {f"@accord {PAYLOAD}"}


def test_feeds_and_data_keep_plain_text_as_text_for_their_readers(built: Path):
    """The JSON export and JSON Feed carry titles as plain text (their readers print them as text);
    the Atom feed's title is type text, so the XML parser gives the characters back as written."""
    import xml.etree.ElementTree as ET

    entries = json.loads((built / "entries.json").read_text())["entries"]
    hostile = next(e for e in entries if e["slug"] == "hostile")
    assert hostile["summary"] == "+" + PAYLOAD and "onerror" not in hostile["body_html"]
    feed = json.loads((built / "feed.json").read_text())
    item = next(i for i in feed["items"] if i["url"].endswith("/hostile/"))
    assert item["title"] == FORMULAS[0] and "onerror" not in item["content_html"]
    atom = ET.parse(built / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = {e.find("a:title", ns).text: e.find("a:title", ns).get("type", "text") for e in atom.iterfind("a:entry", ns)}
    assert titles[FORMULAS[0]] == "text"
