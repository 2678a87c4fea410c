"""The timeline page as a reader meets it, in headless Chromium: the time axis, turning points,
where things stand, key figures, era colours, in-page links under a filter, and the site opened
straight from disk (file://) as well as served at / and under /REPO/."""

from __future__ import annotations

import pytest

import pages_server
from browser import need
from conftest import REPO, make_site, run_timeline
from test_reader import AXE, ARTIFACTS, need_file, run_axe

WIDTHS = (320, 375, 1280)


@pytest.fixture(scope="module")
def sites(tmp_path_factory, fixture_sites):
    """The fixture site (turning points, figures, where things stand) at /, under /REPO/ and on
    disk (the run's shared build, conftest.py); and the shipped site at /."""
    found = {base: url for base, (url, _) in fixture_sites.items()}
    found["file"] = (fixture_sites["/"][1] / "index.html").as_uri()
    site = make_site(tmp_path_factory.mktemp("timeline") / "site", seeds=REPO / "seeds", config=REPO / "timeline.toml")
    result = run_timeline("build", "--base-url", "/", "--no-search", cwd=site)
    assert result.returncode == 0, result.stderr
    server, url = pages_server.start(site / "output", "/")
    found["shipped"] = url + "/"
    yield found
    server.shutdown()
    server.server_close()


def open_page(browser, url: str, width: int = 1280, scheme: str = "light", javascript: bool = True):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme,
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(url)
    return page


@pytest.mark.parametrize("where", ["/", "/REPO/", "file"])
def test_every_mark_and_month_of_the_axis_leads_to_its_place_in_the_list(browser, sites, where):
    page = open_page(browser, sites[where])
    marks = page.locator(".axis-mark")
    assert marks.count() == page.locator(".entries > li").count() == 5
    for i in range(marks.count()):
        target = marks.nth(i).get_attribute("href")
        assert page.locator(f"li{target}").count() == 1, target
    lefts = page.eval_on_selector_all(".axis-mark", "ms => ms.map(m => m.getBoundingClientRect().left)")
    dates = page.eval_on_selector_all(".entries > li time", "ts => ts.map(t => t.getAttribute('datetime'))")
    assert lefts == sorted(lefts) and dates == sorted(dates)  # marks in date order along the axis
    page.locator(".axis-mark.turning").first.click()  # pointer only: keyboard users have the months
    page.wait_for_function("location.hash === '#e-cafe-vote'")
    page.wait_for_function("(() => { const box = document.getElementById('e-cafe-vote').getBoundingClientRect();"
                           " return box.top >= 0 && box.bottom <= innerHeight; })()")  # in view
    months = page.locator(".axis-months a")
    assert [months.nth(i).get_attribute("href") for i in range(months.count())] == ["#m-2024-05", "#m-2024-06",
                                                                                     "#m-2025-01"]
    assert page.errors == []
    page.context.close()


def test_filters_fade_the_axis_hide_empty_months_and_survive_in_page_jumps(browser, sites):
    page = open_page(browser, sites["/"] + "?actor=ada-lind")
    page.evaluate("window.notReloaded = true")
    shown = page.eval_on_selector_all(".entries > li:not([hidden])", "ls => ls.map(l => '#' + l.id)")
    assert shown == ["#e-greyford-round-ends", "#e-cafe-vote"]
    faded = page.eval_on_selector_all(".axis-mark", "ms => ms.map(m => [m.getAttribute('href'), "
                                                    "m.classList.contains('faded')])")
    assert all(fade == (href not in shown) for href, fade in faded) and any(f for _, f in faded)
    jump = page.eval_on_selector_all("nav.jump .jump-months li:not([hidden]) a", "as => as.map(a => a.textContent)")
    assert jump == ["May 2024", "Jun 2024"]  # January 2025 has no entry of Ada Lind's
    assert page.locator("nav.jump a.jump-year", has_text="2025").is_hidden()
    page.locator('nav.jump a[href="#m-2024-06"]').click()
    page.wait_for_function("location.hash === '#m-2024-06'")
    assert "?actor=ada-lind" in page.url and page.evaluate("window.notReloaded === true")
    page.locator(".axis-months a[href='#m-2024-05']").click()
    page.wait_for_function("location.hash === '#m-2024-05'")
    assert page.evaluate("window.notReloaded === true") and page.locator(".entries > li:visible").count() == 2
    assert page.errors == []
    page.context.close()


