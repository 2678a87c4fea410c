"""Seeds whose conversion grows quadratically with their size are refused fast, by file and line (L4).

Sizes are ones that took over 2 s before the checks (see docs/reliability.md); the tests assert the
refusal or the acceptance, never a time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import assert_build_fails, make_site, run_timeline
from generator.errors import BuildError
from generator.load.markup import MarkdownConverter
from generator.load.prose import split_sentences
from generator.load.registry import Registry
from generator.load.seeds import parse_seed

FRONT = '---\ntitle: "Slow"\ndate: 2024-07-01\nsources:\n  - title: R\n    url: https://news.example/r\n---\n'
ROOT = Path("/seeds")


def refusal(name: str, text: str) -> str:
    with pytest.raises(BuildError) as caught:
        parse_seed(ROOT / name, ROOT, text, MarkdownConverter(), Registry())
    (only,) = caught.value.problems
    return f"{only.path}:{only.line}: {only.message}"


@pytest.mark.case("L4")
@pytest.mark.parametrize("body, message", [
    ("x\n=\n" * 10_000, "seeds/slow.md:8: this article takes too long to convert (10000 '===' or '---' heading"),
    ("<http://a" * 10_000, "seeds/slow.md:8: this article takes too long to convert (10000 '<' that open an HTML tag"),
], ids=["setext", "autolink"])
def test_the_two_slow_seeds_of_the_issue_are_refused_by_the_cli(tmp_path: Path, body: str, message: str):
    site = make_site(tmp_path / "site")
    (site / "seeds" / "slow.md").write_text(FRONT + body, encoding="utf-8")
    assert_build_fails(site, message, "--no-search")


@pytest.mark.case("L4")
@pytest.mark.parametrize("body, line, reason", [
    ("x\n-\n" * 10_000, 8, "10000 '===' or '---' heading underlines in one paragraph, at most 200"),
    ("intro\n\n" + "<a" * 20_000, 10, "that open an HTML tag"),
    ("intro\n\n" + '<a href="' * 10_000, 10, "that open an HTML tag"),
], ids=["setext-dash", "open-tags", "open-attributes"])
def test_other_quadratic_markdown_is_refused_naming_the_line(body: str, line: int, reason: str):
    message = refusal("slow.md", FRONT + body)
    assert message.startswith(f"/seeds/slow.md:{line}: this article takes too long to convert (")
    assert reason in message


@pytest.mark.case("L4")
@pytest.mark.parametrize("body", [
    "## Part\n\nText.\n\n" * 300,  # many headings, each its own block
    "Title\n=====\n\nText.\n\n" * 300,  # setext headings as articles use them
    "<b>bold</b> and <i>x</i> and a < b\n\n" * 2000,  # closed tags and a bare '<'
    "x\n=\n" * 200,  # at the limit
    "<a" * 50,
], ids=["atx", "setext", "closed-tags", "setext-limit", "open-tag-limit"])
def test_what_articles_contain_is_still_converted(body: str):
    entry, _ = parse_seed(ROOT / "ok.md", ROOT, FRONT + body, MarkdownConverter(), Registry())
    assert entry.body_html


@pytest.mark.case("L4")
@pytest.mark.parametrize("unit", [".", "!", "no. 1 ", "A b. "])
def test_a_wire_lede_of_100_kb_is_split_once(unit: str):
    """Runs of marks and abbreviations that made the sentence splitter quadratic (two minutes
    for 100 KB of dots) still split as before."""
    text = unit * (100_000 // len(unit))
    sentences = split_sentences(text)
    assert " ".join(sentences) == " ".join(text.split())
    entry, _ = parse_seed(ROOT / "ok.txt", ROOT, "date 2024-07-01 Talks resumed. " + text + "\n", MarkdownConverter(), Registry())
    assert entry.title.startswith("Talks resumed")


SLOW = {  # constructs no check catches before conversion, each over 3 s unbounded at these sizes (bench/markdown_growth.py)
    "escapes": "\\*" * 100_000,
    "emphasis": "*a* " * 50_000,
    "fences": "```\n" * 150_000,
    "hard breaks": "a  \n" * 50_000,
    "entities": "&amp;" * 100_000,
}


@pytest.mark.case("L4")
@pytest.mark.parametrize("body", SLOW.values(), ids=SLOW.keys())
def test_any_other_slow_construct_is_stopped_by_the_time_budget(body: str):
    assert refusal("slow.md", FRONT + body).startswith(
        "/seeds/slow.md:8: this article takes too long to convert (stopped after 1.5 s;")


@pytest.mark.case("L4")
def test_unclosed_elements_nested_past_the_bound_are_refused_before_cleaning():
    """The cleaner's native parser is quadratic in the depth of open elements, and no timer stops it."""
    assert refusal("deep.md", FRONT + "<div>\n" * 100_000).startswith(
        "/seeds/deep.md:8: lists, quotes or HTML elements nested too deeply to convert (at most 200 levels)")


@pytest.mark.case("L4")
def test_the_time_budget_holds_in_the_cli_and_the_next_seed_still_converts(tmp_path: Path):
    site = make_site(tmp_path / "site")
    (site / "seeds" / "2024-07-01-slow.md").write_text(FRONT + SLOW["escapes"], encoding="utf-8")
    assert_build_fails(site, "seeds/2024-07-01-slow.md:8: this article takes too long to convert", "--no-search", "-j", "1")
    (site / "seeds" / "2024-07-01-slow.md").unlink()
    result = run_timeline("build", "--no-search", cwd=site)
    assert result.returncode == 0, result.stderr


@pytest.mark.case("L4")
def test_the_budget_holds_when_its_first_signal_is_swallowed_and_leaves_nothing_behind():
    """An exception raised in a garbage-collector callback or a ``__del__`` is printed and dropped
    by Python (it failed the property test once): the timer fires again until the block ends, then
    stops, and the handler that was there before is back."""
    import signal
    import time

    from generator.load.budget import TooSlow, time_budget

    before = signal.getsignal(signal.SIGALRM)
    swallowed = 0
    started = time.monotonic()
    with pytest.raises(TooSlow):
        with time_budget(0.1):
            while time.monotonic() - started < 5:
                try:
                    while True:
                        pass
                except TooSlow:
                    swallowed += 1  # as a gc callback would: dropped, and the work goes on
                    if swallowed > 1:
                        raise
    assert swallowed == 2 and time.monotonic() - started < 1
    time.sleep(0.2)  # nothing fires after the block
    assert signal.getsignal(signal.SIGALRM) == before and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.case("L4")
def test_the_budget_never_raises_in_a_garbage_collector_callback():
    """Hypothesis times the collector with a callback; an exception raised there is dropped and
    reported as unraisable (which failed the property test). A slow callback is left alone and
    the block is stopped right after it."""
    import gc
    import time

    from generator.load.budget import TooSlow, time_budget

    calls = []

    def slow_callback(phase: str, info: dict) -> None:
        if phase == "start" and not calls:
            calls.append(phase)
            end = time.monotonic() + 0.3  # the timer fires in here
            while time.monotonic() < end:
                pass

    gc.callbacks.append(slow_callback)
    try:
        started = time.monotonic()
        with pytest.raises(TooSlow):
            with time_budget(0.1):
                gc.collect()
                while time.monotonic() - started < 5:
                    pass
        assert calls == ["start"] and time.monotonic() - started < 1
    finally:
        gc.callbacks.remove(slow_callback)
