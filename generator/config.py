"""The site configuration: one TOML file at the repository root (``timeline.toml``)."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.errors import BuildError, Problem, problem
from generator.load.suggest import unknown_key
from generator.model import Era, Figure, Thread

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
DEFAULT_RELATIONS = (("proposal", "Proposal"), ("response", "Response"), ("counter", "Counter-proposal"),
                     ("acceptance", "Acceptance"), ("rejection", "Rejection"), ("agreement", "Agreement"),
                     ("breach", "Breach"))


@dataclass(frozen=True)
class Config:
    """What the site owner sets once for the whole site."""

    title: str
    """Site name, shown in the header and every page's <title>."""
    description: str
    """One or two sentences on what the timeline covers; the index's meta description."""
    base_url: str = "/"
    """Where the site will be hosted, e.g. ``https://user.github.io/repo/`` or ``/``.
    Its path part prefixes every internal link, so the site works under a sub-path."""
    language: str = "en"
    """BCP 47 language tag for ``<html lang>``."""
    timezone: str = "UTC"
    """IANA zone the dates in the seeds are local to; shown dates never shift."""
    intro: str = ""
    """A paragraph under the site title on the timeline page (plain text)."""
    eras: tuple[Era, ...] = ()
    """Named periods of the story, oldest first; they may not overlap."""
    figures: tuple[Figure, ...] = ()
    """Key figures the entries report over time (``[[figures]]``), drawn as charts on the timeline page."""
    threads: tuple[Thread, ...] = ()
    """Named threads entries can be steps of (``[[threads]]``), each with a page."""
    relations: tuple[tuple[str, str], ...] = DEFAULT_RELATIONS
    """The words an entry's ``relation`` may be, each with how readers see it (``[relations]``)."""
    search: bool = True
    """Build the Pagefind full-text index. It costs time and memory on big sites (10,000
    long entries: about 20 s and 2 GB in the indexer), so it can be switched off."""

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``, always starting and ending with ``/``."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def is_absolute(self) -> bool:
        """True when ``base_url`` names a host, so absolute URLs (feeds, sitemap, canonical) can be made."""
        return bool(urlsplit(self.base_url).netloc)

    def moment(self, day: dt.date, time: dt.time | None = None) -> str:
        """RFC 3339 timestamp of a local date (midnight unless a time is given) in the site's zone."""
        return dt.datetime.combine(day, time or dt.time(0), tzinfo=ZoneInfo(self.timezone)).isoformat()

    def full_url(self, path: str) -> str:
        """A site path as an absolute URL when the host is known, else as a root-relative link."""
        return (self.base_url if self.is_absolute else self.base_path) + quote_path(path.lstrip("/"))


def quote_path(path: str) -> str:
    """A site path percent-encoded for a URL, ``/`` and ``#`` kept; quote itself (3-10 µs)
    only when some character needs it."""
    return path if _URL_SAFE.fullmatch(path) else quote(path, safe="/#")


_URL_SAFE = re.compile(r"[A-Za-z0-9_.~/#-]*")
"""What ``quote(…, safe="/#")`` leaves as it is."""

ALLOWED_KEYS = tuple(f.name for f in fields(Config))
REQUIRED_KEYS = ("title", "description")
ERA_KEYS = ("name", "start", "end", "description")
FIGURE_KEYS = ("id", "label", "unit", "kind", "description")
FIGURE_KINDS = ("total", "count")
THREAD_KEYS = ("id", "name", "description")
RELATION_LABEL_MAX = 30
TABLES = ("eras", "figures", "threads", "relations", "search")
"""Keys whose values are not plain text."""
_FIGURE_ID = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z", re.ASCII)


_BASE_URL_BAD = re.compile(r"[\x00-\x20\x7f-\x9f\"'<>\\`{}|^\u2028\u2029]")
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
                   r"[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}"
                   r"|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?")
"""A host name or IP address, and a port from 1 to 65535: no user, password or empty port."""
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def normalise_base_url(value: str) -> str:
    """Accept ``/``, ``/repo``, ``https://host/repo``; return it ending with ``/``.

    Raises ValueError with a readable reason for anything else.
    """
    value = value.strip()
    bad = _BASE_URL_BAD.search(value)
    if bad:
        raise ValueError(f"base_url may not hold {bad.group()!r} (a space, quote, angle bracket, backslash or "
                         f"control character): {value!r}")
    parts = urlsplit(value)
    if parts.scheme and parts.scheme not in ("http", "https"):
        raise ValueError(f"base_url must be http(s) or a path starting with '/', not {value!r}")
    if parts.scheme and not parts.netloc:
        raise ValueError(f"base_url {value!r} has no host")
    if not parts.scheme and (parts.netloc or not value.startswith("/")):
        raise ValueError(f"base_url must be an absolute URL or a path starting with '/', not {value!r}")
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        raise ValueError(f"base_url must not have a query or fragment: {value!r}")
    if parts.netloc and not _HOST.fullmatch(parts.netloc):
        raise ValueError(f"base_url's host {parts.netloc!r} is not a host name, an IP address or a port from 1 "
                         f"to 65535: {value!r}")
    segments = parts.path.split("/")[1:-1] if parts.path.endswith("/") else parts.path.split("/")[1:]
    if any(segment in ("", ".", "..") for segment in segments) or _BAD_ESCAPE.search(parts.path):
        raise ValueError(f"base_url's path {parts.path!r} has an empty, '.' or '..' part or a broken %-escape, "
                         f"which no server resolves as written: {value!r}")
    return value if value.endswith("/") else value + "/"


