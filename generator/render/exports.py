"""Data exports for reuse: TimelineJS3 JSON, every field as JSON and CSV, and an iCalendar file.

Each follows its standard so that real tools read it as it is: TimelineJS3 loads
``timeline.json``, spreadsheets open ``entries.csv`` (RFC 4180) and calendars
subscribe to ``calendar.ics`` (RFC 5545).

Each is made as a stream of chunks, written as they come: ``entries.json`` is 60 MB at
10,000 entries, which would double a build's peak memory if it were held whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from collections.abc import Iterable, Iterator

import orjson

from generator.config import Config
from generator.render.dates import entry_date_text
from generator.render.feeds import entry_id
from generator.model import Entry, EntryPage, Timeline

COMPACT = {"ensure_ascii": False, "sort_keys": True, "separators": (",", ":")}
CHUNK = 1 << 20
"""About this many bytes a chunk."""


def _json(value: object) -> bytes:
    """``json.dumps(value, **COMPACT)`` as UTF-8, byte for byte, five times as fast (orjson)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _chunks(parts: Iterable[bytes]) -> Iterator[bytes]:
    """``parts`` joined into chunks of about ``CHUNK`` bytes."""
    pending: list[bytes] = []
    size = 0
    for part in parts:
        pending.append(part)
        size += len(part)
        if size >= CHUNK:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


def _date_parts(entry: Entry) -> dict:
    parts = {"year": entry.date.year, "month": entry.date.month}
    if not entry.month_only:
        parts["day"] = entry.date.day
    if entry.date_display or entry.month_only:
        parts["display_date"] = entry_date_text(entry)
    return parts


def _dump(data: dict, records: str, items: Iterable[bytes]) -> Iterator[bytes]:
    """JSON with each of ``items`` (each one encoded record) on a line of its own as the list
    ``data[records]``: readable and diffable."""
    rest = json.dumps(data, **COMPACT)[1:-1]

    def parts() -> Iterator[bytes]:
        yield f"{{{json.dumps(records)}:[\n".encode()
        for index, item in enumerate(items):
            yield b",\n" + item if index else item
        yield f"\n]{',' if rest else ''}{rest}}}\n".encode("utf-8")
    return _chunks(parts())


def _html(text: str) -> str:
    """Plain text for a field TimelineJS puts in the page as HTML (headlines, texts, display
    dates, group labels): escaped, so that ``<img onerror=…>`` in a seed stays text there."""
    return html.escape(text, quote=True)


def _event(page: EntryPage) -> bytes:
    entry = page.entry
    start = _date_parts(entry)
    if "display_date" in start:
        start["display_date"] = _html(start["display_date"])
    event = {
        "unique_id": entry.slug,
        "start_date": start,
        "text": {"headline": _html(entry.title), "text": _html(entry.summary)},
    }
    if page.chain:  # a row of its own per thread; the eras are the bands
        event["group"] = _html(page.chain.thread.name)
    return _json(event)


def timelinejs(timeline: Timeline, config: Config) -> Iterator[bytes]:
    """TimelineJS3's JSON: a title slide, one event per entry (grouped by thread), the eras as bands."""
    events = (_event(page) for page in timeline.pages)
    eras = [{
        "start_date": {"year": era.start.year, "month": era.start.month, "day": era.start.day},
        "end_date": {"year": era.end.year, "month": era.end.month, "day": era.end.day},
        "text": {"headline": _html(era.name), "text": _html(era.description)},
    } for era in timeline.eras]
    title = {"text": {"headline": _html(config.title), "text": _html(config.description)}}
    return _dump({"title": title, "eras": eras},
                 "events", events)


def _record(page: EntryPage, config: Config) -> dict:
    e, step, chain = page.entry, page.step, page.chain
    return {
        "id": entry_id(config, e),
        "slug": e.slug,
        "url": config.full_url(e.path),
        "date": e.date.isoformat()[:7] if e.month_only else e.date.isoformat(),
        "time": e.time.isoformat() if e.time else None,
        "date_display": entry_date_text(e),
        "title": e.title,
        "summary": e.summary,
        "body_html": e.body_html,
        "headings": [{"level": h.level, "id": h.id, "text": h.text} for h in e.headings],
        "tags": [t.name for t in e.tags],
        "actors": [{"id": a.id, "name": a.name} for a in e.actors],
        "places": [{"id": p.id, "name": p.name} for p in e.places],
        "sources": [{"title": s.title, "url": s.url, "publisher": s.publisher,
                     "date": s.date.isoformat() if s.date else None} for s in e.sources],
        "era": page.era.name if page.era else None,
        "thread": {"id": chain.thread.id, "name": chain.thread.name, "step": step.number} if chain and step else None,
        "relation": {"id": e.relation, "name": step.relation} if step and e.relation else None,
        "responds_to": e.responds_to or None,
        "updated": e.updated.isoformat() if e.updated else None,
        "update_note": e.update_note or None,
        "source_file": e.source_path,
    }


