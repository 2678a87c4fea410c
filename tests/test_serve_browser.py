"""The preview in a real browser: it reloads by itself, ends on the last save, shows and clears errors."""

from __future__ import annotations

import time

import pytest

from conftest import Server, touch_edit

GREYFORD = "seeds/2024-05-09-greyford-round-ends.md"
GREYFORD_PAGE = "/2024/05/09/greyford-round-ends/"
TITLE = 'title: "Greyford round ends with a draft accord on summer quotas"'


def h1(page) -> str:
    return page.locator("h1").inner_text()


@pytest.mark.case("L14")
@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_page_reloads_by_itself_after_an_edit(server: Server, page, name: str):
    """At either name of the loopback: the reload socket takes the page's own origin, whichever it is."""
    page.goto(f"http://{name}:{server.port}{GREYFORD_PAGE}")
    assert h1(page) == "Greyford round ends with a draft accord on summer quotas"
    touch_edit(server.site / GREYFORD, TITLE, 'title: "Reloaded by itself"')
    page.wait_for_function("document.querySelector('h1').textContent === 'Reloaded by itself'", timeout=15000)


@pytest.mark.case("J8")
def test_five_saves_in_two_seconds_end_on_the_last(server: Server, page):
    page.goto(server.url + GREYFORD_PAGE)
    seed = server.site / GREYFORD
    current = TITLE
    for n in range(1, 6):
        new = f'title: "Save {n}"'
        touch_edit(seed, current, new)
        current = new
        time.sleep(0.4)
    page.wait_for_function("document.querySelector('h1').textContent === 'Save 5'", timeout=15000)
    time.sleep(1.5)  # nothing later may bring back an earlier save
    assert h1(page) == "Save 5"


@pytest.mark.case("J7")
def test_a_broken_seed_shows_the_error_and_the_fix_brings_the_site_back(server: Server, page):
    page.goto(server.url + GREYFORD_PAGE)
    seed = server.site / GREYFORD
    touch_edit(seed, "date: 2024-05-09", "date: 2024-02-30")
    overlay = page.locator("#timeline-build-error")
    overlay.wait_for(state="visible", timeout=15000)
    assert "seeds/2024-05-09-greyford-round-ends.md:3: date '2024-02-30' is not a valid calendar date" \
        in overlay.inner_text()
    assert h1(page) == "Greyford round ends with a draft accord on summer quotas"  # last good site underneath
    touch_edit(seed, "date: 2024-02-30", "date: 2024-05-09")
    overlay.wait_for(state="detached", timeout=15000)
    assert h1(page) == "Greyford round ends with a draft accord on summer quotas"


def test_the_preview_s_search_page_says_search_is_built_by_timeline_build(server: Server, page):
    """The preview makes no search index (it would slow every reload): its search page says where search comes from."""
    page.goto(server.url + "/search/?q=quotas")
    note = page.locator("#search-unavailable")
    note.wait_for(state="visible", timeout=15000)
    assert "Search is built by timeline build" in note.inner_text()
    assert page.locator(".search-result").count() == 0
