"""Actors and places: ``seeds/_actors.toml`` read into a Registry that names and finds them.

Entries name actors and places in their front matter (by id, name or alias), and the
build also finds them in the text by name and alias as whole words. Without the file,
front-matter names are taken as they are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from generator.errors import BuildError, Problem, problem
from generator.model import Actor, Place, Role, Tag
from generator.load.slugs import slugify
from generator.load.suggest import nearest, unknown_key

REGISTRY_FILE = "_actors.toml"
MIN_DETECTED_ALIAS = 4
"""Aliases shorter than this ("Bar", "US") are too ambiguous to look for in running text;
they still resolve names given in front matter."""

_ID = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z", re.ASCII)
ACTOR_KEYS = ("id", "name", "aliases", "affiliation", "kind", "summary", "roles")
ROLE_KEYS = ("title", "start", "end")
PLACE_KEYS = ("id", "name", "aliases", "country")
TAG_KEYS = ("id", "name", "description")
KINDS = ("person", "state", "body")
TABLES = ("actor", "place", "tag")


@dataclass(frozen=True)
class Finder:
    """Whole-word, case-sensitive search for the names of a set of items."""

    pattern: re.Pattern | None
    by_name: dict

    def find(self, text: str) -> list:
        """Items whose names occur in ``text``, each once, in first-seen order."""
        if self.pattern is None:
            return []
        found = {self.by_name[m.group(0)]: None for m in self.pattern.finditer(text)}
        return list(found)


@dataclass(frozen=True)
class Registry:
    """All known actors and places; ``open`` when there is no registry file to check names against."""

    actors: tuple[Actor, ...] = ()
    places: tuple[Place, ...] = ()
    open: bool = True
    actor_names: dict | None = None
    """casefolded id, name and alias -> Actor (or a tuple of candidates when ambiguous)."""
    place_names: dict | None = None
    actor_finder: Finder = Finder(None, {})
    place_finder: Finder = Finder(None, {})
    tags: dict | None = None
    """Tag slug -> (name, description), from the ``[[tag]]`` tables."""
    fingerprint: str = ""
    """A digest of the registry file: parsed entries depend on it, so caches key on it."""

    def actor(self, name: str) -> Actor:
        """The actor called ``name`` (id, name or alias); ValueError if unknown or ambiguous."""
        if self.open:
            return Actor(id=slugify(name) or "actor", name=name)
        return _resolve(self.actor_names or {}, name, "actor")

    def tag(self, written: str, slug: str) -> Tag:
        """The tag a seed wrote as ``written``: named as ``[[tag]]`` says, else as written where that
        is more than its slug ("C++", "Truce"), else a readable form of the slug ("Talks round")."""
        readable = written if written != slug else slug.replace("-", " ").capitalize()
        name, description = (self.tags or {}).get(slug) or (readable, "")
        return Tag(name=name, slug=slug, written=written, description=description)

    def place(self, name: str) -> Place:
        if self.open:
            return Place(id=slugify(name) or "place", name=name)
        return _resolve(self.place_names or {}, name, "place")


def _resolve(names: dict, name: str, kind: str):
    found = names.get(name.casefold())
    if found is None:
        raise ValueError(f"unknown {kind} {name!r} (not in {REGISTRY_FILE})")
    if isinstance(found, tuple):
        raise ValueError(f"{kind} name {name!r} is ambiguous: it could be {' or '.join(a.id for a in found)}; use the id")
    return found


def load_registry(seeds_dir: Path) -> Registry:
    """Read ``seeds/_actors.toml`` if present; every problem is reported with its line."""
    path = seeds_dir / REGISTRY_FILE
    if not path.is_file():
        return Registry()
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")  # as seeds are read (D5)
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise BuildError([problem(path, 1, f"not valid UTF-8: {exc.reason}")]) from None
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise BuildError([problem(path, int(found.group(1)) if found else 1, f"invalid TOML: {message}")]) from None
    problems: list[Problem] = []
    for key in data:
        if key not in TABLES:
            match = nearest(key, TABLES)
            problems.append(problem(path, _table_line(text, key), f"unknown table {key!r}: did you mean [[{match}]]?"
                                    if match else f"unknown table {key!r} (use [[actor]], [[place]] and [[tag]])"))
    actor_lines = _header_lines(text, "actor")
    place_lines = _header_lines(text, "place")
    actors = [_actor(path, text, item, actor_lines[i] if i < len(actor_lines) else 1, problems)
              for i, item in enumerate(data.get("actor", []))]
    places = [_place(path, text, item, place_lines[i] if i < len(place_lines) else 1, problems)
              for i, item in enumerate(data.get("place", []))]
    tag_lines = _header_lines(text, "tag")
    tags = [_tag(path, text, item, tag_lines[i] if i < len(tag_lines) else 1, problems)
            for i, item in enumerate(data.get("tag", []))]
    actors = [a for a in actors if a is not None]
    places = [p for p in places if p is not None]
    tags = [t for t in tags if t is not None]
    _check_unique_ids(path, tags, tag_lines, "tag", problems)
    _check_unique_ids(path, actors, actor_lines, "actor", problems)
    _check_unique_ids(path, places, place_lines, "place", problems)
    if problems:
        raise BuildError(problems)
    return Registry(actors=tuple(actors), places=tuple(places), open=False,
                    actor_names=_name_table(actors), place_names=_name_table(places),
                    actor_finder=_finder(actors), place_finder=_finder(places),
                    tags={t.id: (t.name, t.description) for t in tags},
                    fingerprint=hashlib.blake2b(raw).hexdigest())


def _header_lines(text: str, name: str) -> list[int]:
    """Line numbers of each ``[[name]]`` header, so the n-th table's problems point at it."""
    return [text.count("\n", 0, m.start()) + 1
            for m in re.finditer(rf"^[ \t]*\[\[[ \t]*{name}[ \t]*\]\]", text, re.MULTILINE)]