def entries_json(timeline: Timeline, config: Config) -> Iterator[bytes]:
    """Every field of every entry, oldest first."""
    records = (_json(_record(p, config)) for p in timeline.pages)
    return _dump({"title": config.title}, "entries", records)


CSV_COLUMNS = ("date", "title", "url", "summary", "era", "tags", "actors", "places", "source_urls",
               "source_publishers", "updated", "slug", "thread", "thread_step", "relation", "responds_to")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What makes Excel, LibreOffice and Google Sheets read a cell as a formula (OWASP, CSV injection)."""


def _cell(value: object) -> object:
    """A text cell that would start a formula, neutralised as OWASP recommends: a leading ``'``,
    which spreadsheets show as text and do not run (``=HYPERLINK(…)``, DDE)."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def entries_csv(timeline: Timeline, config: Config) -> Iterator[bytes]:
    """One row per entry, RFC 4180: CRLF line ends, fields quoted when needed; lists joined by "; ";
    every text cell that a spreadsheet would run as a formula starts with ``'``."""
    def rows() -> Iterator[bytes]:
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for p in timeline.pages:
            e = p.entry
            writer.writerow(map(_cell, [
                e.date.isoformat()[:7] if e.month_only else e.date.isoformat(), e.title,
                config.full_url(e.path), e.summary, p.era.name if p.era else "",
                "; ".join(t.name for t in e.tags), "; ".join(a.name for a in e.actors),
                "; ".join(place.name for place in e.places), " ".join(s.url for s in e.sources),
                "; ".join(s.publisher for s in e.sources), e.updated.isoformat() if e.updated else "", e.slug,
                p.chain.thread.name if p.chain else "", p.step.number if p.chain and p.step else "",
                p.step.relation if p.step else "", e.responds_to,
            ]))
            if out.tell() >= CHUNK:
                yield out.getvalue().encode("utf-8")
                out.seek(0)
                out.truncate()
        yield out.getvalue().encode("utf-8")
    return rows()


def calendar_ics(timeline: Timeline, config: Config) -> Iterator[bytes]:
    """All-day events with stable UIDs; DTSTAMP is the entry's last change, never the build time.

    Written directly rather than with the icalendar library, which took 2.7 s for 10,000
    events (its folding is per character); the tests read the file back with icalendar.
    """
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Timeline//timeline static site generator//EN",
            "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{_ics_text(config.title)}"]
    lines = [*map(_ics_fold, head), *(_vevent(page.entry, config) for page in timeline.pages),
             _ics_fold("END:VCALENDAR")]
    return _chunks(line.encode("utf-8") for line in lines)


def _vevent(entry: Entry, config: Config) -> str:
    stamp = entry.updated or entry.date
    lines = ["BEGIN:VEVENT",
             f"SUMMARY:{_ics_text(entry.title)}",
             f"DTSTART;VALUE=DATE:{_basic(entry.date)}",
             # A one-day event ends the next day; 9999-12-31 has none, so it lasts a day instead.
             f"DTEND;VALUE=DATE:{_basic(entry.date + dt.timedelta(days=1))}" if entry.date < dt.date.max
             else "DURATION:P1D",
             f"DTSTAMP:{_basic(stamp)}T000000Z",
             f"UID:{entry_id(config, entry).removeprefix('urn:uuid:')}@timeline"]
    if entry.tags:
        lines.append("CATEGORIES:" + ",".join(_ics_text(t.name) for t in entry.tags))
    lines += [f"DESCRIPTION:{_ics_text(entry.summary)}", f"URL:{config.full_url(entry.path)}", "END:VEVENT"]
    return "".join(map(_ics_fold, lines))


def _basic(day: dt.date) -> str:
    """``YYYYMMDD``, four digits of year always (strftime gives ``1`` for year 1, and is slower)."""
    return day.isoformat().replace("-", "")


_ICS_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _ics_text(value: str) -> str:
    """An RFC 5545 TEXT value: backslash, semicolon, comma and newlines escaped, other controls dropped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _ICS_CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n"))


def _ics_fold(line: str) -> str:
    """RFC 5545 section 3.1: at most 75 octets a line, continued after CRLF and a space,
    never inside a UTF-8 character."""
    if len(line) <= 75 and line.isascii():  # most lines: nothing to fold
        return line + "\r\n"
    data = line.encode("utf-8")
    parts, start, limit = [], 0, 75
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a continuation byte: back up to the character's start
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines begin with the space
    parts.append(data[start:].decode("utf-8"))
    return "\r\n ".join(parts) + "\r\n"
