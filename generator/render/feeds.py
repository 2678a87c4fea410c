"""Feeds and discovery files: Atom (RFC 4287), JSON Feed 1.1, sitemap.xml and robots.txt.

Built with ElementTree and json rather than templates, so they are well-formed and
escaped by construction. Links are absolute when the config's base_url names a
host, as these standards want; otherwise root-relative.
"""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET

from generator.config import Config
from generator.model import Entry, Timeline

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
"""How many of the latest entries the feeds carry."""


def entry_id(config: Config, entry: Entry) -> str:
    """A stable, unique id for an entry: it changes only if the site's title or the entry's URL does."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, config.title + chr(10) + entry.path)}"


def latest(timeline: Timeline) -> tuple[Entry, ...]:
    return timeline.entries[-FEED_SIZE:][::-1]


def updated_of(config: Config, entry: Entry) -> str:
    return config.moment(entry.updated or entry.date, None if entry.updated else entry.time)


def atom_feed(timeline: Timeline, config: Config) -> bytes:
    ET.register_namespace("", ATOM)

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": config.language})
    add(feed, "id", f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'timeline:' + config.title)}")
    add(feed, "title", config.title)
    add(feed, "subtitle", config.description)
    newest = timeline.last_updated
    add(feed, "updated", config.moment(newest) if newest else "1970-01-01T00:00:00+00:00")
    add(feed, "link", rel="alternate", type="text/html", href=config.full_url(""))
    add(feed, "link", rel="self", type="application/atom+xml", href=config.full_url("feed.xml"))
    author = add(feed, "author")
    add(author, "name", config.title)
    add(feed, "generator", "Timeline")
    for entry in latest(timeline):
        item = add(feed, "entry")
        add(item, "id", entry_id(config, entry))
        add(item, "title", entry.title)
        add(item, "link", rel="alternate", type="text/html", href=config.full_url(entry.path))
        add(item, "published", config.moment(entry.date, entry.time))
        add(item, "updated", updated_of(config, entry))
        add(item, "summary", entry.summary)
        for tag in entry.tags:
            add(item, "category", term=tag.slug, label=tag.name)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def json_feed(timeline: Timeline, config: Config) -> bytes:
    items = []
    for entry in latest(timeline):
        item = {
            "id": entry_id(config, entry),
            "url": config.full_url(entry.path),
            "title": entry.title,
            "summary": entry.summary,
            "content_html": entry.body_html,
            "date_published": config.moment(entry.date, entry.time),
            "date_modified": updated_of(config, entry),
            "tags": [tag.name for tag in entry.tags],
        }
        if entry.sources:
            item["external_url"] = entry.sources[0].url
        items.append(item)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": config.title,
        "description": config.description,
        "home_page_url": config.full_url(""),
        "feed_url": config.full_url("feed.json"),
        "language": config.language,
        "authors": [{"name": config.title}],
        "items": items,
    }
    return (json.dumps(feed, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def sitemap(pages: list[tuple[str, str | None]], config: Config) -> bytes | None:
    """The sitemap protocol's XML for (site path, last-modified) pairs; None without an absolute base URL."""
    if not config.is_absolute:
        return None
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    ET.register_namespace("", ns)
    urlset = ET.Element(f"{{{ns}}}urlset")
    for path, lastmod in pages:
        url = ET.SubElement(urlset, f"{{{ns}}}url")
        ET.SubElement(url, f"{{{ns}}}loc").text = config.full_url(path)
        if lastmod:
            ET.SubElement(url, f"{{{ns}}}lastmod").text = lastmod
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"


def robots(config: Config) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if config.is_absolute:
        lines.append(f"Sitemap: {config.full_url('sitemap.xml')}")
    return ("\n".join(lines) + "\n").encode("utf-8")
