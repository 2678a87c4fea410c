"""The search indexes: one for a small site, one per year for a large one, each made again
only when its pages change, the same bytes as a clean build, and found by a reader in Chromium."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote_plus, urlsplit

import pytest

import pages_server
from conftest import REPO, make_site, touch_edit, tree_hash
from generator.render import search
from generator.build import BuildOptions, build
from test_cache import write_corpus


def page(body: str) -> bytes:
    return f'<!doctype html><html lang="en"><body><article data-pagefind-body>{body}</article></body></html>'.encode()


def test_a_small_site_has_one_index_and_a_large_one_an_index_per_year(monkeypatch: pytest.MonkeyPatch):
    files = {"index.html": b"<!doctype html><p>Timeline</p>", "404.html": page("Missing"),
             "2023/05/01/a/index.html": page("One"), "2024/01/02/b/index.html": page("Two"),
             "2024/03/04/c/index.html": page("Three"), "about/index.html": page("About"), "style.css": b"p{}"}
    assert list(search.plan(files)) == [""]
    assert [path for path, _ in search.plan(files)[""]] == [  # every page but 404: Pagefind picks the marked
        "2023/05/01/a/index.html", "2024/01/02/b/index.html", "2024/03/04/c/index.html", "about/index.html",
        "index.html"]
    monkeypatch.setattr(search, "INDEXED_PAGES_PER_SITE", 3)
    assert {folder: [path for path, _ in pages] for folder, pages in search.plan(files).items()} == {
        "2023/": ["2023/05/01/a/index.html"],
        "2024/": ["2024/01/02/b/index.html", "2024/03/04/c/index.html"],
        "other/": ["about/index.html"]}


@pytest.fixture
def large_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A 300-entry site over three years, indexed per year (the threshold lowered to 50 pages),
    with every Pagefind run recorded by the year of its first page."""
    write_corpus(tmp_path / "corpus", 300)
    site = make_site(tmp_path / "site", seeds=tmp_path / "corpus")
    monkeypatch.chdir(site)
    monkeypatch.setattr(search, "INDEXED_PAGES_PER_SITE", 50)
    runs: list[str] = []
    real = search._bundle

    def recorded(pages, language):
        runs.append(pages[0][0][:5])
        return real(pages, language)

    monkeypatch.setattr(search, "_bundle", recorded)
    return site, runs


def test_an_edit_remakes_only_the_index_of_its_year_and_equals_a_clean_build(large_site):
    site, runs = large_site
    cached = BuildOptions(cache_dir=Path(".timeline-cache"), jobs=2)

    def same_as_clean() -> None:
        shutil.rmtree("clean", ignore_errors=True)
        build(BuildOptions(out_dir=Path("clean")))
        assert tree_hash(site / "output") == tree_hash(site / "clean")

    build(cached)
    pagefind = site / "output" / "pagefind"
    assert json.loads((pagefind / "indexes.json").read_text()) == ["2022/", "2023/", "2024/"]
    assert sorted(runs) == ["2022/", "2023/", "2024/"]
    for year in ("2022", "2023", "2024"):
        assert (pagefind / year / "pagefind-entry.json").is_file()
        runtime = {name for name in ("pagefind.js", "pagefind-worker.js", "wasm.en.pagefind")
                   if (pagefind / year / name).is_file()}
        assert runtime == ({"pagefind.js", "pagefind-worker.js", "wasm.en.pagefind"} if year == "2022" else set())
    assert not list(pagefind.rglob("pagefind-ui*"))  # the search page has its own interface
    same_as_clean()

    runs.clear()
    touch_edit(site / "seeds" / "2023-02-02-story-1.md", "More on 1.", "More on the first story, edited.")
    build(cached)  # a new process would do the same: each build() reads the cache from disk
    assert runs == ["2023/"]
    same_as_clean()

    runs.clear()
    for seed in (site / "seeds").glob("2024-*"):
        seed.unlink()
    build(cached)  # the last entry of 2023 no longer links on to a 2024 one: its year is indexed again
    assert runs == ["2023/"] and json.loads((pagefind / "indexes.json").read_text()) == ["2022/", "2023/"]
    assert not (pagefind / "2024").exists()
    same_as_clean()

    runs.clear()
    for saved in (site / ".timeline-cache" / "search").glob("*/pagefind-entry.json"):
        saved.write_bytes(saved.read_bytes()[:100])  # a damaged cache is made again, never trusted
    touch_edit(site / "seeds" / "2022-01-01-wire-0.txt", "Both sides spoke after.", "Both sides spoke later.")
    build(cached)
    assert sorted(runs) == ["2022/", "2023/"]
    same_as_clean()


