"""Property-based tests: whatever a seed holds, the build answers with a located BuildError or an entry.

10,000 examples per property under CI=true (HYPOTHESIS_PROFILE=long for more); fewer on a
developer machine. Any exception other than BuildError, or one input taking over 2 s, fails.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

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
