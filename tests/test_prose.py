"""Headlines and sentences derived from ledes."""

from __future__ import annotations

import pytest

from generator.load.prose import DANGLING, headline, is_dateline, split_sentences, strip_dateline

LONG = ("In a move to restart the stalled process, the two councils agreed on Tuesday to send their water "
        "engineers to a joint meeting, the first since the spring floods.")


def test_short_sentence_is_kept_whole_without_its_full_stop():
    assert headline("Talks resume in Greyford.") == "Talks resume in Greyford"
    assert headline("Will the talks resume?") == "Will the talks resume?"


def test_long_sentence_is_cut_at_a_word_with_an_ellipsis():
    result = headline(LONG)
    assert len(result) <= 90
    assert result.endswith("…")
    assert LONG.startswith(result[:-1])


@pytest.mark.parametrize("limit", range(20, 91, 3))
def test_never_ends_on_comma_dash_or_dangling_word(limit):
    for sentence in (LONG, "Officials of the authority, the towns, and the farmers of the valley met the "
                           "mediators of the region and the press at the hall of the old mill today."):
        result = headline(sentence, limit)
        last = result.rstrip("…").split()[-1]
        assert len(result) <= limit
        assert not last.endswith((",", ";", ":", "-", "–"))
        assert last.lower() not in DANGLING


def test_cut_never_leaves_a_quotation_open():
    result = headline('The mediator called the proposal "a serious basis for an agreement that both towns '
                      'could sign without delay" on Friday.')
    assert result.count('"') % 2 == 0


def test_sentences_split_but_not_after_abbreviations_or_initials():
    text = 'U.S. envoy J. Smith met Dr. Jones on Nov. 3 in Doha. Talks went on. "It is over," he said. Done.'
    assert split_sentences(text) == [
        "U.S. envoy J. Smith met Dr. Jones on Nov. 3 in Doha.",
        "Talks went on.",
        '"It is over," he said.',
        "Done.",
    ]


@pytest.mark.parametrize("text", ["24 Nov. 09:40 (UTC+2)", "March 3, 2024", "24 Nov", "09:40 (UTC+2)"])
def test_datelines(text):
    assert is_dateline(text)


def test_leading_dateline_is_split_off():
    assert strip_dateline("24 Nov. 09:40 (UTC+2) Hamas said it would reply. More.") == \
        ("24 Nov. 09:40 (UTC+2)", "Hamas said it would reply. More.")
    assert strip_dateline("CAIRO (AP) — Talks resumed on Sunday.") == ("CAIRO (AP) —", "Talks resumed on Sunday.")
    assert strip_dateline("Talks resumed on Sunday.") == ("", "Talks resumed on Sunday.")
