"""Where things stand: ``seeds/_now.md``, a few sourced sentences with an ``as_of`` date.

Written as content, not in a template, so that it is sourced like an entry; a build warns
when it is older than the latest entry (an error with ``--strict``), so it cannot go stale
unnoticed.
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import BuildError, Problem, problem
from generator.load.files import read_text
from generator.load.frontmatter import check_sources, parse_date, split_front_matter
from generator.load.markup import MarkdownConverter, pathological
from generator.load.strict_yaml import load_yaml
from generator.model import Now, Timeline

NOW_FILE = "_now.md"
KEYS = ("as_of", "sources")


def load_now(seeds_dir: Path, converter: MarkdownConverter) -> tuple[Now | None, list[Problem]]:
    """The seeds folder's ``_now.md`` with its warnings; (None, []) when there is none."""
    path = seeds_dir / NOW_FILE
    if not path.is_file():
        return None, []
    split = split_front_matter(path, read_text(path))
    if split.yaml_text is None:
        raise BuildError([problem(path, 1, "no front matter: start with '---', 'as_of: YYYY-MM-DD' and the sources")])
    data, lines = load_yaml(path, split.yaml_text, split.yaml_line)
    errors: list[Problem] = []
    warnings = [problem(path, lines.get(key, 1), f"unknown key {key!r} (allowed: {', '.join(KEYS)})")
                for key in data if key not in KEYS]
    as_of = None
    try:
        if "as_of" not in data:
            raise ValueError("missing 'as_of': the day the text describes, as YYYY-MM-DD")
        as_of, _ = parse_date(data["as_of"], "as_of")
    except ValueError as exc:
        errors.append(problem(path, lines.get("as_of", 1), str(exc)))
    sources = check_sources(path, data.get("sources", []), lines, errors, warnings)
    if not sources:
        warnings.append(problem(path, 1, "no sources: say which reports the text rests on"))
    if not split.body.strip():
        errors.append(problem(path, 1, "no text after the front matter: write where things stand"))
    found = pathological(split.body, split.body_line)
    if found is not None:
        errors.append(problem(path, *found))
    if errors:
        raise BuildError(errors)
    body_html, _ = converter.convert(split.body)
    return Now(as_of=as_of, body_html=body_html, sources=sources, source_path=NOW_FILE), warnings


def stale(timeline: Timeline, seeds_dir: Path) -> tuple[Problem, ...]:
    """A warning when where things stand is older than the timeline's latest entry."""
    now, latest = timeline.now, max(timeline.entries, key=lambda e: e.date, default=None)
    if now is None or latest is None or now.as_of >= latest.date:
        return ()
    return (problem(seeds_dir / NOW_FILE, 1,
                    f"as_of {now.as_of.isoformat()} is older than the latest entry ({latest.date.isoformat()}, "
                    f"{latest.source_path}): update where things stand"),)
