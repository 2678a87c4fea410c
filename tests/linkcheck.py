"""An independent internal-link checker for built sites (html5lib, not the generator's code).

Resolves every href/src the way a static host does: ``dir/`` -> ``dir/index.html``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import html5lib

LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src", "area": "href"}


def page_url(site: Path, file: Path, base_path: str) -> str:
    rel = file.relative_to(site).as_posix()
    if rel.endswith("index.html"):
        rel = rel[: -len("index.html")]
    return base_path + rel


def parse(file: Path):
    return html5lib.parse(file.read_bytes(), namespaceHTMLElements=False)


def ids_in(file: Path) -> set[str]:
    return {el.get("id") for el in parse(file).iter() if el.get("id")}


def broken_links(site: Path, base_path: str = "/") -> list[str]:
    """Every internal link or asset in ``site`` that does not resolve, as 'page: link (reason)'."""
    problems = []
    id_cache: dict[Path, set[str]] = {}
    for file in sorted(site.rglob("*.html")):
        here = page_url(site, file, base_path)
        for element in parse(file).iter():
            attr = LINK_ATTRIBUTES.get(element.tag)
            value = element.get(attr) if attr else None
            if value is None:
                continue
            parts = urlsplit(urljoin("http://site.test" + here, value))
            if parts.netloc != "site.test":
                continue  # external
            path = unquote(parts.path)
            where = f"{file.relative_to(site)}: {value}"
            if not path.startswith(base_path):
                problems.append(f"{where} (outside the base path {base_path})")
                continue
            target = site / path[len(base_path):]
            if path.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{where} (no file {target.relative_to(site)})")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = id_cache.setdefault(target, ids_in(target))
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{where} (no id {parts.fragment!r})")
    return problems
