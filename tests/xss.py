"""Find what must never survive in built HTML: script-capable elements, handlers, dangerous URLs.

Parses with html5lib (a browser-grade HTML5 parser) and normalises URLs the way
the WHATWG URL parser does before comparing schemes.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

import html5lib

DANGEROUS_ELEMENTS = {"script", "iframe", "object", "embed", "base", "svg", "math", "frame", "frameset", "applet"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "cite", "background"}
_STRIP = re.compile(r"[\t\n\r]")


def is_dangerous_url(value: str) -> bool:
    url = _STRIP.sub("", value).strip(" \x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10"
                                       "\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f").lower()
    return url.startswith(("javascript:", "vbscript:", "data:"))


OUR_SCRIPTS = ("timeline.js", "search.js", "local.js")
OUR_STYLE = re.compile(r"\A(?:(?:left|width): \d+(?:\.\d+)?%(?:; |\Z))+\Z")
"""The only inline style the templates write: where the time axis places a mark, a month or an
era, as numbers the build computed (no url(), no selectors, nothing from a seed)."""


def _ours(element) -> bool:
    """The site's own scripts: its two files, and JSON-LD that parses as JSON (so nothing broke out of it)."""
    attrs = dict(element.attrib)
    if set(attrs) == {"src", "defer"} and attrs["src"].rsplit("/", 1)[-1] in OUR_SCRIPTS:
        return True
    if attrs == {"type": "application/ld+json"}:
        try:
            json.loads(element.text or "")
            return True
        except ValueError:
            return False
    return False


def findings(html: str | bytes, allow_elements: frozenset[str] = frozenset()) -> list[str]:
    """Everything script-capable in a document but the site's own scripts; [] when it is safe."""
    found = []
    for element in html5lib.parse(html, namespaceHTMLElements=False).iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "script" and _ours(element):
            continue
        ours = tag == "svg" and element.attrib.get("class") == "figure-svg"  # a key figure's chart
        if tag in DANGEROUS_ELEMENTS - allow_elements and not ours:
            found.append(f"<{tag}>")
        for name, value in element.attrib.items():
            name = name.lower() if isinstance(name, str) else str(name)
            if name == "style" and OUR_STYLE.match(value):
                continue
            if name.startswith("on") or name in ("srcdoc", "style"):
                found.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and is_dangerous_url(value):
                found.append(f"<{tag} {name}={value!r}>")
    return found


def export_findings(files: Mapping[str, bytes]) -> list[str]:
    """``findings`` in every field of the exports and feeds that its readers render as HTML: the
    bodies of ``entries.json`` and JSON Feed, every text TimelineJS puts in the page as HTML
    (headlines, texts, display dates, groups, eras), and Atom elements of type html or xhtml."""
    out: list[str] = []

    def check(where: str, fragment: str) -> None:
        out.extend(f"{where}: {found}" for found in findings(fragment))

    for entry in json.loads(files["entries.json"])["entries"]:
        check(f"entries.json {entry['slug']} body_html", entry["body_html"])
    for item in json.loads(files["feed.json"])["items"]:
        check(f"feed.json {item['id']} content_html", item.get("content_html", ""))
    timeline = json.loads(files["timeline.json"])
    slides = [("title", timeline["title"])] + [(event["unique_id"], event) for event in timeline["events"]]
    for name, slide in slides:
        for key, value in slide.get("text", {}).items():
            check(f"timeline.json {name} {key}", value)
        check(f"timeline.json {name} display_date", slide.get("start_date", {}).get("display_date", ""))
        check(f"timeline.json {name} group", slide.get("group", ""))
    for era in timeline.get("eras", []):
        for key, value in era.get("text", {}).items():
            check(f"timeline.json era {key}", value)
    for element in ET.fromstring(files["feed.xml"]).iter():
        if element.get("type") in ("html", "xhtml"):
            check(f"feed.xml {element.tag}", ET.tostring(element, encoding="unicode") if element.get("type") == "xhtml"
                  else element.text or "")
    return out
