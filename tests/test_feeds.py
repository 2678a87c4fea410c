"""Feeds, discovery files, page metadata and data exports, read back with real parsers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import html5lib
import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_site, run_timeline
from generator.render.exports import _ics_fold, _ics_text

BASE = "https://user.github.io/REPO/"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    site = make_site(tmp_path_factory.mktemp("feeds") / "site")
    result = run_timeline("build", "--base-url", BASE, cwd=site)
    assert result.returncode == 0, result.stderr
    return site / "output"


@pytest.fixture(scope="module")
def entries(built: Path) -> list[dict]:
    return json.loads((built / "entries.json").read_text())["entries"]


def test_atom_feed_is_valid_rfc_4287(built: Path, entries: list[dict]):
    raw = (built / "feed.xml").read_bytes()
    root = ET.fromstring(raw)
    assert root.tag == f"{ATOM}feed"
    for element in [root, *root.findall(f"{ATOM}entry")]:
        for required in ("id", "title", "updated"):
            assert (element.findtext(f"{ATOM}{required}") or "").strip()
        dt.datetime.fromisoformat(element.findtext(f"{ATOM}updated"))  # RFC 3339 with an offset
    assert root.find(f"{ATOM}author/{ATOM}name") is not None  # entries carry no author of their own
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == BASE + "feed.xml"

    feed = feedparser.parse(raw)
    assert feed.bozo == 0 and feed.version == "atom10"
    newest_first = sorted(entries, key=lambda e: (e["date"], e["slug"]), reverse=True)
    assert [item.link for item in feed.entries] == [e["url"] for e in newest_first]
    assert [item.title for item in feed.entries] == [e["title"] for e in newest_first]
    assert [item.summary for item in feed.entries] == [e["summary"] for e in newest_first]
    ids = [item.id for item in feed.entries]
    assert len(set(ids)) == len(ids) == len(entries)
    assert all(i.startswith("urn:uuid:") for i in ids)


def test_feed_ids_are_stable_across_builds_and_hosts(tmp_path: Path, built: Path):
    site = make_site(tmp_path / "site")
    assert run_timeline("build", "--base-url", "https://elsewhere.example/", cwd=site).returncode == 0
    ids_here = [e.findtext(f"{ATOM}id") for e in ET.parse(built / "feed.xml").getroot().iter(f"{ATOM}entry")]
    ids_there = [e.findtext(f"{ATOM}id") for e in ET.parse(site / "output/feed.xml").getroot().iter(f"{ATOM}entry")]
    assert ids_here == ids_there


def test_json_feed_1_1(built: Path, entries: list[dict]):
    feed = json.loads((built / "feed.json").read_text())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == BASE + "feed.json" and feed["home_page_url"] == BASE
    by_url = {e["url"]: e for e in entries}
    assert len(feed["items"]) == len(entries)
    for item in feed["items"]:
        entry = by_url[item["url"]]
        assert (item["title"], item["summary"], item["content_html"]) == \
               (entry["title"], entry["summary"], entry["body_html"])
        assert item["date_published"].startswith(entry["date"])
        dt.datetime.fromisoformat(item["date_published"])
    assert all(isinstance(item["id"], str) for item in feed["items"])


def test_every_page_links_the_feeds_and_has_canonical_and_social_meta(built: Path):
    pages = sorted(built.rglob("*.html"))
    for page in pages:
        head = html5lib.parse(page.read_bytes(), namespaceHTMLElements=False).find("head")
        feeds = {(l.get("type"), l.get("href")) for l in head.iter("link") if l.get("rel") == "alternate"}
        where = page.relative_to(built).as_posix()  # links are relative, but for the 404 page (any depth)
        up = "/REPO/" if where == "404.html" else "../" * where.count("/")
        assert feeds == {("application/atom+xml", up + "feed.xml"), ("application/feed+json", up + "feed.json")}
        meta = {m.get("property") or m.get("name"): m.get("content") for m in head.iter("meta")}
        for key in ("og:title", "og:description", "og:type", "og:site_name", "twitter:card"):
            assert meta.get(key), (page, key)
        if page.name == "404.html":
            continue
        rel = page.relative_to(built).as_posix().removesuffix("index.html")
        canonical = next(l.get("href") for l in head.iter("link") if l.get("rel") == "canonical")
        assert canonical == BASE + rel == meta["og:url"]


def test_json_ld_is_news_article_with_citations_and_an_item_list(built: Path, entries: list[dict]):
    def jsonld(page: Path) -> dict:
        doc = html5lib.parse(page.read_bytes(), namespaceHTMLElements=False)
        (script,) = [s for s in doc.iter("script") if s.get("type") == "application/ld+json"]
        return json.loads(script.text)

    article = jsonld(built / "2024/06/14/cafe-vote/index.html")
    assert article["@type"] == "NewsArticle"
    assert article["headline"] == "Northmere ratifies the accord at the Café Müller hall"
    assert article["datePublished"] == "2024-06-14" and article["dateModified"] == "2024-06-20"
    assert [c["url"] for c in article["citation"]] == ["https://zeitung.example/nachrichten/see-abkommen?id=7&lang=en"]
    listing = jsonld(built / "index.html")
    assert listing["@type"] == "ItemList"
    turning = [BASE + "2024/06/14/cafe-vote/", BASE + "2025/01/10/first-figures/"]  # the fixture's turning points
    assert [i["url"] for i in listing["itemListElement"]] == turning
    assert [i["position"] for i in listing["itemListElement"]] == [1, 2] and listing["numberOfItems"] == 2


def test_json_ld_cannot_break_out_of_its_script(tmp_path: Path):
    site = make_site(tmp_path / "site")
    (site / "seeds" / "2024-08-01-evil.md").write_text(
        '---\ntitle: "</script><script>alert(1)</script>"\ndate: 2024-08-01\nsources:\n  - title: "t"\n'
        '    url: "https://x.example/"\n---\nBody.\n')
    assert run_timeline("build", "--base-url", BASE, cwd=site).returncode == 0
    page = (site / "output/2024/08/01/evil/index.html").read_text()
    doc = html5lib.parse(page, namespaceHTMLElements=False)
    scripts = [s for s in doc.iter("script") if not s.get("src", "").endswith("/local.js")]  # ours, on every page
    assert len(scripts) == 1 and scripts[0].get("type") == "application/ld+json"
    assert json.loads(scripts[0].text)["headline"] == "</script><script>alert(1)</script>"


def test_sitemap_lists_every_page_and_robots_points_to_it(built: Path):
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [u.findtext(f"{ns}loc") for u in ET.parse(built / "sitemap.xml").getroot().iter(f"{ns}url")]
    pages = sorted(BASE + p.relative_to(built).as_posix().removesuffix("index.html")
                   for p in built.rglob("*.html") if p.name != "404.html")
    assert sorted(locs) == pages
    assert (built / "robots.txt").read_text().splitlines()[-1] == f"Sitemap: {BASE}sitemap.xml"


def test_without_a_host_there_is_no_sitemap_nor_canonical(tmp_path: Path):
    site = make_site(tmp_path / "site")
    assert run_timeline("build", cwd=site).returncode == 0
    assert not (site / "output/sitemap.xml").exists()
    assert 'rel="canonical"' not in (site / "output/index.html").read_text()
    assert "Sitemap:" not in (site / "output/robots.txt").read_text()


def test_timelinejs_export_has_the_required_fields(built: Path, entries: list[dict]):
    data = json.loads((built / "timeline.json").read_text())
    assert data["title"]["text"]["headline"] == "Lakeside Water Talks"
    assert len(data["events"]) == len(entries)
    for event, entry in zip(data["events"], entries):
        assert event["unique_id"] == entry["slug"]
        assert isinstance(event["start_date"]["year"], int)
        assert event["start_date"]["year"] == int(entry["date"][:4])
        assert event["text"]["headline"] == entry["title"]
        assert event.get("group") == (entry["thread"]["name"] if entry["thread"] else None)  # eras are bands
    assert len({e["unique_id"] for e in data["events"]}) == len(entries)
    assert [era["text"]["headline"] for era in data["eras"]] == ["Greyford round", "Ratification"]
    assert all({"start_date", "end_date"} <= era.keys() for era in data["eras"])


def test_entries_json_has_every_field(entries: list[dict]):
    cafe = next(e for e in entries if e["slug"] == "cafe-vote")
    assert cafe["updated"] == "2024-06-20" and cafe["update_note"].startswith("Corrected the vote count")
    assert cafe["actors"] == [{"id": "northmere-council", "name": "Northmere Council"},
                              {"id": "ada-lind", "name": "Ada Lind"}]
    assert cafe["sources"][0]["publisher"] == "Nordmeer Zeitung" and cafe["era"] == "Ratification"
    assert set(cafe) >= {"date", "title", "summary", "body_html", "headings", "tags", "places", "url", "source_file"}


def test_entries_csv_is_rfc_4180(built: Path, entries: list[dict]):
    raw = (built / "entries.csv").read_bytes()
    assert raw.count(b"\r\n") == len(entries) + 1 and b"\n" not in raw.replace(b"\r\n", b"")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert [(r["date"], r["title"], r["url"], r["summary"]) for r in rows] == \
           [(e["date"], e["title"], e["url"], e["summary"]) for e in entries]
    assert rows[3]["actors"] == "Northmere Council; Ada Lind"


def test_calendar_is_rfc_5545_with_stable_uids(built: Path, entries: list[dict]):
    raw = (built / "calendar.ics").read_bytes()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded lines
    calendar = icalendar.Calendar.from_ical(raw)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == len(entries)
    for event, entry in zip(events, entries):
        assert str(event["summary"]) == entry["title"]
        start = event.decoded("dtstart")
        assert isinstance(start, dt.date) and not isinstance(start, dt.datetime)  # all-day
        assert start.isoformat() == entry["date"]
        assert event.decoded("dtend") - start == dt.timedelta(days=1)
        assert str(event["uid"]) == entry["id"].removeprefix("urn:uuid:") + "@timeline"
        assert str(event["url"]) == entry["url"]


def test_data_page_links_every_export(built: Path):
    page = (built / "data/index.html").read_text()
    for name in ("feed.xml", "feed.json", "entries.json", "entries.csv", "calendar.ics", "timeline.json"):
        assert f'href="../{name}"' in page
    assert 'href="data/"' in (built / "index.html").read_text()


@settings(max_examples=2000 if os.environ.get("CI") else 300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_calendar_text_reads_back_as_written(text: str):
    """Escaping and folding of any text (commas, backslashes, newlines, multi-byte characters)
    survive a real iCalendar reader; only control characters other than newlines are dropped."""
    line = _ics_fold("SUMMARY:" + _ics_text(text))
    assert all(len(part.encode()) <= 75 for part in line.split("\r\n"))
    raw = ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" + line + "END:VEVENT\r\nEND:VCALENDAR\r\n").encode()
    event = icalendar.Calendar.from_ical(raw).walk("VEVENT")[0]
    expected = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text.replace("\r\n", "\n").replace("\r", "\n"))
    assert str(event["summary"]) == expected