def _key_line(text: str, key: str, table: str = "") -> int:
    """The line where ``key = …`` is set (in ``[table]`` if given; a top-level key may also be a
    ``[key]`` or ``[[key]]`` header), for messages (tomllib gives no positions)."""
    start = re.search(rf"^[ \t]*\[[ \t]*{table}[ \t]*\]", text, re.MULTILINE) if table else None
    header = "" if table else rf"\[\[?[ \t]*{re.escape(key)}[ \t]*\]|"
    match = re.compile(rf"^[ \t]*(?:{header}{re.escape(key)}[ \t]*=)", re.MULTILINE).search(
        text, start.end() if start else 0)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _missing(path: Path) -> str:
    """What to say of a config that is not there: how to start, where it is the default name."""
    if path.name == "timeline.toml":
        return "no timeline.toml in this folder: run `timeline init` to start a site, or pass --config"
    return "config file not found"


def load_config(path: Path, base_url: str | None = None) -> Config:
    """Read and check the config file; ``base_url`` (from the CLI) overrides the file's."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise BuildError([problem(path, 1, _missing(path))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildError([problem(path, 1, f"cannot read config: {exc}")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = int(found.group(1)) if found else 1
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise BuildError([problem(path, line, f"invalid TOML: {message}")]) from None

    problems: list[Problem] = []
    for key in data:
        if key not in ALLOWED_KEYS:
            problems.append(problem(path, _key_line(text, key), unknown_key("config key", key, ALLOWED_KEYS)))
    for key in REQUIRED_KEYS:
        if key not in data:
            problems.append(problem(path, 1, f"missing required config key {key!r}"))
    for key, value in data.items():
        if key == "search" and not isinstance(value, bool):
            problems.append(problem(path, _key_line(text, key), "config key 'search' must be true or false"))
        elif key in ALLOWED_KEYS and key not in TABLES and not isinstance(value, str):
            problems.append(problem(path, _key_line(text, key),
                                    f"config key {key!r} must be a string, not {type(value).__name__}"))
    if problems:
        raise BuildError(problems)

    eras = _eras(path, text, data.get("eras", []), problems)
    figures = _figures(path, text, data.get("figures", []), problems)
    threads = _threads(path, text, data.get("threads", []), problems)
    relations = _relations(path, text, data.get("relations"), problems)
    values = {k: v.strip() for k, v in data.items() if k not in TABLES}
    values["search"] = data.get("search", True)
    try:
        values["base_url"] = normalise_base_url(values.get("base_url", "/"))
    except ValueError as exc:
        problems.append(problem(path, _key_line(text, "base_url"), str(exc)))
    if base_url is not None:  # from the CLI, already checked there (a usage error)
        values["base_url"] = normalise_base_url(base_url)
    if "language" in values and not LANGUAGE_TAG.match(values["language"]):
        problems.append(problem(path, _key_line(text, "language"),
                                f"language {values['language']!r} is not a BCP 47 tag like 'en' or 'en-GB'"))
    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(problem(path, _key_line(text, "timezone"),
                                    f"unknown timezone {values['timezone']!r} (use an IANA name like 'Asia/Jerusalem')"))
    for key in REQUIRED_KEYS:
        if not values[key]:
            problems.append(problem(path, _key_line(text, key), f"config key {key!r} must not be empty"))
    if problems:
        raise BuildError(problems)
    return Config(**values, eras=eras, figures=figures, threads=threads, relations=relations)


def _tables(path: Path, text: str, items: object, name: str, problems: list[Problem]) -> list[tuple[object, int]]:
    """Each ``[[name]]`` table with the line of its header; [] and a problem when ``name`` is set
    to something else (tomllib gives no positions, so headers are found in the text)."""
    if not isinstance(items, list):
        problems.append(problem(path, _key_line(text, name), f"{name} must be [[{name}]] tables"))
        return []
    lines = [text.count("\n", 0, m.start()) + 1
             for m in re.finditer(rf"^[ \t]*\[\[[ \t]*{name}[ \t]*\]\]", text, re.MULTILINE)]
    return [(item, lines[i] if i < len(lines) else 1) for i, item in enumerate(items)]


def _table_problems(item: dict, keys: tuple[str, ...], required: str, ids: set[str], example: str) -> list[str]:
    """What is wrong with a ``[[figures]]`` or ``[[threads]]`` table: unknown keys, values that are
    not text, an id that is no slug or is taken, the ``required`` text missing (first problem only
    past the keys)."""
    found = [unknown_key("key", k, keys) for k in item if k not in keys]
    found += [f"{k} must be text" for k in keys if not isinstance(item.get(k, ""), str)]
    if not found and not _FIGURE_ID.match(item.get("id", "")):
        found.append(f"id must be lowercase letters, digits and single hyphens, like {example!r}")
    if not found and not item.get(required, "").strip():
        found.append(f"{required} is required text")
    if not found and item["id"] in ids:
        found.append("id is used twice")
    return found


def _figures(path: Path, text: str, items: object, problems: list[Problem]) -> tuple[Figure, ...]:
    """Check ``[[figures]]`` tables: an id, a label, a kind of ``total`` or ``count``; ids unique."""
    figures: list[Figure] = []
    for item, line in _tables(path, text, items, "figures", problems):
        if not isinstance(item, dict):
            problems.append(problem(path, line, "each figure must be a table with id, label and kind"))
            continue
        where = f"figure {item.get('id')!r}"
        found = _table_problems(item, FIGURE_KEYS, "label", {f.id for f in figures}, "hostages-freed")
        if not found and item.get("kind", "total") not in FIGURE_KINDS:
            found.append(f"kind must be one of {', '.join(FIGURE_KINDS)}, not {item['kind']!r}")
        problems.extend(problem(path, line, f"{where}: {message}") for message in found)
        if not found:
            figures.append(Figure(id=item["id"], label=" ".join(item["label"].split()),
                                  unit=item.get("unit", "").strip(), kind=item.get("kind", "total"),
                                  description=" ".join(item.get("description", "").split())))
    return tuple(figures)


def _threads(path: Path, text: str, items: object, problems: list[Problem]) -> tuple[Thread, ...]:
    """Check ``[[threads]]`` tables: an id (a slug, unique) and a name; a description optional."""
    threads: list[Thread] = []
    for item, line in _tables(path, text, items, "threads", problems):
        if not isinstance(item, dict):
            problems.append(problem(path, line, "each thread must be a table with id and name"))
            continue
        found = _table_problems(item, THREAD_KEYS, "name", {t.id for t in threads}, "paris-framework")
        problems.extend(problem(path, line, f"thread {item.get('id')!r}: {message}") for message in found)
        if not found:
            threads.append(Thread(id=item["id"], name=" ".join(item["name"].split()),
                                  description=" ".join(item.get("description", "").split())))
    return tuple(threads)


def _relations(path: Path, text: str, table: object, problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    """``[relations]``: word = "How readers see it"; the defaults when the config has none."""
    if table is None:
        return DEFAULT_RELATIONS
    if not isinstance(table, dict) or not table:
        problems.append(problem(path, _key_line(text, "relations"),
                                'relations must be a table of word = "Label", like counter = "Counter-proposal"'))
        return ()
    relations = []
    for word, label in table.items():
        line = _key_line(text, word, "relations")
        if not _FIGURE_ID.match(word):
            problems.append(problem(path, line, f"relation {word!r}: a word of lowercase letters, digits and hyphens"))
        elif not isinstance(label, str) or not label.strip() or len(label.strip()) > RELATION_LABEL_MAX:
            problems.append(problem(path, line, f"relation {word!r}: its label must be text of 1 to "
                                                f"{RELATION_LABEL_MAX} characters"))
        else:
            relations.append((word, " ".join(label.split())))
    return tuple(relations)


def _eras(path: Path, text: str, items: object, problems: list[Problem]) -> tuple[Era, ...]:
    """Check ``[[eras]]`` tables: each well-formed, none inverted, none overlapping another."""
    eras: list[tuple[Era, int]] = []
    for item, line in _tables(path, text, items, "eras", problems):
        if not isinstance(item, dict):
            problems.append(problem(path, line, "each era must be a table with name, start, end"))
            continue
        name = item.get("name")
        where = f"era {name!r}"
        problems.extend(problem(path, line, f"{where}: {unknown_key('key', key, ERA_KEYS)}")
                        for key in item if key not in ERA_KEYS)
        if not isinstance(name, str) or not name.strip():
            problems.append(problem(path, line, "era: name is required text"))
            continue
        start, end = item.get("start"), item.get("end")
        if not all(isinstance(d, dt.date) and not isinstance(d, dt.datetime) for d in (start, end)):
            problems.append(problem(path, line, f"{where}: start and end must be dates like 2024-01-28"))
            continue
        if end < start:
            problems.append(problem(path, line, f"{where}: ends ({end}) before it starts ({start})"))
            continue
        description = item.get("description", "")
        if not isinstance(description, str):
            problems.append(problem(path, line, f"{where}: description must be text"))
            continue
        eras.append((Era(name=name.strip(), start=start, end=end, description=description.strip()), line))
    eras.sort(key=lambda pair: pair[0].start)
    for (before, _), (after, line) in zip(eras, eras[1:]):
        if after.start <= before.end:
            problems.append(problem(path, line, f"era {after.name!r} overlaps {before.name!r} "
                                                f"({before.start} to {before.end})"))
    return tuple(era for era, _ in eras)
