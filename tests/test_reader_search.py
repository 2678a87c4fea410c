"""Search as a reader meets it, in headless Chromium, on the fixture site (the run's shared build,
conftest.py): from an entry page's header to results with their dates and eras, ordered by date,
narrowed by a filter, kept in the URL; without JavaScript; axe and measured contrast in light and
dark; no request leaving the site; and filters the interface was never told about."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import quote_plus, urlsplit

import pytest

import pages_server
from conftest import make_site, run_timeline
from test_reader import AXE, need_file, run_axe

ENTRY = "2024/05/09/greyford-round-ends/"
WORD = "accord"


def entries(output: Path) -> list[dict]:
    return json.loads((output / "entries.json").read_text())["entries"]


def matching(all_entries: list[dict], word: str) -> list[dict]:
    """The entries whose indexed text (title, summary, body, sources) has a word starting with ``word``."""
    def text(entry: dict) -> str:
        body = re.sub(r"<[^>]+>", " ", entry["body_html"])
        return " ".join([entry["title"], entry["summary"] or "", body, *(s["title"] for s in entry["sources"])])
    return [e for e in all_entries if re.search(rf"\b{word}", text(e), re.IGNORECASE)]


def names(entry: dict) -> list[str]:
    return [actor["name"] for actor in entry["actors"]]


def open_page(browser, url: str, scheme: str = "light", javascript: bool = True):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme,
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.errors, page.hosts = [], set()
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    context.on("request", lambda request: page.hosts.add(urlsplit(request.url).hostname))  # the worker's too
    page.goto(url)
    return page


def results(page, count: int) -> list[dict]:
    """The results once ``count`` are listed (a change empties the list at once), as shown."""
    page.wait_for_function(f"document.querySelectorAll('.search-result').length === {count}", timeout=15000)
    return page.eval_on_selector_all(".search-result", """items => items.map(li => {
        const time = li.querySelector('time'), era = li.querySelector('.search-result-era');
        return {url: new URL(li.querySelector('a').href).pathname, date: time && time.textContent,
                datetime: time && time.getAttribute('datetime'), era: era && era.textContent};
    })""")


def test_the_header_search_gives_dated_results_a_reader_can_order_and_narrow(browser, fixture_sites):
    root, output = fixture_sites["/REPO/"]
    every = entries(output)
    found = matching(every, WORD)
    assert 2 < len(found) < len(every)
    page = open_page(browser, root + ENTRY)
    page.locator("h1").click()
    page.keyboard.press("/")
    page.keyboard.type(WORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/REPO/search/?q={WORD}")

    shown = results(page, len(found))
    by_url = {e["url"]: e for e in every}
    assert sorted(r["url"] for r in shown) == sorted(e["url"] for e in found)
    for result in shown:
        entry = by_url[result["url"]]
        assert (result["date"], result["datetime"]) == (entry["date_display"], entry["date"])
        assert result["era"] == (f"Era: {entry['era']}" if entry["era"] else None)
    assert any(r["era"] for r in shown) and any(not r["era"] for r in shown)
    assert page.locator("#search-status").inner_text() == f"{len(found)} entries match “{WORD}”."

    oldest = [e["date_display"] for e in sorted(found, key=lambda e: e["date"])]
    page.locator("#search-sort").focus()
    page.keyboard.press("ArrowDown")  # keyboard only: Best match -> Newest first
    page.wait_for_url("**&sort=newest")
    assert [r["date"] for r in results(page, len(found))] == oldest[::-1]
    page.select_option("#search-sort", label="Oldest first")
    page.wait_for_url("**&sort=oldest")
    assert [r["date"] for r in results(page, len(found))] == oldest

    named = Counter(name for e in found for name in names(e))
    actor = min(name for name, count in named.items() if count < len(found))  # one that narrows the list
    narrowed = [e for e in found if actor in names(e)]
    page.locator("#search-filters summary").press("Enter")
    box = page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(actor)} \(\d+\)$"))
    box.focus()
    page.keyboard.press("Space")
    page.wait_for_url(f"**&sort=oldest&actor={quote_plus(actor)}")
    shown = results(page, len(narrowed))
    assert [r["url"] for r in shown] == [e["url"] for e in sorted(narrowed, key=lambda e: e["date"])]
    assert page.locator("#search-status").inner_text().endswith(f", with Actor: {actor}.")

    page.go_back()  # the list before the filter, from the history
    results(page, len(found))
    assert not box.is_checked() and page.locator("#search-sort").input_value() == "oldest"
    linked = page.url.replace("sort=oldest", f"sort=oldest&actor={quote_plus(actor)}")
    page.goto(linked)  # a filtered list, linked: the same list
    assert [r["url"] for r in results(page, len(narrowed))] == [r["url"] for r in shown]
    assert box.is_checked()
    assert page.hosts == {"127.0.0.1"}
    assert page.errors == []
    page.context.close()


def test_without_javascript_the_header_search_lands_on_the_search_page_saying_what_to_do(browser, fixture_sites):
    page = open_page(browser, fixture_sites["/REPO/"][0] + ENTRY, javascript=False)
    page.locator("#site-search").fill(WORD)
    page.locator("#site-search").press("Enter")
    page.wait_for_url(f"**/REPO/search/?q={WORD}")
    assert "Search needs JavaScript. Browse the entries by actor, place or tag instead." in page.locator("main").inner_text()
    assert page.locator("#search-controls").is_hidden()
    page.context.close()


def results_page(browser, fixture_sites, scheme: str):
    """Search results ordered and narrowed, the filters open: every part of the interface on screen."""
    root, output = fixture_sites["/"]
    found = matching(entries(output), WORD)
    actor = min(name for e in found for name in names(e))
    narrowed = [e for e in found if actor in names(e)]
    page = open_page(browser, f"{root}search/?q={WORD}&sort=newest&actor={quote_plus(actor)}", scheme)
    results(page, len(narrowed))
    assert page.locator("#search-filters").evaluate("details => details.open")
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_search_results(browser, fixture_sites, scheme):
    need_file(AXE, "axe-core")
    page = results_page(browser, fixture_sites, scheme)
    assert run_axe(page) == []
    page.context.close()


CONTRAST = """() => {
  const parse = c => { const n = c.match(/[\\d.]+/g).map(Number); const k = c.startsWith('color(') ? 255 : 1;
                       return {r: n[0] * k, g: n[1] * k, b: n[2] * k, a: n.length > 3 ? n[3] : 1}; };
  const over = (top, under) => ({r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
                                b: top.b * top.a + under.b * (1 - top.a), a: 1});
  const background = el => {  // the element's own background over its ancestors', down to an opaque one
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.a > 0) layers.push(c);
      if (c.a >= 1) break;
    }
    return layers.reverse().reduce((under, top) => over(top, under), {r: 255, g: 255, b: 255, a: 1});
  };
  const lum = c => [c.r, c.g, c.b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                                   .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (fg, bg) => { const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x); return (a + 0.05) / (b + 0.05); };
  const measured = [];
  const measure = (el, what, color) => {
    const bg = background(el);
    measured.push({what, ratio: Math.round(ratio(over(parse(color), bg), bg) * 100) / 100});
  };
  for (const el of document.querySelectorAll('#search *, .site-header *')) {
    if (!el.getClientRects().length) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (own || el.matches('input:not([type=checkbox]), select')) {
      measure(el, el.tagName.toLowerCase() + '.' + el.className + ': ' + (el.value || el.textContent).trim().slice(0, 30),
              getComputedStyle(el).color);
    }
  }
  for (const input of document.querySelectorAll('input[placeholder]')) {
    measure(input, 'placeholder of #' + input.id, getComputedStyle(input, '::placeholder').color);
  }
  return measured;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_of_the_search_page_has_at_least_4_5_to_1_contrast(browser, fixture_sites, scheme):
    """Computed from the page's own styles: every text of the results, the form and the filters,
    the header's, and both search boxes' placeholders, against the background it is drawn on."""
    page = results_page(browser, fixture_sites, scheme)
    measured = page.evaluate(CONTRAST)
    kinds = " ".join(m["what"] for m in measured)
    for part in ("a.: ", "time.", "span.search-result-era", "mark.", "p.search-result-excerpt", "span.count",
                 "legend.", "summary.", "select.", "placeholder of #search-query", "placeholder of #site-search"):
        assert part in kinds, part  # each kind of text was measured
    assert [m for m in measured if m["ratio"] < 4.5] == []
    page.context.close()