def test_era_colours_reach_the_spine_the_dots_and_the_axis_and_eras_end(browser, sites):
    page = open_page(browser, sites["shipped"])
    colours = page.evaluate("""() => {
        const spine = [...document.querySelectorAll('ol.entries')].map(ol =>
            [ol.className.match(/ov-era-(\\S+)/)[1], getComputedStyle(ol).borderLeftColor]);
        const axis = [...document.querySelectorAll('.axis-era')].map(span =>
            [span.className.match(/ov-era-(\\S+)/)[1], getComputedStyle(span).backgroundColor]);
        // An entry's dot is ringed in its era's colour; a turning point's is filled with it.
        const dot = li => getComputedStyle(li, '::before')[li.matches('.milestone') ? 'backgroundColor' : 'borderTopColor'];
        const dots = [...document.querySelectorAll('ol.entries > li')].map(li =>
            [getComputedStyle(li.parentElement).borderLeftColor, dot(li)]);
        return {spine, axis, dots};
    }""")
    by_era = {}
    for era, colour in colours["spine"]:
        by_era.setdefault(era, set()).add(colour)
    assert all(len(found) == 1 for found in by_era.values())  # one colour an era
    eras = [era for era in by_era if era != "-1"]
    assert len(eras) >= 6 and len({next(iter(by_era[e])) for e in eras}) == len(eras)  # distinct colours
    assert all(next(iter(by_era[era])) == colour for era, colour in colours["axis"] if era in by_era)
    assert all(spine == dot for spine, dot in colours["dots"])
    assert page.locator(".era-end").count() == page.locator(".era-start").count()
    page.context.close()


def test_you_are_here_follows_scrolling(browser, sites):
    page = open_page(browser, sites["shipped"])
    assert page.locator("#here-bar").is_hidden()  # at the top of the page there is nothing to say
    for month, name in (("m-2024-03", "March 2024"), ("m-2025-10", "October 2025")):
        page.evaluate(f"document.getElementById('{month}').scrollIntoView()")
        page.wait_for_function(f"document.getElementById('here-text').textContent.startsWith('{name}')")
        assert page.locator("#here-bar").is_visible()
        box = page.locator("#here-bar").bounding_box()
        assert box["y"] <= 1 and box["height"] < 60  # compact, kept at the top
        tick = page.evaluate(f"(() => {{ const li = document.querySelector('.axis-months li[data-month={month}]');"
                             " return parseFloat(li.style.left) + parseFloat(li.style.width) / 2; })()")
        assert float(page.evaluate("document.getElementById('axis-here').style.left").rstrip("%")) == \
            pytest.approx(tick, abs=0.01)
    assert page.errors == []
    page.context.close()


@pytest.mark.parametrize("where", ["/", "shipped"])
def test_where_things_stand_and_the_key_moments_are_in_the_first_screen_with_the_first_entry(browser, sites,
                                                                                           where):
    page = open_page(browser, sites[where])
    if page.locator(".now").count() == 0 or page.locator(".key-moments").count() == 0:
        pytest.fail("the shipped site needs seeds/_now.md and turning points")
    for selector in (".now h2", ".key-moments h2", ".key-moments li", ".entries > li", ".axis"):
        box = page.locator(selector).first.bounding_box()
        assert box["y"] < 900, (where, selector, box)
    page.context.close()


def test_key_figures_charts_match_their_tables(browser, sites):
    page = open_page(browser, sites["/"])
    charts = page.locator(".figure-chart")
    assert charts.count() == 2
    for i in range(charts.count()):
        chart = charts.nth(i)
        points = chart.locator("circle title").all_text_contents()
        chart.locator("summary").click()
        rows = chart.locator("tbody tr")
        assert rows.count() == len(points) >= 1
        for point, r in zip(points, range(rows.count())):
            cells = rows.nth(r).locator("td").all_inner_texts()
            assert point == f"{cells[0]}: {cells[1]}"  # the chart's point is the table's row
        latest = chart.locator(".figure-latest strong").inner_text()
        assert latest == rows.nth(rows.count() - 1).locator("td").nth(1).inner_text()
        link = chart.locator("svg a").first.get_attribute("href")
        assert page.locator(f"li{link}").count() == 1
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("javascript", [True, False])
def test_at_every_width_only_the_axis_scrolls_sideways(browser, sites, width, scheme, javascript):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = open_page(browser, sites["shipped"], width, scheme, javascript)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    scroller = page.locator(".axis-scroller")
    wide = page.evaluate("(() => { const s = document.querySelector('.axis-scroller');"
                         " return [s.scrollWidth, s.clientWidth, s.scrollLeft]; })()")
    if width < 900:
        assert wide[0] > wide[1]  # the axis keeps a readable scale and scrolls
        assert page.locator(".axis-scroll-hint").is_visible()  # and says so
        if javascript:  # a phone opens at the latest months
            assert wide[2] >= wide[0] - wide[1] - 1
    assert scroller.get_attribute("tabindex") == "0"  # it scrolls by keyboard too
    page.screenshot(path=str(ARTIFACTS / f"timeline-{width}-{scheme}-{'js' if javascript else 'nojs'}.png"))
    page.context.close()


