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


def test_a_small_site_has_one_index_and_a_large_one_a_shard_per_stretch_of_time(monkeypatch: pytest.MonkeyPatch):
    files = ["index.html", "404.html", "2023/05/01/a/index.html", "2024/01/02/b/index.html",
             "2024/03/04/c/index.html", "2024/03/index.html", "2024/03/09/d/index.html", "about/index.html",
             "style.css"]
    assert search.plan(files) == {"": [  # every page but 404: Pagefind picks the marked
        "2023/05/01/a/index.html", "2024/01/02/b/index.html", "2024/03/04/c/index.html", "2024/03/09/d/index.html",
        "2024/03/index.html", "about/index.html", "index.html"]}
    monkeypatch.setattr(search, "SHARD_PAGES", 1)  # a year, a month, then days: each as large as it may be
    monkeypatch.setattr(search, "MOST_SHARD_PAGES", 1)  # the shard size is pinned
    assert search.plan(files) == {
        "2023/": ["2023/05/01/a/index.html"], "2024/01/": ["2024/01/02/b/index.html"],
        "2024/03/": ["2024/03/index.html", "2024/03/04/c/index.html"], "2024/03/09/": ["2024/03/09/d/index.html"],
        "other/": ["about/index.html", "index.html"]}
    monkeypatch.setattr(search, "SHARD_PAGES", 3)  # a year that fits is one shard
    monkeypatch.setattr(search, "MOST_SHARD_PAGES", 3)  # the shard size is pinned
    assert list(search.plan(files)) == ["2023/", "2024/", "other/"]


def test_a_larger_site_has_larger_shards_up_to_what_pagefind_holds_at_once():
    """Shards double in size as the site doubles past ``SHARDS`` of them, so the search page loads
    fewer word-index chunks; never past ``MOST_SHARD_PAGES``, which bounds Pagefind's memory."""
    small, most = search.SHARD_PAGES, search.MOST_SHARD_PAGES
    assert search.shard_pages(search.SHARDS * small) == small
    assert search.shard_pages(search.SHARDS * small + 1) == 2 * small
    assert search.shard_pages(10**6) == most
    days = [f"{2020 + i % 5}/{1 + i % 12:02d}/{1 + i % 28:02d}/e{i}/index.html" for i in range(10_000)]
    sizes = [sum(1 for path in paths if search.DAY.match(path)) for paths in search.plan(days).values()]
    assert sum(sizes) == 10_000 and max(sizes) <= most
    assert len(sizes) <= 10_000 // most + 5  # a few runs of months short of full, one or two a year
    assert len(sizes) < 10_000 // small  # far fewer than shards of the smallest size would be


def test_the_index_of_an_entry_s_article_alone_is_the_index_of_its_page(tmp_path: Path):
    """``stub`` gives Pagefind only the marked article and the title: every fragment (text,
    metadata, filters, sort) and the word index come out the same as from the whole pages."""
    site = make_site(tmp_path / "site")
    build(BuildOptions(seeds_dir=site / "seeds", out_dir=site / "output", config_path=site / "timeline.toml",
                       templates_dir=site / "templates", static_dir=site / "static", search=False))
    pages = sorted(p for p in (site / "output").rglob("*.html") if search.MARK in p.read_bytes())
    made = {}
    for how in ("whole", "stub"):
        root = tmp_path / how
        for page in pages:
            target = root / page.relative_to(site / "output")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(page.read_bytes() if how == "whole" else search.stub(page.read_bytes()))
        names, bundle, _ = search._index(root, "en", False)
        made[how] = {name for name in names if re.match(r"(fragment|index)/", name)}
    assert made["stub"] == made["whole"] and len(made["whole"]) > len(pages)
    assert search.stub(pages[0].read_bytes()).count(b"<article") == 1
    assert len(search.stub(pages[0].read_bytes())) < len(pages[0].read_bytes()) / 2
    head = b'<html><head><meta data-pagefind-meta="image[content]" content="/x.png"></head><body>'
    odd = head + b'<article data-pagefind-body><h1>A</h1></article></body></html>'
    assert search.stub(odd) == odd  # a mark outside the article: the whole page
    shouting = b'<html><body><H1 class="x">A</H1><article data-pagefind-body><p>B</p></article></body></html>'
    assert search.stub(shouting) == shouting  # an h1 outside, in any case: the whole page
    quoted = b'<html><body><div title="a<b" data-pagefind-body><p>B</p></div><p>C</p></body></html>'
    assert search.stub(quoted).endswith(b'<body><div title="a<b" data-pagefind-body><p>B</p></div></body></html>')


@pytest.fixture
def large_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A 300-entry site over three years, a shard per year (at most 100 entry pages a shard),
    with every Pagefind run recorded by the year of its first page."""
    write_corpus(tmp_path / "corpus", 300)
    site = make_site(tmp_path / "site", seeds=tmp_path / "corpus")
    monkeypatch.chdir(site)
    monkeypatch.setattr(search, "SHARD_PAGES", 100)
    monkeypatch.setattr(search, "MOST_SHARD_PAGES", 100)  # the shard size is pinned
    runs: list[str] = []
    real = search._index

    def recorded(site, language, runtime):
        runs.append(min(p.relative_to(site).as_posix() for p in site.rglob("*.html"))[:5])
        return real(site, language, runtime)

    monkeypatch.setattr(search, "_index", recorded)
    return site, runs


@pytest.mark.case("H4")
def test_an_edit_remakes_only_the_shard_of_its_year_and_equals_a_clean_build(large_site):
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
    assert "2023/" in runs and "2024/" not in runs  # and 2022, where a page lists the entry edited
    same_as_clean()

    runs.clear()
    for seed in (site / "seeds").glob("2024-*"):
        seed.unlink()
    build(cached)  # the last entry of 2023 no longer links on to a 2024 one: its year is indexed again
    assert "2023/" in runs and json.loads((pagefind / "indexes.json").read_text()) == ["2022/", "2023/"]
    assert not (pagefind / "2024").exists()
    same_as_clean()

    runs.clear()
    entry = pagefind / "2023" / "pagefind-entry.json"
    entry.write_bytes(entry.read_bytes()[:100])  # a shard not as it was written is made again, never trusted
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
    monkeypatch.setattr(search, "SHARD_PAGES", 40)
    monkeypatch.setattr(search, "MOST_SHARD_PAGES", 40)  # the shard size is pinned
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
        # A hurried reader clicks twice: the next results are listed once. Two clicks on the button itself:
        # a double click at one spot can land its second click on a result the first one listed above it.
        reader.locator("#search-more").evaluate("more => { more.click(); more.click(); }")
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
