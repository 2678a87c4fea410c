"""Property-based tests: whatever a seed holds, the build answers with a located BuildError or an entry.

10,000 examples per property under CI=true (HYPOTHESIS_PROFILE=long for more); fewer on a
developer machine. Any exception other than BuildError, or one input taking over 2 s, fails.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import BuildError
from generator.load.files import read_text
from generator.load.seeds import parse_seed
from generator.load.markup import MarkdownConverter
from generator.load.registry import Registry
from generator.load.slugs import slug_from_filename, slug_from_title, slugify
from xss import findings

settings.register_profile("ci", max_examples=10_000, deadline=2000,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=200_000, deadline=2000,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=300, deadline=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev"))

CONVERTER = MarkdownConverter()  # reused across examples, as a build does
REGISTRY = Registry()
ROOT = Path("/seeds")
MARKUP = st.lists(st.sampled_from(list("ab \n\t-#*_[]()<>!`:/\\\"'&;=.|~+{}") +
                                  ["javascript:", "<script>", "onerror=", "http://", "date ", "---", "](", "<a href="]),
                  max_size=120).map("".join)


def parsed(name: str, text: str):
    try:
        return parse_seed(ROOT / name, ROOT, text, CONVERTER, REGISTRY)
    except BuildError as exc:
        assert exc.problems and all(p.line >= 1 and p.path.endswith(name) for p in exc.problems)
        return None


@given(st.text(max_size=2000))
def test_plain_text_reader_never_crashes(text: str):
    parsed("story.txt", text)


@given(st.from_regex(r"\A date \d{4}-\d{2}-\d{2} [^\n]{0,200}\n", fullmatch=True), st.text(max_size=1000))
def test_plain_text_with_a_date_line_gives_a_readable_title(head: str, rest: str):
    result = parsed("story.txt", head + rest)
    if result is not None:
        entry = result[0]
        assert len(entry.title) <= 90 and entry.slug and re.fullmatch(r"[a-z0-9-]+", entry.slug)


@given(st.text(max_size=1000), st.text(max_size=300))
def test_front_matter_reader_never_crashes(front: str, body: str):
    parsed("story.md", f"---\n{front}\n---\n{body}")


@given(st.dictionaries(st.sampled_from(["title", "date", "summary", "tags", "actors", "sources", "slug", "draft",
                                        "updated", "detect", "date_display"]),
                       st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=40),
                                 st.lists(st.text(max_size=20), max_size=3),
                                 st.lists(st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=3),
                                          max_size=2))))
def test_typed_front_matter_never_crashes(front: dict):
    import yaml
    parsed("story.md", "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\nBody.\n")


@given(st.binary(max_size=600))
def test_any_bytes_are_read_or_refused_by_name(tmp_path_factory, data: bytes):
    path = tmp_path_factory.mktemp("bytes") / "seed.txt"
    path.write_bytes(data)
    try:
        read_text(path)
    except BuildError as exc:
        assert exc.problems[0].path.endswith("seed.txt") and exc.problems[0].line >= 1


@given(st.text(max_size=300))
def test_slugs_are_ascii_url_safe_and_bounded(text: str):
    for slug in (slugify(text), slug_from_title(text), slug_from_filename(text)):
        assert re.fullmatch(r"[a-z0-9]*(-[a-z0-9]+)*", slug), slug
        assert len(slug) <= 80


@given(MARKUP)
def test_seed_to_html_never_crashes_nor_lets_script_through(body: str):
    result = parsed("story.md", "---\ntitle: T\ndate: 2024-01-01\n---\n" + body)
    if result is not None:
        assert findings(result[0].body_html) == []
    wire = parsed("story.txt", "date 2024-01-01 " + body)
    if wire is not None:
        assert findings(wire[0].body_html) == []


# Pieces that each make Python-Markdown, the cleaner or the wire reader work harder the more of
# them a seed holds (bench/markdown_growth.py times each alone), and plain text between them.
PIECES = ["x\n=\n", "x\n-\n", "# a\n", "## a\n\n", "<http://a", "<http://a> ", "<a", '<a href="', "<!--",
          "<!-- x -->\n\n", "<div>\n", "<div>x</div>\n\n", "</", "<?", "<!", "< ", "<b id=1>", "<ul>", "<blockquote>",
          "[", "[[\n\n", "![", "](", "[a](b) ", "[a][b] ", "*", "*a ", "_a ", "**a ", "*a* ", "`", "``a ", "`a` ",
          "\\", "\\*", "&", "&amp;", "&#", "> ", "> a\n", "- a\n", "  - a\n", "1. a\n", "- a\n\n", "| a | b |\n", "|",
          "|\n", "[a]: b\n", "[a] ", "```\n", "```\na\n```\n", "~~~\n", "    a\n", "a ", "a", "a\n", "a\n\n",
          "---\n\n", "* * *\n", "a  \n", "=\n", "\t", "\r\n", "A sentence. Another one.\n\n", "Talks\n\n",
          "no. 1 ", ".", "!", "DOHA ", "\u202e", "é", "\x00"]
RECIPE = st.lists(st.tuples(st.sampled_from(PIECES), st.integers(1, 50)), min_size=1, max_size=6)
SIZE = st.integers(0, 99).flatmap(lambda r: st.integers(1, 4096) if r < 95 else st.integers(4096, 100 * 1024))
"""Mostly small seeds, one in twenty up to 100 KB: 10,000 examples stay within the suite's time."""
READERS_AND_HEADS = st.sampled_from([
    ("story.md", "---\ntitle: T\ndate: 2024-01-01\n---\n"),
    ("story.md", "---\ntitle: T\ndate: 2024-01-01\ntags: [a, b]\nsummary: S.\n---\n"),
    ("story.txt", "date 2024-01-01 A lede. "),
    ("story.txt", "date 2024-01-01 A lede.\n\n"),
    ("story.txt", "---\ntitle: T\n---\ndate 2024-01-01 A lede.\n\n"),
])


def grown(recipe: list[tuple[str, int]], size: int) -> str:
    """The recipe's pieces, each repeated its count, in turn until the text is ``size`` long."""
    round_ = "".join(piece * count for piece, count in recipe)
    return (round_ * (size // len(round_) + 1))[:size]


@pytest.mark.case("L4")
@given(READERS_AND_HEADS, RECIPE, SIZE)
def test_any_seed_up_to_100_kb_is_read_or_refused_within_two_seconds(reader, recipe, size):
    """L4: every reader, whatever it is fed, answers within the deadline (2 s, set on the profiles):
    an entry, or a located refusal (``parsed``) such as 'takes too long to convert'."""
    name, head = reader
    result = parsed(name, head + grown(recipe, size))
    if result is not None:
        assert findings(result[0].body_html) == []
