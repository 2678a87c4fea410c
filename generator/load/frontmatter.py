"""Front matter: split it off with python-frontmatter's YAML boundary, parse it strictly, type-check it.

python-frontmatter's own ``load`` is not used for parsing because it loses line
numbers, silently treats an unclosed ``---`` as body, and lets duplicate keys and
YAML 1.1 surprises (``title: no``) through. Only the YAML ``---`` handler is
enabled, so a body that merely starts with ``{`` or ``+++`` stays body.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import frontmatter

from generator.errors import BuildError, Problem, problem
from generator.load.strict_yaml import load_yaml
from generator.load.suggest import unknown_key
from generator.model import Source

MAX_FRONT_MATTER_BYTES = 64 * 1024

KEYS = ("title", "date", "date_display", "summary", "tags", "actors", "places", "detect", "sources", "slug",
        "draft", "updated", "update_note", "milestone", "milestone_label", "figures", "thread", "relation",
        "responds_to")
MILESTONE_LABEL_MAX = 30
"""A turning point's label is printed on the time axis, where there is room for a few words."""
SOURCE_KEYS = ("title", "url", "publisher", "date")
_YAML_BOUNDARY = frontmatter.YAMLHandler()
_MONTH = re.compile(r"\A(\d{4})-(\d{2})\Z", re.ASCII)
_DATE = re.compile(r"\A(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?\Z", re.ASCII)
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})\Z", re.ASCII)
_SLUG = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z", re.ASCII)
FIGURE_ID = _SLUG
"""A key figure's id (``hostages-freed``): as a slug."""
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)*")
# Characters XML 1.0 cannot carry and HTML calls parse errors: C0 controls but tab and
# newlines, DEL, C1 controls and the noncharacters U+FFFE/U+FFFF. One in a title would
# make the Atom feed unreadable (A11), so a seed holding one is refused, never cleaned.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")

@dataclass(frozen=True)
class Meta:
    """The front matter of one seed, checked and typed; absent fields are None or empty."""

    title: str | None = None
    date: dt.date | None = None
    time: dt.time | None = None
    month_only: bool = False
    date_display: str | None = None
    summary: str | None = None
    tags: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    detect: bool = True
    """Also find actors and places in the text (switch off per entry with ``detect: false``)."""
    sources: tuple[Source, ...] = ()
    slug: str | None = None
    draft: bool = False
    updated: dt.date | None = None
    update_note: str | None = None
    milestone: bool = False
    """A turning point of the story: larger on the axis, listed under the key moments."""
    milestone_label: str | None = None
    figures: tuple[tuple[str, int], ...] = ()
    """Key figures as of the entry's date, by figure id (defined in the config)."""
    thread: str | None = None
    relation: str | None = None
    responds_to: str | None = None
    """Thread id, relation word and the slug of the entry answered: checked against the config
    and the other entries when the timeline is made."""
    lines: dict | None = None
    """File line of each key (and ``key[i]`` of list items), for messages about them."""


@dataclass(frozen=True)
class Split:
    """A seed's text cut into its front matter (if any) and its body."""

    yaml_text: str | None
    yaml_line: int
    """File line of the first YAML line."""
    body: str
    body_line: int
    """File line of the body's first line."""


def split_front_matter(path: Path, text: str) -> Split:
    """Separate ``---`` front matter from the body; an unclosed block is an error.

    Blank lines before the opening ``---`` are allowed (as Hugo does) and counted in
    every line number. This is the first step every seed's text passes through, so it
    also refuses control characters anywhere in the file.
    """
    _refuse_control_characters(path, text)
    start = _LEADING_BLANK_LINES.match(text).end()  # type: ignore[union-attr] - always matches
    if not _YAML_BOUNDARY.detect(text[start:]):
        return Split(None, 1, text, 1)
    boundaries = list(_YAML_BOUNDARY.FM_BOUNDARY.finditer(text, start))
    if len(boundaries) < 2:
        line = text.count("\n", 0, start) + 1
        raise BuildError([problem(path, line, "front matter opened with '---' is not closed by a '---' line")])
    opening, closing = boundaries[0], boundaries[1]
    body_start = closing.end() + 1 if text[closing.end():closing.end() + 1] == "\n" else closing.end()
    return Split(
        yaml_text=text[opening.end():closing.start()],
        yaml_line=text.count("\n", 0, opening.end()) + 1,
        body=text[body_start:],
        body_line=text.count("\n", 0, body_start) + 1,
    )


def _refuse_control_characters(path: Path, text: str) -> None:
    """Raise for the first control character, by line and column: it may be invisible in an editor."""
    found = _CONTROL.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
        raise BuildError([problem(path, line, f"control character U+{ord(found.group()):04X} in column {column}; "
                                              "remove it (only tabs and line breaks are allowed)")])