def test_filters_the_interface_was_never_told_about_show_up_labelled(browser, tmp_path: Path):
    """An entry template with two more filters, a thread and a "news-desk" (markup this test adds;
    the shipped templates have neither): both are offered, named Thread and News Desk, and narrow."""
    site = make_site(tmp_path / "site")
    template = site / "templates" / "entry.html"
    text = template.read_text()
    text = text.replace('<header class="entry-header">', '<header class="entry-header" data-pagefind-filter='
                        '"news-desk:{{ \'Desk\' if entry.tags else \'Wire\' }}">', 1)
    text = text.replace("<h1>", '<h1 data-pagefind-filter="thread:Water quotas">', 1)
    template.write_text(text)
    assert run_timeline("build", cwd=site).returncode == 0
    server, url = pages_server.start(site / "output", "/")
    try:
        every = entries(site / "output")
        page = open_page(browser, f"{url}/search/?q={WORD}")
        found = matching(every, WORD)
        results(page, len(found))
        assert page.locator("#search-filters summary").inner_text() == "Narrow by actor, tag, thread or news desk"
        assert page.locator("#search-filters legend").all_text_contents() == ["Actor", "Tag", "Thread", "News Desk"]
        page.locator("#search-filters summary").click()
        page.get_by_role("checkbox", name=re.compile(r"^Wire \(\d+\)$")).check()
        wire = [e for e in found if not e["tags"]]
        assert sorted(r["url"] for r in results(page, len(wire))) == sorted(e["url"] for e in wire)
        page.goto(f"{url}/search/?thread=Water+quotas")  # no words: every entry the filter leaves
        results(page, len(every))
        assert page.locator("#search-status").inner_text() == f"{len(every)} entries with Thread: Water quotas."
        assert page.errors == []
        page.context.close()
    finally:
        server.shutdown()
        server.server_close()
