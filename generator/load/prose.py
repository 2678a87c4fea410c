"""Plain-text prose helpers: sentences, datelines, readable headlines and summaries.

Used to derive an entry's title and summary from a news-wire lede, where the
article gives neither.
"""

from __future__ import annotations

import re

HEADLINE_LIMIT = 90

# Abbreviations after which a full stop does not end a sentence.
ABBREVIATIONS = frozenset("""
    mr mrs ms dr prof gen lt col maj sgt capt cmdr adm gov sen rep amb pres st jr sr rev
    no nos vs etc al approx dept est fig inc ltd co corp univ
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thurs fri sat sun
    u.s u.k u.n e.g i.e a.m p.m
""".split())

# Words a headline must not end on.
DANGLING = frozenset("""
    a an the of to in on at for with and or but nor by from as into onto over under about
    after before between than that which who whom whose its their his her our your my this these those
    is are was were be been being has have had will would could should can may might must not
    amid while during including against among toward towards upon via per if so yet
    both each every some any all more most such own also only very just
""".split())

# Only from the first mark of a run, and without backtracking: a run of 100 KB of dots was tried
# from each of its marks, each try to its end (two minutes for one lede).
_SENTENCE_END = re.compile(r"""(?<![.!?…])([.!?…]++)(["'”’)\]]*+)\s++(?=["'“‘(\[]?[A-Z0-9])""")

# "24 Nov. 09:40 (UTC+2)", "DOHA, March 21 (Reuters) -", "CAIRO (AP) —" at the start of a lede.
_DATELINE = re.compile(
    r"""^(?:
        (?:[A-Z][A-Z .'-]{1,30},?\s+)?                                # CITY,
        (?:\d{1,2}\s+[A-Z][a-z]{2,8}\.?|[A-Z][a-z]{2,8}\.?\s+\d{1,2}) # 24 Nov. | Nov. 24
        (?:,?\s+\d{4})?                                               # , 2024
        (?:,?\s+\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?)?                 # 09:40
        (?:\s*\([^)]{1,24}\))?                                        # (UTC+2) | (Reuters)
      | [A-Z][A-Z .'-]{1,30}\s*\([A-Za-z ]{1,24}\)                    # CAIRO (AP)
    )\s*(?:[-–—:]\s*)?""",
    re.VERBOSE,
)


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, not breaking after abbreviations or initials."""
    text = " ".join(text.split())
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end(2)
        if match.group(1) == ".":
            # the word before the mark, found back from it: a search forward from ``start``
            # made a lede of 100 KB of "no. 1 no. 1 …" quadratic (17 s)
            first = max(start, text.rfind(" ", start, match.start(1)) + 1)
            last = text[first:match.start(1)].lower().lstrip("(\"'“‘")
            if last in ABBREVIATIONS or re.fullmatch(r"[a-z]", last):
                continue
        sentences.append(text[start:end].strip())
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def is_dateline(text: str) -> bool:
    """True when a lede is only a date/time stamp, with no sentence in it."""
    text = text.strip()
    if not text:
        return True
    match = _DATELINE.match(text)
    if match and match.end() == len(text):
        return True
    return not re.search(r"\b[a-z]{4,}\b", text)


def strip_dateline(text: str) -> tuple[str, str]:
    """Split a lede into (dateline, the rest); the dateline is '' when there is none."""
    text = text.strip()
    if is_dateline(text):
        return text, ""
    match = _DATELINE.match(text)
    if match and match.end() < len(text) and re.match(r"[\"“A-Z]", text[match.end():]):
        return text[:match.end()].strip(), text[match.end():].strip()
    return "", text


def headline(sentence: str, limit: int = HEADLINE_LIMIT) -> str:
    """A headline of at most ``limit`` characters from a sentence.

    Cut at a word boundary; never ends on a comma, a dash, a dangling word like
    "the" or inside a quotation. A cut headline ends with an ellipsis so it
    does not pretend to be the whole sentence.
    """
    text = " ".join(sentence.split())
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    if len(text) <= limit:
        return text
    kept: list[str] = []
    for word in text.split(" "):
        if len(" ".join(kept + [word])) > limit - 1:
            break
        kept.append(word)
    kept = _trim_tail(kept)
    joined = " ".join(kept)
    if joined.count('"') % 2 or joined.count("“") > joined.count("”"):
        opening = max(i for i, w in enumerate(kept) if '"' in w or "“" in w)
        kept = _trim_tail(kept[:opening])
    return (" ".join(kept) or text[: limit - 1].rstrip()) + "…"


def _trim_tail(words: list[str]) -> list[str]:
    """Drop trailing punctuation and dangling words from a cut headline."""
    words = list(words)
    while words:
        words[-1] = words[-1].rstrip(",;:–—-/(\"“‘'")
        if words[-1] and words[-1].lower() not in DANGLING:
            break
        words.pop()
    return words


def summarise(sentences: list[str], short: int = 120) -> str:
    """The first sentence, plus the second when the first is short."""
    if not sentences:
        return ""
    if len(sentences) > 1 and len(sentences[0]) < short:
        return f"{sentences[0]} {sentences[1]}"
    return sentences[0]
