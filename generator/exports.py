"""Data exports for reuse: TimelineJS3 JSON, every field as JSON and CSV, and an iCalendar file.

Each follows its standard so that real tools read it as it is: TimelineJS3 loads
``timeline.json``, spreadsheets open ``entries.csv`` (RFC 4180) and calendars
subscribe to ``calendar.ics`` (RFC 5545).

Each file is made as its parts, one after the other, which ``timeline build`` writes as
they come: the whole file (60 MB for ``entries.json`` at 10,000 entries) is never in
memory. Each entry's part of each file is made once (``Pieces``): the preview keeps the
parts in memory, and ``timeline build`` copies them from where the last build wrote them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator

from generator.config import Config
from generator.dates import entry_date_text
from generator.digest import Digester
from generator.feeds import entry_id
from generator.model import Entry, EntryPage, Timeline
from generator.write import Joined, Parts, Span

COMPACT = {"ensure_ascii": False, "sort_keys": True, "separators": (",", ":")}


Layout = dict[tuple, tuple[int, int]]
"""Where each entry's part of a data file is in it: piece key -> (offset, length), a ``Span``."""


class Pieces:
    """Each entry's part of each data file, by the digests of the entry, its era and the config:
    digests the digester knows already, not hashed again (10,000 entries, four files each).

    A part is made only when it is not at hand: in ``store``, kept in memory between builds
    by the preview (``prune`` then drops the parts this build did not use), or in the last
    build's file, whose ``layouts`` the caller gives (``timeline build``): it is then a
    ``Span`` of that file, which writing copies. ``track`` notes where the parts of the
    files made now land, as ``layouts`` for the next build."""

    def __init__(self, config: Config, store: dict | None = None, digester: Digester | None = None,
                 layouts: dict[str, Layout] | None = None) -> None:
        self.store = store
        self.digester = digester or Digester()
        self.config = self.digester.digest(config)
        self.used: dict = {}
        self.reuse = layouts or {}
        self.layouts: dict[str, Layout] = {}
        self._made: dict[str, tuple[list, Joined]] = {}  # file -> its records' keys and the records
        self._keys: tuple[tuple, list] | None = None  # the pages, and what each one's keys are made of

    def records(self, kind: str, pages: tuple[EntryPage, ...], make: Callable[[EntryPage], str],
                separator: bytes = b"") -> Joined:
        """Each page's part of the file ``kind``: ``make(page)`` as UTF-8 bytes (so that no str
        of the whole file is ever built: one non-Latin-1 character makes a str 2-4 bytes a
        character), or where it is in the last build's file of that name."""
        if self._keys is None or self._keys[0] is not pages:  # the same for every file
            of, config = self.digester.of, self.config
            self._keys = pages, [(of(page.entry), of(page.era) if page.era else b"", config) for page in pages]
        keys = [(kind, base) for base in self._keys[1]]
        reuse = self.reuse.get(kind, {})
        if self.store is None:
            joined = Joined([reuse.get(key) for key in keys], separator,
                            lambda index: make(pages[index]).encode("utf-8"))
        else:  # the preview keeps every part in memory
            items = [self.store.get(key) or reuse.get(key) for key in keys]
            for index, item in enumerate(items):
                if item is None:
                    items[index] = make(pages[index]).encode("utf-8")
            self.used.update(zip(keys, items))
            joined = Joined(items, separator)
        self._made[kind] = (keys, joined)
        return joined

    def track(self, kind: str, parts: Parts) -> Iterator[bytes | Span | Joined]:
        """``parts`` of the file ``kind`` (not yet begun), noting in ``layouts`` where each
        record lands in it."""
        layout = self.layouts[kind] = {}
        offset = 0
        for part in parts:
            yield part  # taken whole (records made as they are taken have their sizes now)
            if isinstance(part, Joined):
                keys, joined = self._made.get(kind, ((), None))
                ours = part is joined  # a file's records may be made as its parts are taken: looked up now
                step = len(part.separator)
                for index, size in enumerate(part.sizes()):
                    if ours:
                        layout[keys[index]] = (offset, size)
                    offset += size + step
                offset -= step if part.items else 0
            else:
                offset += part[1] if isinstance(part, tuple) else len(part)

    def prune(self) -> None:
        if self.store is not None:
            self.store.clear()
            self.store.update(self.used)


def _date_parts(entry: Entry) -> dict:
    parts = {"year": entry.date.year, "month": entry.date.month}
    if not entry.month_only:
        parts["day"] = entry.date.day
    if entry.date_display or entry.month_only:
        parts["display_date"] = entry_date_text(entry)
    return parts


def _dump(data: dict, records: str, items: Joined) -> Parts:
    """JSON with each of ``items`` (already encoded, joined by a comma and a line break) on a
    line of its own as the list ``data[records]``: readable and diffable, and made by
    json's C encoder (``indent`` would switch it to the pure-Python one, five times slower)."""
    rest = json.dumps(data, **COMPACT)[1:-1]
    yield f"{{{json.dumps(records)}:[\n".encode()
    yield items
    yield f"\n]{',' if rest else ''}{rest}}}\n".encode("utf-8")


RECORD_SEPARATOR = b",\n"
"""Between the records of a JSON data file (``_dump``)."""


