"""Threads: entries that follow one proposal, with how each answers an earlier one. The model
(order, steps, replies), every bad input as a ``path:line:`` error, the pages at / and under
/REPO/, the exports read back by real parsers, and a reader following a chain in Chromium."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

import pages_server
from conftest import FIXTURE_SITE, assert_build_fails, make_site, run_timeline
from generator.config import DEFAULT_RELATIONS, load_config
from generator.load.markup import MarkdownConverter
from generator.load.seeds import load_entries
from generator.timeline import build_timeline
from test_reader import run_axe

GOLDEN = Path(__file__).parent / "golden" / "site"
SEEDS = ("2024-05-09-greyford-round-ends.md", "2024-05-09-southwick-reservoir-question.md", "2024-06-14-cafe-vote.md")
"""The fixture's thread, in order: the draft accord, Southwick's counter-proposal, Northmere's vote."""


def fixture_timeline(site: Path):
    config = load_config(site / "timeline.toml")
    loaded = load_entries(site / "seeds", MarkdownConverter())
    return build_timeline(loaded.entries, eras=config.eras, figures=config.figures, threads=config.threads,
                          relations=config.relations)


def set_front_matter(path: Path, old: str, new: str) -> int:
    """Replace one front-matter line; returns its line number in the file."""
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    return text[:text.index(old)].count("\n") + 1


def test_a_thread_is_its_entries_in_timeline_order_with_their_relations(site: Path):
    timeline = fixture_timeline(site)
    (chain,) = timeline.threads
    assert chain.thread.name == "The water accord"
    assert [(s.number, s.entry.slug, s.relation, s.responds_to and s.responds_to.slug) for s in chain.steps] == [
        (1, "greyford-round-ends", "Proposal", None),
        (2, "southwick-reservoir-question", "Counter-proposal", "greyford-round-ends"),
        (3, "cafe-vote", "Acceptance", "greyford-round-ends")]
    pages = {p.entry.slug: p for p in timeline.pages}
    middle = pages["southwick-reservoir-question"]
    assert middle.chain is chain and middle.step.number == 2
    assert middle.step_before.entry.slug == "greyford-round-ends" and middle.step_after.entry.slug == "cafe-vote"
    first = pages["greyford-round-ends"]
    assert first.step_before is None and [r.entry.slug for r in first.responses] == [
        "southwick-reservoir-question", "cafe-vote"]
    outside = pages["mediators-from-river-authority-will-host-both-town-councils"]
    assert (outside.step, outside.chain, outside.responses) == (None, None, ())


def test_an_answer_outside_any_thread_still_links_both_ways(site: Path):
    seed = site / "seeds" / "2024-06-14-cafe-vote.md"
    set_front_matter(seed, "thread: water-accord\n", "")
    timeline = fixture_timeline(site)
    pages = {p.entry.slug: p for p in timeline.pages}
    vote = pages["cafe-vote"]
    assert vote.chain is None and vote.step.number == 0 and vote.step.responds_to.slug == "greyford-round-ends"
    assert "cafe-vote" in [r.entry.slug for r in pages["greyford-round-ends"].responses]
    assert [s.entry.slug for s in timeline.threads[0].steps] == ["greyford-round-ends", "southwick-reservoir-question"]


def test_the_config_defines_its_own_relation_words(site: Path):
    config = site / "timeline.toml"
    config.write_text(config.read_text() + '\n[relations]\nproposal = "Draft"\ncounter = "Counter-demand"\n'
                      'acceptance = "Ratification"\n')
    assert load_config(config).relations == (("proposal", "Draft"), ("counter", "Counter-demand"),
                                             ("acceptance", "Ratification"))
    steps = fixture_timeline(site).threads[0].steps
    assert [s.relation for s in steps] == ["Draft", "Counter-demand", "Ratification"]
    assert dict(DEFAULT_RELATIONS)["counter"] == "Counter-proposal"  # without [relations]


