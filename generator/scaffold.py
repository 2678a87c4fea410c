"""Starting a site and adding to it: ``timeline init``, ``timeline new`` and ``timeline theme --copy``.

What ``init`` writes lives in ``generator/starter/`` (installed with the package); nothing is
ever overwritten: ``--force`` only adds the files that are missing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from generator import DISTRIBUTION, __version__, theme
from generator.errors import BuildError, problem
from generator.load.slugs import slug_from_filename, slug_from_title

STARTER = {  # starter file -> where init puts it in the site
    "timeline.toml": "timeline.toml",
    "_actors.toml": "seeds/_actors.toml",
    "example.md": "seeds/2025-01-15-example-talks-open.md",
    "example.txt": "seeds/2025-01-16-example-second-round.txt",
    "gitignore": ".gitignore",
    "pages.yml": ".github/workflows/pages.yml",
}


class ScaffoldError(Exception):
    """A site cannot be started or added to as asked; the message says why (one line)."""


@dataclass(frozen=True)
class Written:
    """What a scaffolding command did: the files it made and those it left as they were."""

    made: tuple[Path, ...]
    kept: tuple[Path, ...] = ()


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's (quotes, backslashes, controls as \\uXXXX)."""
    return json.dumps(text, ensure_ascii=False)


def starter_text(name: str, title: str = "My Timeline", base_url: str = "/", timezone: str = "UTC") -> str:
    """A starter file's text with the site's settings filled in."""
    text = (files("generator") / "starter" / name).read_text(encoding="utf-8")
    return (text.replace("{title}", toml_string(title)).replace("{base_url}", toml_string(base_url))
            .replace("{timezone}", toml_string(timezone))
            .replace("{requirement}", f"{DISTRIBUTION}=={__version__}"))


def init(site: Path, title: str, base_url: str, timezone: str, force: bool = False) -> Written:
    """A working site in ``site`` (made if missing): config, actors, two example entries, a
    .gitignore and the GitHub Pages workflow. A folder with anything in it is refused unless
    ``force``, which adds only the files that are missing."""
    if site.exists() and not site.is_dir():
        raise ScaffoldError(f"{site}: not a folder")
    if site.is_dir() and any(site.iterdir()) and not force:
        raise ScaffoldError(f"{site}: the folder is not empty; `timeline init --force` adds only the files "
                            "that are missing, never overwriting one")
    made, kept = [], []
    for name, target in STARTER.items():
        path = site / target
        if path.exists():
            kept.append(path)
            continue
        write_whole(path, starter_text(name, title, base_url, timezone).encode())
        made.append(path)
    return Written(tuple(made), tuple(kept))


def new_entry(seeds: Path, title: str, day: dt.date, markdown: bool = True) -> Path:
    """A new seed for ``title`` dated ``day``, in the shape asked for; its path. Refuses to
    overwrite a file, and a slug another seed already has."""
    title = " ".join(title.split())
    slug = slug_from_title(title)
    if not slug:
        raise ScaffoldError(f"cannot make a URL slug from the title {title!r}; use letters or digits")
    path = seeds / f"{day.isoformat()}-{slug}.{'md' if markdown else 'txt'}"
    if path.exists():
        raise ScaffoldError(f"{path}: already exists; nothing was written")
    taken = _slugs(seeds)
    if slug in taken:
        raise ScaffoldError(f"{path}: the slug {slug!r} is already used by {taken[slug]}; choose another title")
    write_whole(path, _entry_text(title, day, markdown).encode())
    return path


def write_whole(path: Path, data: bytes) -> None:
    """A new file with all of ``data``, or none: one refused part way (a full disk) is removed,
    as a half-written config, seed or template would be kept by the next run (L13)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as handle:
            try:
                handle.write(data)
                handle.close()
            except BaseException:
                os.unlink(path)
                raise
    except OSError as exc:
        raise ScaffoldError(f"{path}: cannot write: {exc.strerror or exc}; nothing was written") from None


def _entry_text(title: str, day: dt.date, markdown: bool) -> str:
    stub = (f"sources: []  # each source as below, then remove the []\n"
            f"#  - title: \"The cited report's headline\"\n#    publisher: \"\"\n#    url: \"https://\"\n"
            f"#    date: {day.isoformat()}\n")
    lists = "tags: []\nactors: []\nplaces: []\n"
    if markdown:
        return (f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\ndate: {day.isoformat()}\n"
                f"# summary: \"One or two sentences.\" (without one, the article's first sentences are used)\n"
                f"{lists}{stub}---\nWrite the article here.\n")
    lede = title if title[-1:] in ".!?…" else title + "."
    return f"---\n{lists}{stub}---\ndate {day.isoformat()} {lede} Write the lede here.\n\nWrite the article here.\n"


def _slugs(seeds: Path) -> dict[str, str]:
    """The slug of each seed by its file name (or its front matter's ``slug:``), with the file."""
    found: dict[str, str] = {}
    if not seeds.is_dir():
        return found
    for path in sorted(seeds.rglob("*")):
        if path.suffix not in (".md", ".markdown", ".txt") or path.name.startswith(("_", ".")):
            continue
        slug = slug_from_filename(path.stem)
        try:
            head = path.read_text(encoding="utf-8-sig")[:4096]
        except (OSError, UnicodeDecodeError):
            head = ""
        given = [line.split(":", 1)[1].strip().strip("'\"") for line in head.splitlines() if line.startswith("slug:")]
        found.setdefault(given[0] if given else slug, str(path))
    return found


def copy_theme(site: Path) -> Written:
    """The bundled theme copied into the site's ``templates/`` and ``static/`` for full
    customisation; a file the site has already is kept as it is."""
    made, kept = [], []
    for kind in theme.KINDS:
        bundled = theme.folder(kind)
        if (site / kind).resolve() == bundled.resolve():
            raise ScaffoldError(f"{site / kind}: this is the bundled theme itself")
        for source in sorted(p for p in bundled.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            target = site / kind / source.relative_to(bundled)
            if target.exists():
                kept.append(target)
                continue
            write_whole(target, source.read_bytes())
            made.append(target)
    return Written(tuple(made), tuple(kept))


def site_today(config_path: Path) -> dt.date:
    """Today in the site's time zone (the config's), for a new entry's date."""
    from generator.config import load_config
    from generator.load.today import today

    try:
        return today(None, load_config(config_path).timezone)
    except BuildError as exc:
        raise ScaffoldError(str(exc.problems[0])) from None


