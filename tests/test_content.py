"""The shipped timeline's provenance: every entry cites at least one well-formed, dated source."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from conftest import REPO
from generator.load.seeds import load_entries
from generator.load.markup import MarkdownConverter
from generator.model import Entry, Source

_HOST = re.compile(r"\A(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z")


def url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme != "https" and parts.scheme != "http":
        return "not http(s)"
    if not _HOST.match(parts.hostname or ""):
        return f"malformed host {parts.hostname!r}"
    if any(ch.isspace() for ch in url) or '"' in url or "<" in url:
        return "contains spaces or quotes"
    return None


def provenance_problems(entries: tuple[Entry, ...] | list[Entry]) -> list[str]:
    problems = []
    for entry in entries:
        if not entry.sources:
            problems.append(f"{entry.source_path}: no source")
        for source in entry.sources:
            if (reason := url_problem(source.url)) is not None:
                problems.append(f"{entry.source_path}: {source.url}: {reason}")
            if not source.publisher:
                problems.append(f"{entry.source_path}: {source.url}: no publisher")
        if entry.sources and not any(s.date for s in entry.sources):
            problems.append(f"{entry.source_path}: no source shows a date")
    return problems


def test_every_shipped_entry_cites_well_formed_dated_sources():
    loaded = load_entries(REPO / "seeds", MarkdownConverter())
    assert len(loaded.entries) >= 40
    assert provenance_problems(loaded.entries) == []
    assert loaded.warnings == ()


def test_shipped_timeline_spans_the_talks_and_mixes_both_shapes():
    entries = load_entries(REPO / "seeds", MarkdownConverter()).entries
    assert min(e.date for e in entries) <= dt.date(2023, 11, 30)
    assert max(e.date for e in entries) >= dt.date(2025, 11, 1)
    wire = [e for e in entries if e.source_path.endswith(".txt")]
    assert len(wire) * 3 >= len(entries)


def test_the_check_fails_on_a_missing_or_malformed_source():
    good = Source(title="t", url="https://news.example.org/a", publisher="P", date=dt.date(2024, 1, 1))
    base = dict(date=dt.date(2024, 1, 1), title="T", slug="s", summary="", body_html="")
    entries = [
        Entry(**base, source_path="ok.md", sources=(good,)),
        Entry(**base, source_path="none.md"),
        Entry(**base, source_path="bad.md", sources=(Source(title="t", url="https://exa mple/x", publisher="P",
                                                            date=dt.date(2024, 1, 1)),)),
        Entry(**base, source_path="undated.md", sources=(Source(title="t", url="https://a.example.com/", publisher="P"),)),
    ]
    assert provenance_problems(entries) == [
        "none.md: no source",
        "bad.md: https://exa mple/x: malformed host 'exa mple'",
        "undated.md: no source shows a date",
    ]