def test_without_javascript_the_axis_is_links_and_text(browser, sites):
    page = open_page(browser, sites["/"], javascript=False)
    months = page.locator(".axis-months a")
    assert months.count() == 3
    assert months.first.locator("[aria-hidden=true]").inner_text() == "May"
    assert months.first.locator(".visually-hidden").text_content() == "May 2024: 3 entries"
    assert page.locator(".axis-mark").count() == 5
    assert page.locator(".axis-label", has_text="Accord ratified").is_visible()
    assert page.locator("#here-bar").is_hidden() and page.locator("#filters").is_hidden()
    page.context.close()


def test_the_axis_is_operable_by_keyboard(browser, sites):
    page = open_page(browser, sites["/"])
    page.locator("body").focus()
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.getAttribute('href') || document.activeElement.className"))
        if reached[-1] == "#m-2024-06":
            break
    assert "axis-scroller" in reached and reached[-2:] == ["#m-2024-05", "#m-2024-06"]  # the months, not 5 marks
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#m-2024-06'")
    page.context.close()


def test_from_disk_the_site_is_styled_navigable_and_filterable(browser, sites):
    page = open_page(browser, sites["file"])
    assert page.evaluate("getComputedStyle(document.querySelector('.axis-scroller')).overflowX") == "auto"
    page.locator("summary", has_text="Actors").click()
    page.locator('button[data-id="ada-lind"]').click()
    assert page.url.endswith("index.html?actor=ada-lind")
    assert page.locator(".entries > li:visible").count() == 2
    page.locator("nav.site-nav a", has_text="Actors").click()
    page.wait_for_url("**/actors/index.html")
    page.locator("a", has_text="Ada Lind").first.click()
    page.wait_for_url("**/actors/ada-lind/index.html")
    page.locator(".entry-list a").first.click()
    page.wait_for_url("**/2024/05/09/greyford-round-ends/index.html")
    assert page.locator("h1").inner_text().startswith("Greyford round ends")
    page.locator("p.back a").click()
    page.wait_for_url("**/output/index.html#e-greyford-round-ends")
    page.locator("nav.site-nav a", has_text="Search").click()
    page.wait_for_url("**/search/index.html")
    assert page.locator("#search-from-disk").is_visible()  # says why, rather than failing quietly
    assert page.errors == []
    page.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_axe_finds_nothing_on_a_timeline_with_figures_and_turning_points(browser, sites, scheme, width):
    need_file(AXE, "axe-core")
    page = open_page(browser, sites["/"], width, scheme)
    assert run_axe(page) == []
    page.goto(sites["/"] + "?actor=ada-lind")
    assert run_axe(page) == []
    page.context.close()


def test_the_fixture_site_passes_the_nu_html_checker(fixture_sites):
    """The shipped site is checked in test_reader; this one has charts, key moments and where things stand."""
    import shutil
    import subprocess

    from test_reader import VNU

    need_file(VNU, "vnu-jar")
    java = shutil.which("java")
    need(java is not None, "java not found: the Nu Html Checker needs it (.ci/run installs it)")
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--skip-non-html", str(fixture_sites["/"][1])],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[:3000]


def test_new_since_the_last_visit_is_counted_badged_and_can_be_forgotten(browser, sites):
    page = open_page(browser, sites["/"])
    key = "timeline:last-visit:" + page.evaluate("location.pathname")
    assert page.locator("#since").is_hidden() and page.locator(".since-badge").count() == 0  # a first visit
    assert page.evaluate(f"localStorage.getItem('{key}')") == page.evaluate(
        "(() => { const d = new Date(); return [d.getFullYear(), String(d.getMonth() + 1).padStart(2, '0'),"
        " String(d.getDate()).padStart(2, '0')].join('-'); })()")  # today is remembered, in this browser only

    def visit_after(day: str) -> None:  # as if the reader came back after a later build
        page.evaluate(f"sessionStorage.clear(); localStorage.setItem('{key}', '{day}')")
        page.reload()

    visit_after("2024-06-01")
    assert page.locator("#since-text").inner_text() == "2 new entries since your last visit on 1 June 2024."
    assert page.locator("#since-text a").get_attribute("href") == "#e-cafe-vote"  # the first of them
    badges = page.eval_on_selector_all(".since-badge", "bs => bs.map(b => [b.closest('li').id, b.textContent])")
    assert badges == [["e-cafe-vote", "New"], ["e-first-figures", "New"]]
    assert page.locator(".axis-mark.is-new").count() == 2
    page.reload()  # the same browsing session keeps the same last visit
    assert page.locator(".since-badge").count() == 2

    visit_after("2024-06-15")  # after the vote, before its correction on 20 June
    assert page.locator("#since-text").inner_text() == "1 new and 1 updated entries since your last visit on 15 June 2024."
    assert page.locator("#e-cafe-vote .since-badge").inner_text() == "Updated"
    page.locator("#since-clear").click()
    assert page.locator("#since").is_hidden() and page.locator(".since-badge").count() == 0
    assert page.evaluate(f"localStorage.getItem('{key}')") is None
    assert page.errors == []
    page.context.close()