def _event(page: EntryPage) -> str:
    entry = page.entry
    event = {
        "unique_id": entry.slug,
        "start_date": _date_parts(entry),
        "text": {"headline": entry.title, "text": entry.summary},
    }
    if page.era:
        event["group"] = page.era.name
    return json.dumps(event, **COMPACT)


def timelinejs(timeline: Timeline, config: Config, pieces: Pieces | None = None) -> Parts:
    """TimelineJS3's JSON: a title slide, one event per entry (grouped by era), the eras as bands."""
    pieces = pieces or Pieces(config)
    events = pieces.records("timeline.json", timeline.pages, _event, RECORD_SEPARATOR)
    eras = [{
        "start_date": {"year": era.start.year, "month": era.start.month, "day": era.start.day},
        "end_date": {"year": era.end.year, "month": era.end.month, "day": era.end.day},
        "text": {"headline": era.name, "text": era.description},
    } for era in timeline.eras]
    return _dump({"title": {"text": {"headline": config.title, "text": config.description}}, "eras": eras},
                 "events", events)


def _record(timeline_entry: Entry, era_name: str | None, config: Config) -> dict:
    e = timeline_entry
    return {
        "id": entry_id(config, e),
        "slug": e.slug,
        "url": config.full_url(e.path),
        "date": e.date.isoformat() if not e.month_only else f"{e.date:%Y-%m}",
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
        "era": era_name,
        "updated": e.updated.isoformat() if e.updated else None,
        "update_note": e.update_note or None,
        "source_file": e.source_path,
    }


def entries_json(timeline: Timeline, config: Config, pieces: Pieces | None = None) -> Parts:
    """Every field of every entry, oldest first."""
    pieces = pieces or Pieces(config)
    records = pieces.records("entries.json", timeline.pages, lambda p: json.dumps(
        _record(p.entry, p.era.name if p.era else None, config), **COMPACT), RECORD_SEPARATOR)
    return _dump({"title": config.title}, "entries", records)


CSV_COLUMNS = ("date", "title", "url", "summary", "era", "tags", "actors", "places", "source_urls",
               "source_publishers", "updated", "slug")


def entries_csv(timeline: Timeline, config: Config, pieces: Pieces | None = None) -> Parts:
    """One row per entry, RFC 4180: CRLF line ends, fields quoted when needed; lists joined by "; "."""
    pieces = pieces or Pieces(config)
    yield _csv_row(CSV_COLUMNS).encode("utf-8")
    yield pieces.records("entries.csv", timeline.pages, lambda p: _csv_row([
        p.entry.date.isoformat() if not p.entry.month_only else f"{p.entry.date:%Y-%m}", p.entry.title,
        config.full_url(p.entry.path), p.entry.summary, p.era.name if p.era else "",
        "; ".join(t.name for t in p.entry.tags), "; ".join(a.name for a in p.entry.actors),
        "; ".join(place.name for place in p.entry.places), " ".join(s.url for s in p.entry.sources),
        "; ".join(s.publisher for s in p.entry.sources), p.entry.updated.isoformat() if p.entry.updated else "",
        p.entry.slug,
    ]))


def _csv_row(fields) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow(fields)
    return out.getvalue()


def calendar_ics(timeline: Timeline, config: Config, pieces: Pieces | None = None) -> Parts:
    """All-day events with stable UIDs; DTSTAMP is the entry's last change, never the build time.

    Written directly rather than with the icalendar library, which took 2.7 s for 10,000
    events (its folding is per character); the tests read the file back with icalendar.
    """
    pieces = pieces or Pieces(config)
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Timeline//timeline static site generator//EN",
            "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{_ics_text(config.title)}"]
    yield "".join(map(_ics_fold, head)).encode("utf-8")
    yield pieces.records("calendar.ics", timeline.pages, lambda p: _vevent(p.entry, config))
    yield _ics_fold("END:VCALENDAR").encode()


def _vevent(entry: Entry, config: Config) -> str:
    stamp = entry.updated or entry.date
    lines = ["BEGIN:VEVENT",
             f"SUMMARY:{_ics_text(entry.title)}",
             f"DTSTART;VALUE=DATE:{entry.date:%Y%m%d}",
             f"DTEND;VALUE=DATE:{entry.date + dt.timedelta(days=1):%Y%m%d}",
             f"DTSTAMP:{stamp:%Y%m%d}T000000Z",
             f"UID:{entry_id(config, entry).removeprefix('urn:uuid:')}@timeline"]
    if entry.tags:
        lines.append("CATEGORIES:" + ",".join(_ics_text(t.name) for t in entry.tags))
    lines += [f"DESCRIPTION:{_ics_text(entry.summary)}", f"URL:{config.full_url(entry.path)}", "END:VEVENT"]
    return "".join(map(_ics_fold, lines))


_ICS_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _ics_text(value: str) -> str:
    """An RFC 5545 TEXT value: backslash, semicolon, comma and newlines escaped, other controls dropped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _ICS_CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n"))


def _ics_fold(line: str) -> str:
    """RFC 5545 section 3.1: at most 75 octets a line, continued after CRLF and a space,
    never inside a UTF-8 character."""
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