def parse_meta(path: Path, split: Split) -> tuple[Meta, list[Problem]]:
    """Parse and type-check front matter; returns it with warnings, or raises every error found."""
    if split.yaml_text is None:
        return Meta(), []
    if len(split.yaml_text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise BuildError([problem(path, 1, f"front matter is larger than {MAX_FRONT_MATTER_BYTES // 1024} KB")])
    data, lines = load_yaml(path, split.yaml_text, split.yaml_line)
    return _check_fields(path, data, lines)


def _control_character(value: object) -> str | None:
    """The first control character in any text of a parsed YAML value (``"\\x01"`` escapes get there)."""
    if isinstance(value, str):
        found = _CONTROL.search(value)
        return found.group() if found else None
    items = [*value, *value.values()] if isinstance(value, dict) else value if isinstance(value, list) else []
    for item in items:
        found = _control_character(item)
        if found:
            return found
    return None


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return f"boolean {value}"
    if value is None:
        return "empty"
    return f"{type(value).__name__} {value!r}"


def parse_date(value: object, key: str = "date") -> tuple[dt.date, dt.time | None]:
    """A YAML date, datetime or 'YYYY-MM-DD[ HH:MM]' string -> (date, time); ValueError, naming ``key``, otherwise."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ValueError(f"{key} {value.isoformat(' ')!r} has a UTC offset; write the local time without it")
        return value.date(), value.time()
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, str):
        if _DATE.match(_OFFSET.sub("", value.strip())) and _OFFSET.search(value.strip()):
            raise ValueError(f"{key} {value.strip()!r} has a UTC offset; write the local time without it")
        match = _DATE.match(value.strip())
        if not match:
            raise ValueError(f"{key} {value!r} is not in the form YYYY-MM-DD")
        y, m, d, hh, mm, ss = match.groups()
        try:
            day = dt.date(int(y), int(m), int(d))
            time = dt.time(int(hh), int(mm), int(ss or 0)) if hh else None
        except ValueError:
            raise ValueError(f"{key} {value.strip()!r} is not a valid calendar date") from None
        return day, time
    raise ValueError(f"{key} is {_type_name(value)}; write it as YYYY-MM-DD")


def check_url(url: object) -> str:
    """An http(s) URL with a host, or ValueError saying why not."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"url is {_type_name(url)}; it must be an http(s) address")
    url = url.strip()
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ValueError(f"url {url!r} contains spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"url {url!r} is not an http(s) address (URL scheme not allowed)")
    return url


def _check_fields(path: Path, data: dict, lines: dict[str, int]) -> tuple[Meta, list[Problem]]:
    errors: list[Problem] = []
    warnings: list[Problem] = []
    values: dict[str, object] = {}

    def fail(key: str, message: str) -> None:
        errors.append(problem(path, lines.get(key, 1), message))

    for key in data:
        if key not in KEYS:
            warnings.append(problem(path, lines.get(key, 1), unknown_key("front matter key", key, KEYS)))
    for key, value in data.items():
        found = _control_character(value)
        if found:
            fail(key, f"{key} contains control character U+{ord(found):04X} (written as a YAML escape); remove it")
    for key in ("title", "summary", "slug", "date_display", "update_note", "milestone_label", "thread", "relation",
                "responds_to"):
        if key in data:
            value = data[key]
            if not isinstance(value, str):
                fail(key, f"{key} is {_type_name(value)}; it must be text (quote it)")
            elif not value.strip():
                fail(key, f"{key} is empty")
            else:
                values[key] = " ".join(value.split())
    _check_names(data, values, fail)
    for key in ("tags", "actors", "places"):
        if key in data:
            items = _text_list(path, key, data[key], lines, errors)
            if items is not None:
                values[key] = items
    for key in [key for key in ("date", "updated") if key in data]:
        try:
            values.update(_date_fields(key, data[key]))
        except ValueError as exc:
            fail(key, str(exc))
    _check_weight(data, values, fail)
    for key in [key for key in ("draft", "detect", "milestone") if key in data]:
        if not isinstance(data[key], bool):
            fail(key, f"{key} is {_type_name(data[key])}; write true or false")
        values[key] = data[key]
    if "update_note" in values and "updated" not in data:
        fail("update_note", "update_note needs an 'updated' date")
    if "sources" in data:
        sources = check_sources(path, data["sources"], lines, errors, warnings)
        values["sources"] = sources
    if errors:
        raise BuildError(errors)
    return Meta(**values, lines=lines), warnings


def _date_fields(key: str, value: object) -> dict:
    """``date`` or ``updated`` as Meta fields; a month alone (``date: 2024-06``) is its first day."""
    if key == "date" and isinstance(value, str) and _MONTH.match(value.strip()):
        year, month = map(int, value.strip().split("-"))
        if not (1 <= month <= 12 and year >= 1):
            raise ValueError(f"date {value!r} is not a valid month")  # and not also "not in the form"
        return {"date": dt.date(year, month, 1), "month_only": True}
    day, time = parse_date(value, key)
    return {"date": day, "time": time} if key == "date" else {key: day}


def _check_names(data: dict, values: dict, fail) -> None:
    """The slug, and the thread, relation and answered entry (checked as names here; that they
    exist is checked when the timeline is made)."""
    for key in ("slug", "thread", "relation", "responds_to"):
        if key in values and not _SLUG.match(str(values[key])):
            fail(key, f"{key} {values[key]!r} must be lowercase ASCII letters, digits and single hyphens")
    if "responds_to" in values and "relation" not in data:
        fail("responds_to", "responds_to needs a 'relation' (how this entry answers it, e.g. response or counter)")


def _check_weight(data: dict, values: dict, fail) -> None:
    """A turning point's label, and the key figures an entry reports."""
    label = values.get("milestone_label")
    if label is not None and len(str(label)) > MILESTONE_LABEL_MAX:
        fail("milestone_label", f"milestone_label is {len(str(label))} characters long; at most {MILESTONE_LABEL_MAX}")
    if label is not None and data.get("milestone") is not True:
        fail("milestone_label", "milestone_label needs 'milestone: true'")
    if "figures" in data:
        values["figures"] = _check_figures(data["figures"], fail)


def _check_figures(items: object, fail) -> tuple[tuple[str, int], ...]:
    """``figures: {hostages-freed: 24}``: each figure's id and a whole number of at least 0."""
    if not isinstance(items, dict):
        fail("figures", f"figures must be a mapping of figure id to number, not {_type_name(items)}")
        return ()
    found = []
    for key, value in items.items():
        if not isinstance(key, str) or not FIGURE_ID.match(key):
            fail("figures", f"figure id {key!r} must be lowercase letters, digits and hyphens")
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            fail("figures", f"figures: {key} is {_type_name(value)}; it must be a whole number, 0 or more")
        else:
            found.append((key, value))
    return tuple(found)


def _text_list(path: Path, key: str, items: object, lines: dict[str, int],
               errors: list[Problem]) -> tuple[str, ...] | None:
    """A list of names (one name alone is a list of one), each text, spaces folded, duplicates dropped."""
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list):
        errors.append(problem(path, lines.get(key, 1), f"{key} must be a list, not {_type_name(items)}"))
        return None
    good = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            what = "empty" if isinstance(item, str) else f"{_type_name(item)}; it must be text (quote it)"
            errors.append(problem(path, lines.get(f"{key}[{i}]", lines.get(key, 1)), f"{key} item {i + 1} is {what}"))
        else:
            good.append(" ".join(item.split()))
    return tuple(dict.fromkeys(good))


def check_sources(path: Path, items: object, lines: dict[str, int],
                   errors: list[Problem], warnings: list[Problem]) -> tuple[Source, ...]:
    if not isinstance(items, list):
        errors.append(problem(path, lines.get("sources", 1), "sources must be a list of {title, url, publisher, date}"))
        return ()
    sources = []
    for i, item in enumerate(items):
        line = lines.get(f"sources[{i}]", lines.get("sources", 1))
        where = f"source {i + 1}"
        if not isinstance(item, dict):
            errors.append(problem(path, line, f"{where} must be a mapping with title, url, publisher, date"))
            continue
        for key in item:
            if key not in SOURCE_KEYS:
                warnings.append(problem(path, line, f"{where}: {unknown_key('key', key, SOURCE_KEYS)}"))
        try:
            url = check_url(item.get("url"))
        except ValueError as exc:
            errors.append(problem(path, line, f"{where}: {exc}"))
            continue
        texts = {}
        for key in ("title", "publisher"):
            value = item.get(key, "")
            if not isinstance(value, str):
                errors.append(problem(path, line, f"{where}: {key} is {_type_name(value)}; it must be text"))
                value = ""
            texts[key] = " ".join(value.split())
        if not texts["title"]:
            errors.append(problem(path, line, f"{where}: title is missing"))
        day = None
        if item.get("date") is not None:
            try:
                day, _ = parse_date(item["date"])
            except ValueError as exc:
                errors.append(problem(path, line, f"{where}: {exc}"))
        sources.append(Source(title=texts["title"], url=url, publisher=texts["publisher"], date=day))
    return tuple(sources)