@pytest.mark.parametrize(("seed", "old", "new", "key", "message"), [
    (SEEDS[1], "thread: water-accord", "thread: water-acord", "thread",
     "thread 'water-acord' is not a thread timeline.toml defines (it defines: water-accord)"),
    (SEEDS[1], "relation: counter", "relation: rebuttal", "relation",
     "relation 'rebuttal' is not one timeline.toml defines"),
    (SEEDS[1], "responds_to: greyford-round-ends", "responds_to: greyford-round-end", "responds_to",
     "responds_to 'greyford-round-end': no entry has this slug"),
    (SEEDS[1], "responds_to: greyford-round-ends", "responds_to: cafe-vote", "responds_to",
     "responds_to 'cafe-vote', which is dated later (2024-06-14); an entry answers an earlier one"),
    (SEEDS[1], "relation: counter\n", "", "responds_to", "responds_to needs a 'relation'"),
    (SEEDS[1], "thread: water-accord", "thread: Water Accord", "thread", "thread 'Water Accord' must be lowercase ASCII"),
    (SEEDS[1], "responds_to: greyford-round-ends", "responds_to: [greyford-round-ends]", "responds_to",
     "responds_to is list"),
])
def test_a_bad_thread_relation_or_answer_is_an_error_at_its_line(site: Path, seed, old, new, key, message):
    path = site / "seeds" / seed
    set_front_matter(path, old, new)
    line = next(i for i, text in enumerate(path.read_text().splitlines(), start=1) if text.startswith(f"{key}:"))
    err = assert_build_fails(site, message)
    assert re.search(rf"^seeds/{re.escape(seed)}:{line}: ", err, re.MULTILINE), err


def test_an_answer_to_a_draft_says_so(site: Path):
    set_front_matter(site / "seeds" / SEEDS[0], "title:", "draft: true\ntitle:")
    err = assert_build_fails(site, "responds_to 'greyford-round-ends': that entry is a draft")
    assert err.count("that entry is a draft") == 2  # both answers name it


def test_a_cycle_of_answers_is_an_error_naming_it(site: Path):
    seeds = site / "seeds"
    set_front_matter(seeds / SEEDS[0], "relation: proposal", "relation: response\nresponds_to: southwick-reservoir-question")
    err = assert_build_fails(site, "responds_to makes a cycle: greyford-round-ends -> southwick-reservoir-question "
                                   "-> greyford-round-ends")
    assert f"seeds/{SEEDS[0]}:" in err and f"seeds/{SEEDS[1]}:" in err