def test_a_reader_finds_orders_and_narrows_entries_of_every_year_of_a_site_indexed_per_year(
        browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The shipped seeds indexed per year (2023, 2024, 2025), under /REPO/: a word of a 2023 entry
    (the first index) and one of 2025 (merged into it in the browser) are both found; newest or
    oldest first holds across the years (Pagefind alone would interleave the indexes); and an
    actor's filter finds exactly that actor's entries of every year."""
    site = make_site(tmp_path / "site", seeds=REPO / "seeds", config=REPO / "timeline.toml")
    monkeypatch.chdir(site)
    monkeypatch.setattr(search, "INDEXED_PAGES_PER_SITE", 10)
    build(BuildOptions(base_url="/REPO/"))
    assert json.loads((site / "output/pagefind/indexes.json").read_text()) == ["2023/", "2024/", "2025/"]
    every = json.loads((site / "output/entries.json").read_text())["entries"]
    server, url = pages_server.start(site / "output", "/REPO/")
    context = browser.new_context()
    try:
        reader = context.new_page()
        errors: list[str] = []
        reader.on("console", lambda m: m.type == "error" and errors.append(m.text))
        reader.on("pageerror", lambda e: errors.append(str(e)))
        for word, entry in (("Warsaw", "2023/12/18/burns-barnea-mbar-meet-in-warsaw/"),
                            ("Sharm", "2025/10/06/indirect-talks-open-in-sharm-el-sheikh/")):
            reader.goto(f"{url}/REPO/search/?q={word}")
            assert "/REPO/" + entry in {urlsplit(r["url"]).path for r in all_results(reader)}

        reader.goto(f"{url}/REPO/search/?q=ceasefire")
        reader.locator("#search-more").dblclick()  # a hurried reader: the next results are listed once
        relevance = all_results(reader)
        assert len({r["url"] for r in relevance}) == len(relevance)
        for order in ("newest", "oldest"):
            reader.goto(f"{url}/REPO/search/?q=ceasefire&sort={order}")
            dated = all_results(reader)
            dates = [r["datetime"] for r in dated]
            assert dates == sorted(dates, reverse=order == "newest") and len({d[:4] for d in dates}) > 1
            assert sorted(r["url"] for r in dated) == sorted(r["url"] for r in relevance)

        years = {}
        for e in every:
            for actor in e["actors"]:
                years.setdefault(actor["name"], set()).add(e["date"][:4])
        actor = min(name for name, seen in years.items() if len(seen) == 3)
        reader.goto(f"{url}/REPO/search/?actor={quote_plus(actor)}&sort=newest")
        shown = all_results(reader)
        named = sorted((e for e in every if actor in [a["name"] for a in e["actors"]]), key=lambda e: e["date"])
        assert [r["datetime"] for r in shown] == [e["date"] for e in named][::-1]
        assert {urlsplit(r["url"]).path for r in shown} == {urlsplit(e["url"]).path for e in named}
        assert errors == []
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def all_results(reader) -> list[dict]:
    """Every result of the search on screen, asking for more until there are no more."""
    reader.wait_for_function(r"/^(\d+|No) entr/.test(document.getElementById('search-status').textContent)",
                             timeout=15000)
    count = re.match(r"\d+|No", reader.locator("#search-status").inner_text()).group()
    total = 0 if count == "No" else int(count)
    settled = "!document.getElementById('search-results').hasAttribute('aria-busy')"  # nothing is loading
    reader.wait_for_function(settled, timeout=15000)
    while reader.locator(".search-result").count() < total:
        reader.locator("#search-more").click()
        reader.wait_for_function(settled, timeout=15000)
    return reader.eval_on_selector_all(".search-result", """items => items.map(li => ({
        url: li.querySelector('a').href, datetime: li.querySelector('time').getAttribute('datetime')}))""")


def test_a_site_built_without_an_index_says_so_on_its_search_page(browser, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    """``--no-search`` (or the preview): the search page explains that there is no index."""
    site = make_site(tmp_path / "site")
    monkeypatch.chdir(site)
    build(BuildOptions(search=False))
    assert not (site / "output" / "pagefind").exists()
    server, url = pages_server.start(site / "output", "/")
    context = browser.new_context()
    try:
        reader = context.new_page()
        reader.goto(f"{url}/search/?q=talks")
        message = reader.locator("#search-unavailable")
        message.wait_for(state="visible", timeout=15000)
        assert "There is no search index here" in message.inner_text()
    finally:
        context.close()
        server.shutdown()
        server.server_close()
