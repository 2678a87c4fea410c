"""The news-wire plain-text reader, on our own fixtures of the original shape."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import FIXTURE_SITE
from generator.errors import BuildError
from generator.load.seeds import read_seed
from generator.load.markup import MarkdownConverter

WIRE = FIXTURE_SITE / "seeds" / "wire-2024-05-02.txt"


def read(path: Path):
    entry, warnings = read_seed(path, path.parent, MarkdownConverter())
    return entry


def write(tmp_path: Path, text: str | bytes, name: str = "story.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_exact_wire_shape_fixture_is_one_line_lede_then_blocks():
    raw = WIRE.read_text(encoding="utf-8")
    # After its front matter (sources), the fixture keeps the original's quirks:
    # a leading space before `date`, no trailing newline.
    assert raw.split("---\n")[2].startswith(" date 2024-05-02 ") and not raw.endswith("\n")
    entry = read(WIRE)
    assert entry.date == dt.date(2024, 5, 2)
    assert [h.text for h in entry.headings] == ["Talks Behind Closed Doors", "What Each Side Wants"]
    assert [h.id for h in entry.headings] == ["talks-behind-closed-doors", "what-each-side-wants"]
    assert entry.body_html.count("<p") == 4  # lede + 3 paragraphs
    assert '<h2 id="talks-behind-closed-doors">Talks Behind Closed Doors</h2>' in entry.body_html
    assert entry.body_html.startswith('<p class="lede">Mediators from the river authority')


def test_title_is_a_readable_headline_from_the_lede():
    entry = read(WIRE)
    assert entry.title == "Mediators from the river authority will host both town councils at Greyford next week…"
    assert len(entry.title) <= 90


def test_summary_is_the_ledes_first_sentence_or_two(tmp_path):
    entry = read(WIRE)
    assert entry.summary == ("Mediators from the river authority will host both town councils at Greyford "
                             "next week, hoping to settle a dispute over summer water quotas before the dry season.")
    short = read(write(tmp_path, "date 2024-01-01 Talks resumed. Both sides sent teams. A third sentence.\n"))
    # The first sentence is the title; the card's summary and the page's lede go on from there.
    assert short.title == "Talks resumed"
    assert short.summary == "Both sides sent teams. A third sentence."
    assert '<p class="lede">Both sides sent teams. A third sentence.</p>' in short.body_html
    assert "Talks resumed" not in short.body_html
    alone = read(write(tmp_path, "date 2024-01-01 Talks resumed.\n\nBoth sides sent teams.\n", name="b.txt"))
    assert (alone.title, alone.summary) == ("Talks resumed", "Both sides sent teams.")
    assert "lede" not in alone.body_html and "<p>Both sides sent teams.</p>" in alone.body_html
    cut = read(write(tmp_path, "date 2024-01-01 " + "Word " * 40 + "ends here. Next one.\n", name="c.txt"))
    assert cut.title.endswith("…") and cut.summary.startswith("Word Word")  # a cut headline keeps its sentence
    assert '<p class="lede">Word' in cut.body_html


def test_dateline_lede_takes_the_next_sentence(tmp_path):
    path = write(tmp_path, "date 2024-11-24 24 Nov. 09:40 (UTC+2)\n\n"
                           "Negotiators met again in the capital on Sunday. They agreed a timetable.\n")
    entry = read(path)
    assert entry.title == "Negotiators met again in the capital on Sunday"
    assert entry.summary == "They agreed a timetable."
    assert entry.body_html == '<p class="dateline">24 Nov. 09:40 (UTC+2)</p>\n<p class="lede">They agreed a timetable.</p>'


def test_bom_crlf_and_leading_space_give_the_same_entry(tmp_path):
    _, front, body = WIRE.read_text(encoding="utf-8").split("---\n", 2)
    text = f"---\n{front}---\n  \n\t\n{body}"  # blank lines before the date line
    variant = write(tmp_path, b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"), name=WIRE.name)
    original, other = read(WIRE), read(variant)
    assert other.body_html == original.body_html
    assert (other.title, other.summary, other.date, other.headings) == \
           (original.title, original.summary, original.date, original.headings)


@pytest.mark.case("A10")
def test_html_in_plain_text_is_shown_as_text(tmp_path):
    entry = read(write(tmp_path, "date 2024-01-01 A <b>bold</b> claim &amp; more. It <b>was</b> said.\n\n"
                                 "<script>alert(1)</script> it said.\n"))
    assert "<b>" not in entry.body_html and "<script>" not in entry.body_html
    assert "It &lt;b&gt;was&lt;/b&gt; said." in entry.body_html
    assert entry.title == "A <b>bold</b> claim &amp; more"  # plain text; templates escape it


@pytest.mark.parametrize("block, heading", [
    ("Strategic Talks Resume", True),
    ("What comes next?", False),          # end punctuation: a sentence
    ("The talks ended.", False),
    ("Short line\nwith a second line", False),
    ("A very long line that goes on and on with many words is not a heading at all", False),
    ('"Quoted Heading"', True),
    ('He said "no."', False),
])
def test_heading_rule(block, heading):
    from generator.load.wire import is_heading
    assert is_heading(block) is heading


def test_front_matter_in_a_txt_wins(tmp_path):
    path = write(tmp_path, "---\ntitle: Given title\nsummary: Given summary.\ntags: [a, b]\n---\n"
                           "date 2024-01-01 Derived title here. More text.\n")
    entry = read(path)
    assert (entry.title, entry.summary) == ("Given title", "Given summary.")
    assert [(t.written, t.name) for t in entry.tags] == [("a", "A"), ("b", "B")]  # shown readably
    assert entry.date == dt.date(2024, 1, 1)


@pytest.mark.parametrize("text, line, message", [
    ("", 1, "empty article"),
    ("   \n\n", 1, "empty article"),
    ("Date 2024-01-02 Lede.\n", 1, "the first line must be 'date YYYY-MM-DD' followed by the lede"),
    ("date:2024-01-02 Lede.\n", 1, "the first line must be 'date YYYY-MM-DD'"),
    ("date 2024-1-2 Lede.\n", 1, "date '2024-1-2' is not in the form YYYY-MM-DD"),
    ("date 20240102 Lede.\n", 1, "is not in the form YYYY-MM-DD"),
    ("date ２０２４-01-02 Lede.\n", 1, "is not in the form YYYY-MM-DD"),
    ("date 2024-02-30 Lede.\n", 1, "'2024-02-30' is not a valid calendar date"),
    ("date 2023-02-29 Lede.\n", 1, "is not a valid calendar date"),
    ("date 0000-01-01 Lede.\n", 1, "is not a valid calendar date"),
    ("\n\ndate 2024-01-02\n\nBody.\n", 3, "no lede after the date"),
    ("---\ntags: [x]\n---\n\nnot a date line\n", 5, "the first line must be 'date YYYY-MM-DD'"),
])
def test_bad_wire_input_names_the_line(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(BuildError) as caught:
        read(path)
    (problem,) = caught.value.problems
    assert problem.line == line
    assert message in problem.message


@pytest.mark.case("C5")
def test_tabs_and_extra_spaces_after_date_are_accepted(tmp_path):
    entry = read(write(tmp_path, "date \t 2024-01-02 \t Lede sentence here.\n"))
    assert entry.date == dt.date(2024, 1, 2) and entry.title == "Lede sentence here"
