"""The command line's cache, kept between runs in ``.timeline-cache/``: the only module that knows it.

What it holds, all of it plain JSON (read and written with orjson, four times as fast as
the standard library's json on the 60 MB of a 10,000-entry site's parsed seeds):
``entries-NN.json``, the parsed seeds by content (a seed's name, bytes and the actors file);
``manifest.json``, the last build: a digest of its inputs, the digest of what made each
page, each written file's stat data (``write.Record``), its summary and its search shards
(each one's digest and file names: their bytes are the output folder's, ``render/search.py``);
and ``spare-site/``, the site before last, which ``write.write_site`` stages the next one in.

Data read back is data: nothing here can run code when read, every value is checked for
its type, and a file that is missing, damaged, of the wrong shape or written by another
version of the generator or its libraries is ignored, never trusted: the build is the
same without it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import frontmatter
import jinja2
import markdown
import nh3
import orjson
import slugify
import yaml

from generator import __version__
from generator.errors import Problem
from generator.load.seeds import Parsed
from generator.model import Actor, Entry, Heading, Place, Role, Source, Tag

MANIFEST = "manifest.json"
SEARCH = "search"
SHARDS = 16
"""The parsed seeds are kept in this many files: a one-entry edit rewrites one of them."""
_HEX = re.compile(r"\A[0-9a-f]{16,128}\Z")


def spare_folder(folder: Path) -> Path:
    """Where the site before last is kept for ``write.write_site``."""
    return folder.absolute() / "spare-site"


def generator_identity() -> str:
    """Everything besides a site's own files that its output depends on: this generator's
    version and source code, Python's and the output-shaping libraries' versions. Part of
    every cache file, so an upgrade never reuses stale results."""
    h = hashlib.blake2b(f"{__version__}|{sys.version}".encode())
    for module in (markdown, nh3, yaml, slugify, frontmatter, jinja2):
        h.update(f"|{module.__name__}={getattr(module, '__version__', '?')}".encode())
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        h.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    return h.hexdigest()


@dataclass(frozen=True)
class Saved:
    """What the last build left for the next one; empty where nothing usable was found."""

    out_dir: str = ""
    """The output folder it wrote, absolute."""
    inputs: str = ""
    """``inputs_digest`` of everything it read."""
    signatures: dict = field(default_factory=dict)
    """``Inputs.signatures``: lets the next digest skip reading files that did not change."""
    digests: dict[str, str] = field(default_factory=dict)
    """Site path -> digest of what made it (``render_site``)."""
    record: dict[str, list[int]] = field(default_factory=dict)
    """Each file it wrote, as written (``write.Record``)."""
    result: dict = field(default_factory=dict)
    """Its summary: entries, pages, files, warnings and ignored files."""
    entries: dict[str, Parsed] = field(default_factory=dict)
    """Parsed seeds by ``load_entries``'s cache key."""
    shards: tuple[frozenset[str] | None, ...] = ()
    """The keys read from each entries file (None for a file missing or unusable here):
    ``save`` rewrites a file whose keys differ."""
    search: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    """Search shard folder -> (digest of the pages it indexed, the names of its bundle's files)."""


def load(folder: Path) -> Saved:
    """The manifest ``save`` left in ``folder`` (``load_parsed`` adds the rest: a build with
    nothing to do needs only this); what is missing or unusable is left empty."""
    manifest = _read_json(folder / MANIFEST, generator_identity())
    try:
        return Saved(out_dir=_str(manifest.get("out_dir", "")), inputs=_str(manifest.get("inputs", "")),
                     signatures=_signatures(manifest.get("signatures", {})),
                     digests={_str(k): _str(v) for k, v in _dict(manifest.get("digests", {})).items()},
                     record={_str(k): [_int(n) for n in _list(v)]
                             for k, v in _dict(manifest.get("record", {})).items()},
                     result=_dict(manifest.get("result", {})),
                     search=_search(manifest.get("search", {})))
    except (TypeError, ValueError):  # a manifest of the wrong shape: as if there were none
        return Saved()