@pytest.mark.parametrize(("table", "message"), [
    ('[[threads]]\nid = "Water"\nname = "W"\n', "thread 'Water': id must be lowercase letters"),
    ('[[threads]]\nid = "water-accord"\nname = "Again"\n', "thread 'water-accord': id is used twice"),
    ('[[threads]]\nid = "w"\n', "thread 'w': name is required text"),
    ('[[threads]]\nid = "w"\nname = "W"\nsteps = 3\n', "thread 'w': unknown key 'steps'"),
    ('[relations]\nCounter = "C"\n', "relation 'Counter': a word of lowercase letters"),
    ('[relations]\ncounter = ""\n', "relation 'counter': its label must be text of 1 to 30 characters"),
])
def test_a_bad_thread_or_relation_in_the_config_is_an_error_at_its_line(site: Path, table, message):
    config = site / "timeline.toml"
    before = config.read_text()
    config.write_text(before + "\n" + table)
    line = before.count("\n") + 2 + (1 if "Counter" in table or "counter" in table else 0)
    err = assert_build_fails(site, message)
    assert f"timeline.toml:{line}: " in err, err


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The fixture site built at / and under /REPO/."""
    found = {}
    for base in ("/", "/REPO/"):
        site = make_site(tmp_path_factory.mktemp("threads") / "site")
        result = run_timeline("build", "--base-url", base, "--no-search", cwd=site)
        assert result.returncode == 0, result.stderr
        found[base] = site / "output"
    return found


@pytest.mark.parametrize("base", ["/", "/REPO/"])
def test_thread_pages_are_the_reviewed_golden_pages_at_the_root_and_under_a_subpath(built, base):
    for page in ("threads/index.html", "threads/water-accord/index.html"):
        assert (built[base] / page).read_bytes() == (GOLDEN / page).read_bytes(), page


def test_exports_carry_the_thread_the_step_the_relation_and_the_answered_entry(built):
    out = built["/"]
    records = {r["slug"]: r for r in json.loads((out / "entries.json").read_text())["entries"]}
    assert records["southwick-reservoir-question"]["thread"] == {"id": "water-accord", "name": "The water accord",
                                                                 "step": 2}
    assert records["southwick-reservoir-question"]["relation"] == {"id": "counter", "name": "Counter-proposal"}
    assert records["southwick-reservoir-question"]["responds_to"] == "greyford-round-ends"
    assert records["first-figures"]["thread"] is None and records["first-figures"]["responds_to"] is None
    rows = {r["slug"]: r for r in csv.DictReader(io.StringIO((out / "entries.csv").read_text(), newline=""))}
    assert (rows["cafe-vote"]["thread"], rows["cafe-vote"]["thread_step"], rows["cafe-vote"]["relation"],
            rows["cafe-vote"]["responds_to"]) == ("The water accord", "3", "Acceptance", "greyford-round-ends")
    assert rows["first-figures"]["thread"] == rows["first-figures"]["thread_step"] == ""
    events = {e["unique_id"]: e for e in json.loads((out / "timeline.json").read_text())["events"]}
    assert {slug: e.get("group") for slug, e in events.items()} == {
        slug: (r["thread"]["name"] if r["thread"] else None) for slug, r in records.items()}


def test_a_site_without_threads_has_no_threads_pages_or_link(tmp_path: Path):
    config = tmp_path / "timeline.toml"
    config.write_text(re.sub(r"\n\[\[threads\]\][^\[]*", "\n", (FIXTURE_SITE / "timeline.toml").read_text()))
    seeds = tmp_path / "seeds"
    import shutil
    shutil.copytree(FIXTURE_SITE / "seeds", seeds)
    for name in SEEDS:
        path = seeds / name
        path.write_text(re.sub(r"^(thread|relation|responds_to): .*\n", "", path.read_text(), flags=re.MULTILINE))
    site = make_site(tmp_path / "site", seeds=seeds, config=config)
    result = run_timeline("build", "--no-search", cwd=site)
    assert result.returncode == 0, result.stderr
    assert not (site / "output" / "threads").exists()
    index = (site / "output" / "index.html").read_text()
    assert "threads/" not in index and 'data-kind="thread"' not in index


@pytest.fixture(scope="module")
def served(built):
    servers, urls = [], {}
    for base, out in built.items():
        server, url = pages_server.start(out, base)
        servers.append(server)
        urls[base] = url + base
    yield urls
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("base", ["/", "/REPO/"])
def test_a_reader_follows_the_chain_step_to_step(browser, served, base):
    page = browser.new_page()
    page.goto(served[base] + "threads/")
    page.get_by_role("link", name="The water accord").click()
    assert page.url == served[base] + "threads/water-accord/"
    steps = page.locator(".chain-step")
    assert steps.count() == 3
    steps.nth(2).get_by_role("link", name=re.compile("^Greyford round ends")).click()  # what step 3 answers
    assert page.url.endswith("#step-greyford-round-ends")
    assert page.evaluate("document.querySelector(':target').id") == "step-greyford-round-ends"
    steps.nth(0).locator(".entry-title a").click()
    assert page.url == served[base] + "2024/05/09/greyford-round-ends/"
    assert page.locator(".entry-thread").inner_text() == "Step 1 of 3 (proposal) in the thread The water accord"
    for number, slug in ((2, "2024/05/09/southwick-reservoir-question/"), (3, "2024/06/14/cafe-vote/")):
        page.locator(".thread-steps .next a").click()
        assert page.url == served[base] + slug
        assert page.locator(".entry-thread").inner_text().startswith(f"Step {number} of 3")
    assert page.locator(".thread-steps .next").count() == 0
    assert "Acceptance in response to Greyford round ends" in page.locator(".thread-box .responds-to").inner_text()
    page.locator(".thread-steps .prev a").click()
    assert page.url == served[base] + "2024/05/09/southwick-reservoir-question/"
    page.close()


def test_the_thread_filter_shows_only_the_threads_entries(browser, served):
    page = browser.new_page()
    page.goto(served["/"])
    page.locator("#filters summary", has_text="Threads").click()
    page.locator('button[data-kind="thread"]', has_text="The water accord").click()
    assert page.url.endswith("?thread=water-accord")
    shown = page.eval_on_selector_all(".entries > li:not([hidden])", "ls => ls.map(l => l.id)")
    assert shown == ["e-" + name.split("-", 3)[3].removesuffix(".md") for name in SEEDS]
    assert page.locator("#filter-status").inner_text().startswith("Showing 3 of 5")
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_thread_pages_and_a_step_pass_axe(browser, served, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    for path in ("threads/", "threads/water-accord/", "2024/05/09/greyford-round-ends/"):
        page.goto(served["/REPO/"] + path)
        assert run_axe(page) == [], path
    context.close()
