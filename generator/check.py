"""Check a built site as a reader and a crawler would meet it: links, anchors, titles, HTML, feed, sources.

Works on the file map of a build (``timeline check``, ``build --strict``) or on a
folder already written (``timeline check --dir output``). Pages are parsed with
html5lib, the HTML5 parsing algorithm browsers use, so its parse errors are real ones.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from generator.errors import Problem, site_problem

LINKS = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src", "iframe": "src", "area": "href"}
ATOM = "{http://www.w3.org/2005/Atom}"


def read_folder(folder: Path) -> dict[str, bytes]:
    """Every file of a written site, by site path (symlinks are not followed)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def check_site(files: dict[str, bytes], base_path: str = "/", where: str = "") -> list[Problem]:
    """Every problem of a built site; [] when it is sound."""
    import html5lib  # only checking needs it; an ordinary build should not pay for the import

    problems: list[Problem] = []
    documents = {}
    for path in sorted(p for p in files if p.endswith(".html")):
        parser = html5lib.HTMLParser(namespaceHTMLElements=False)
        documents[path] = parser.parse(files[path])
        for position, code, _ in parser.errors[:5]:
            problems.append(site_problem(where, path, f"HTML parse error at line {position[0]}: {code}"))
        head = documents[path].find("head")
        if head is None or not (head.findtext("title") or "").strip():
            problems.append(site_problem(where, path, "no <title>"))
        described = head is not None and any(
            m.get("name") == "description" and (m.get("content") or "").strip() for m in head.iter("meta"))
        if not described:
            problems.append(site_problem(where, path, "no meta description"))
    ids = {path: {el.get("id") for el in doc.iter() if el.get("id")} for path, doc in documents.items()}
    for path, doc in documents.items():
        problems.extend(_links(path, doc, files, ids, base_path, where))
    problems.extend(_feed(files, where))
    problems.extend(_sources(files, base_path, where))
    return problems


_UNSERVABLE = re.compile(r"[\x00-\x20\x7f\\]")


def _page_url(path: str, base_path: str) -> str:
    return base_path + (path[: -len("index.html")] if path.endswith("index.html") else path)


def _links(path: str, doc, files: dict[str, bytes], ids: dict, base_path: str, where: str) -> list[Problem]:
    found = []
    here = "http://site.invalid" + _page_url(path, base_path)
    for element in doc.iter():
        attr = LINKS.get(element.tag) if isinstance(element.tag, str) else None
        value = element.get(attr) if attr else None
        if value is None:
            continue
        parts = urlsplit(urljoin(here, value.strip()))
        if parts.scheme not in ("http", "https") or parts.netloc != "site.invalid":
            continue  # external, mailto: and the like are not ours to check
        if _UNSERVABLE.search(value.strip()):
            found.append(site_problem(where, path, f"link {value!r} holds a space, control character or backslash, "
                                      "which no server resolves as written"))
            continue
        target, base = unquote(parts.path), unquote(base_path)  # compared as the server decodes them
        if not target.startswith(base):
            found.append(site_problem(where, path, f"link {value!r} leaves the site's base path {base_path}"))
            continue
        name = target[len(base):]
        if name == "" or name.endswith("/"):
            name += "index.html"
        if name not in files:
            found.append(site_problem(where, path, f"broken link {value!r}: no {name}"))
        elif parts.fragment and name in ids and unquote(parts.fragment) not in ids[name]:
            found.append(site_problem(where, path, f"broken anchor {value!r}: no id {parts.fragment!r} in {name}"))
    return found


def _feed(files: dict[str, bytes], where: str) -> list[Problem]:
    if "feed.xml" not in files:
        return [site_problem(where, "feed.xml", "missing")]
    try:
        root = ET.fromstring(files["feed.xml"])
    except ET.ParseError as exc:
        return [site_problem(where, "feed.xml", f"not well-formed XML: {exc}")]
    problems = []
    if root.tag != f"{ATOM}feed":
        problems.append(site_problem(where, "feed.xml", "the root element is not an Atom <feed>"))
    for i, entry in enumerate([root] + root.findall(f"{ATOM}entry")):
        for tag in ("id", "title", "updated"):
            if not (entry.findtext(f"{ATOM}{tag}") or "").strip():
                what = "the feed" if i == 0 else f"entry {i}"
                problems.append(site_problem(where, "feed.xml", f"{what} has no <{tag}>"))
    return problems


def _sources(files: dict[str, bytes], base_path: str, where: str) -> list[Problem]:
    """Every entry cites a source: read from the build's own entries.json."""
    if "entries.json" not in files:
        return [site_problem(where, "entries.json", "missing: cannot check the entries' sources")]
    try:
        entries = json.loads(files["entries.json"])["entries"]
    except (ValueError, KeyError, TypeError) as exc:
        return [site_problem(where, "entries.json", f"unreadable: {exc}")]
    return [site_problem(where, urlsplit(e.get("url", "")).path.removeprefix(base_path) + "index.html",
                         f"entry from {e.get('source_file')!r} cites no source")
            for e in entries if not e.get("sources")]