def _signatures(value: object) -> dict[str, list]:
    """The manifest's file signatures, each ``[size, mtime_ns, ctime_ns, inode, digest]``;
    one of another shape is dropped (its file is read again)."""
    return {_str(path): signature for path, signature in _dict(value).items()
            if isinstance(signature, list) and len(signature) == 5 and isinstance(signature[4], str)
            and all(type(n) is int for n in signature[:4])}


def load_parsed(folder: Path, saved: Saved) -> Saved:
    """``saved`` with the parsed seeds."""
    identity = generator_identity()
    entries: dict[str, Parsed] = {}
    shards = []
    for index in range(SHARDS):
        shard = _read_json(folder / f"entries-{index:02d}.json", identity).get("entries")
        read = set()
        if isinstance(shard, dict):
            for key, value in shard.items():
                with contextlib.suppress(KeyError, TypeError, ValueError, AttributeError, IndexError):
                    entries[_str(key)] = decode_parsed(value)
                    read.add(key)
        shards.append(frozenset(read) if isinstance(shard, dict) else None)
    return replace(saved, entries=entries, shards=tuple(shards))


def save(folder: Path, saved: Saved, last: Saved) -> None:
    """Write ``saved``, rewriting only the entry files whose keys differ from those ``last``
    read from them; a cache that cannot be written is skipped, never an error."""
    identity = generator_identity()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shards: list[dict] = [{} for _ in range(SHARDS)]
        for key, value in saved.entries.items():
            shards[_shard(key)][key] = value
        before = last.shards or (None,) * SHARDS
        for index, shard in enumerate(shards):
            if before[index] is None or shard.keys() != before[index]:
                _write_json(folder / f"entries-{index:02d}.json", identity,
                            {"entries": {k: encode_parsed(v) for k, v in shard.items()}})
        shutil.rmtree(folder / SEARCH, ignore_errors=True)  # where earlier versions kept copies of the indexes
        _write_json(folder / MANIFEST, identity, {
            "out_dir": saved.out_dir, "inputs": saved.inputs, "signatures": saved.signatures,
            "digests": saved.digests, "record": saved.record, "result": saved.result,
            "search": {name: [digest, list(names)] for name, (digest, names) in saved.search.items()}})
    except OSError:
        pass


def _shard(key: str) -> int:
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=1).digest()[0] % SHARDS


def _read_json(path: Path, identity: str) -> dict:
    """A cache file's data, or {} when it is missing, unreadable or not this version's."""
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):  # orjson's JSONDecodeError is a ValueError
        return {}
    if not isinstance(data, dict) or data.get("identity") != identity or not isinstance(data.get("data"), dict):
        return {}
    return data["data"]


def _write_json(path: Path, identity: str, data: dict) -> None:
    """Write atomically: a temporary file renamed over the old one."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(orjson.dumps({"identity": identity, "data": data}))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _search(listed: object) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The manifest's search shards; one of the wrong shape is left out (it is made again)."""
    shards = {}
    for name, value in _dict(listed).items():
        with contextlib.suppress(TypeError, ValueError):
            digest, names = _list(value)
            if isinstance(name, str) and isinstance(digest, str) and _HEX.match(digest):
                shards[name] = (digest, tuple(_str(n) for n in _list(names)))
    return shards


# -- Parsed seeds as JSON: every value checked for its type when read back ---------------