def _table_line(text: str, key: str) -> int:
    """The line of the first ``[[key]]``, ``[key]`` or ``key =`` at the top of the file; 1 if none."""
    found = re.search(rf"^[ \t]*(?:\[\[?[ \t]*{re.escape(key)}[ \t]*\]|{re.escape(key)}[ \t]*=)", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def _key_line(text: str, from_line: int, key: str) -> int:
    """The first line at or after ``from_line`` that sets ``key``; ``from_line`` if none does."""
    lines = text.split("\n")
    pattern = re.compile(rf"[ \t]*{re.escape(key)}[ \t]*=")
    return next((i + 1 for i in range(from_line - 1, len(lines)) if pattern.match(lines[i])), from_line)


def _texts(item: dict, key: str, where: str, line: int, path: Path, text: str,
           problems: list[Problem]) -> tuple[str, ...]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(problem(path, _key_line(text, line, key), f"{where}: {key} must be a list of names"))
        return ()
    return tuple(v.strip() for v in value)


def _common(path: Path, text: str, item: object, line: int, keys: tuple[str, ...], kind: str,
            problems: list[Problem]) -> tuple[str, str] | None:
    if not isinstance(item, dict):
        problems.append(problem(path, line, f"each [[{kind}]] must be a table"))
        return None
    where = f"{kind} {item.get('id', '?')!r}"
    for key in item:
        if key not in keys:
            problems.append(problem(path, _key_line(text, line, key), f"{where}: {unknown_key('key', key, keys)}"))
    for key in ("id", "name"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            problems.append(problem(path, line, f"{where}: {key} is required text"))
            return None
    if not _ID.match(item["id"]):
        problems.append(problem(path, _key_line(text, line, "id"),
                                f"{where}: id must be lowercase ASCII letters, digits and hyphens"))
    return where, item["id"]


def _actor(path: Path, text: str, item: object, line: int, problems: list[Problem]) -> Actor | None:
    common = _common(path, text, item, line, ACTOR_KEYS, "actor", problems)
    if common is None:
        return None
    where, actor_id = common
    assert isinstance(item, dict)
    strings = {}
    for key in ("affiliation", "summary", "kind"):
        value = item.get(key, "person" if key == "kind" else "")
        if not isinstance(value, str):
            problems.append(problem(path, _key_line(text, line, key), f"{where}: {key} must be text"))
            value = ""
        strings[key] = value.strip()
    if strings["kind"] not in KINDS:
        problems.append(problem(path, _key_line(text, line, "kind"), f"{where}: kind must be one of {', '.join(KINDS)}"))
    roles = []
    for role in item.get("roles", []):
        if not isinstance(role, dict) or not isinstance(role.get("title"), str):
            problems.append(problem(path, line, f"{where}: each role needs a title"))
            continue
        for key in role:
            if key not in ROLE_KEYS:
                problems.append(problem(path, _key_line(text, line, key),
                                        f"{where}: {unknown_key('role key', key, ROLE_KEYS)}"))
        start, end = role.get("start"), role.get("end")
        if any(d is not None and (not isinstance(d, dt.date) or isinstance(d, dt.datetime)) for d in (start, end)):
            problems.append(problem(path, line, f"{where}: role dates must be TOML dates like 2024-10-16"))
            continue
        if start and end and end < start:
            problems.append(problem(path, line, f"{where}: role {role['title']!r} ends before it starts"))
        roles.append(Role(title=role["title"].strip(), start=start, end=end))
    return Actor(id=actor_id, name=item["name"].strip(),
                 aliases=_texts(item, "aliases", where, line, path, text, problems),
                 affiliation=strings["affiliation"], kind=strings["kind"], summary=strings["summary"],
                 roles=tuple(roles))


def _place(path: Path, text: str, item: object, line: int, problems: list[Problem]) -> Place | None:
    common = _common(path, text, item, line, PLACE_KEYS, "place", problems)
    if common is None:
        return None
    where, place_id = common
    assert isinstance(item, dict)
    return Place(id=place_id, name=item["name"].strip(),
                 aliases=_texts(item, "aliases", where, line, path, text, problems),
                 country=_text(item, "country", where, line, path, text, problems))


@dataclass(frozen=True)
class _TagName:
    id: str
    name: str
    description: str


def _tag(path: Path, text: str, item: object, line: int, problems: list[Problem]) -> _TagName | None:
    """A ``[[tag]]``: the slug as ``id``, the name readers see, an optional one-line description."""
    common = _common(path, text, item, line, TAG_KEYS, "tag", problems)
    if common is None:
        return None
    where, tag_id = common
    assert isinstance(item, dict)
    return _TagName(tag_id, " ".join(item["name"].split()), _text(item, "description", where, line, path, text, problems))


def _text(item: dict, key: str, where: str, line: int, path: Path, text: str, problems: list[Problem]) -> str:
    """An optional text field, spaces folded; '' (and a problem) when it is not text."""
    value = item.get(key, "")
    if not isinstance(value, str):
        problems.append(problem(path, _key_line(text, line, key), f"{where}: {key} must be text"))
        return ""
    return " ".join(value.split())


def _check_unique_ids(path: Path, items: list, lines: list[int], kind: str, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            problems.append(problem(path, lines[i] if i < len(lines) else 1, f"{kind} id {item.id!r} is used twice"))
        seen.add(item.id)


def _name_table(items: list) -> dict:
    """casefolded id/name/alias -> item; a name shared by two items maps to both (ambiguous)."""
    table: dict = {}
    for item in items:
        for name in dict.fromkeys((item.id, item.name, *item.aliases)):
            key = name.casefold()
            current = table.get(key)
            if current is None or current is item:
                table[key] = item
            elif isinstance(current, tuple):
                table[key] = current + (item,)
            else:
                table[key] = (current, item)
    return table


def _finder(items: list) -> Finder:
    """One regex for every unambiguous name and long-enough alias (whole words, case-sensitive)."""
    owners: dict[str, list] = {}
    for item in items:
        for name in dict.fromkeys((item.name, *item.aliases)):
            if name == item.name or len(name) >= MIN_DETECTED_ALIAS:
                owners.setdefault(name, []).append(item)
    by_name = {name: found[0] for name, found in owners.items() if len(found) == 1}
    if not by_name:
        return Finder(None, {})
    alternatives = "|".join(re.escape(n) for n in sorted(by_name, key=lambda n: (-len(n), n)))
    return Finder(re.compile(rf"(?<![\w-])(?:{alternatives})(?!\w)"), by_name)