def encode_parsed(parsed: Parsed) -> list:
    entry, warnings = parsed
    return [{
        "date": entry.date.isoformat(), "title": entry.title, "slug": entry.slug, "summary": entry.summary,
        "body_html": entry.body_html, "source_path": entry.source_path,
        "headings": [[h.level, h.id, h.text] for h in entry.headings],
        "tags": [[t.name, t.slug, t.written, t.description] for t in entry.tags],
        "actors": [_encode_actor(a) for a in entry.actors],
        "places": [[p.id, p.name, list(p.aliases), p.country] for p in entry.places],
        "sources": [[s.title, s.url, s.publisher, s.date.isoformat() if s.date else None] for s in entry.sources],
        "time": entry.time.isoformat() if entry.time else None, "month_only": entry.month_only,
        "date_display": entry.date_display, "updated": entry.updated.isoformat() if entry.updated else None,
        "update_note": entry.update_note, "draft": entry.draft, "summary_in_body": entry.summary_in_body,
        "milestone": entry.milestone, "milestone_label": entry.milestone_label,
        "figures": [[key, value] for key, value in entry.figures],
        "thread": [entry.thread, entry.relation, entry.responds_to, list(entry.thread_lines)],
    }, [[w.path, w.line, w.message] for w in warnings]]


def _encode_actor(actor: Actor) -> list:
    roles = [[r.title, r.start.isoformat() if r.start else None, r.end.isoformat() if r.end else None]
             for r in actor.roles]
    return [actor.id, actor.name, list(actor.aliases), actor.affiliation, actor.kind, actor.summary, roles]


def decode_parsed(value: object) -> Parsed:
    """``encode_parsed``'s output back; TypeError or ValueError for anything else."""
    data, warnings = _list(value)
    e = _dict(data)
    entry = Entry(
        date=_date(e["date"]), title=_str(e["title"]), slug=_str(e["slug"]), summary=_str(e["summary"]),
        body_html=_str(e["body_html"]), source_path=_str(e["source_path"]),
        headings=tuple(Heading(_int(level), _str(id_), _str(text)) for level, id_, text in _list(e["headings"])),
        tags=tuple(Tag(_str(name), _str(slug), _str(written), _str(about)) for name, slug, written, about in _list(e["tags"])),
        actors=tuple(_decode_actor(a) for a in _list(e["actors"])),
        places=tuple(Place(_str(i), _str(n), tuple(map(_str, _list(a))), _str(c)) for i, n, a, c in _list(e["places"])),
        sources=tuple(Source(_str(t), _str(u), _str(p), _date(d) if d is not None else None)
                      for t, u, p, d in _list(e["sources"])),
        time=dt.time.fromisoformat(_str(e["time"])) if e["time"] is not None else None,
        month_only=_bool(e["month_only"]), date_display=_str(e["date_display"]),
        updated=_date(e["updated"]) if e["updated"] is not None else None, update_note=_str(e["update_note"]),
        draft=_bool(e["draft"]), summary_in_body=_bool(e["summary_in_body"]),
        milestone=_bool(e["milestone"]), milestone_label=_str(e["milestone_label"]),
        figures=tuple((_str(key), _int(value)) for key, value in _list(e["figures"])),
        **_decode_thread(e["thread"]))
    return entry, tuple(Problem(_str(p), _int(n), _str(m)) for p, n, m in _list(warnings))


def _decode_thread(value: object) -> dict:
    thread, relation, responds_to, lines = _list(value)
    a, b, c = map(_int, _list(lines))
    return {"thread": _str(thread), "relation": _str(relation), "responds_to": _str(responds_to),
            "thread_lines": (a, b, c)}


def _decode_actor(value: object) -> Actor:
    id_, name, aliases, affiliation, kind, summary, roles = _list(value)
    return Actor(_str(id_), _str(name), tuple(map(_str, _list(aliases))), _str(affiliation), _str(kind), _str(summary),
                 tuple(Role(_str(t), _date(s) if s is not None else None, _date(e) if e is not None else None)
                       for t, s, e in _list(roles)))


def _typed(kind: type):  # noqa: ANN202 - a checker for values of one JSON type
    def check(value: object):  # noqa: ANN202
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise TypeError(f"not a {kind.__name__}")
        return value
    return check


_str, _int, _bool, _list, _dict = (_typed(kind) for kind in (str, int, bool, list, dict))


def _date(value: object) -> dt.date:
    return dt.date.fromisoformat(_str(value))
