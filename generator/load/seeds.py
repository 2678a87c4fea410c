"""Seeds: every seed file -> an Entry. The only step that reads ``seeds/``.

A new input format is one function in ``READERS``, keyed by file suffix.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from generator.errors import BuildError, Problem, problem
from generator.load.budget import SECONDS, TooSlow, time_budget
from generator.load.files import content_digest, decode, read_bounded, read_text, seed_files
from generator.load.frontmatter import Meta, Split, parse_meta, split_front_matter
from generator.load.markup import MAX_NESTING, MarkdownConverter, TooDeep, pathological, plain_text
from generator.load.now import NOW_FILE, load_now
from generator.load.prose import headline, split_sentences, summarise
from generator.load.registry import REGISTRY_FILE, Registry, load_registry
from generator.load.slugs import MAX_SLUG_LENGTH, slug_from_filename, slug_from_title, slugify, tag_slug, windows_reserved
from generator.load.wire import parse_wire
from generator.load.workers import mapped
from generator.model import Entry, Now
from generator.progress import Progress, quiet

_DAY = re.compile(r"\A\d{2}\Z", re.ASCII)
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)

Parsed = tuple[Entry, tuple[Problem, ...]]
"""A seed parsed: its entry and its warnings."""


@dataclass(frozen=True)
class Loaded:
    """What the load step found in the seeds folder."""

    entries: tuple[Entry, ...]
    warnings: tuple[Problem, ...]
    """Things worth fixing that do not stop the build (errors with ``--strict``)."""
    ignored: tuple[str, ...]
    """Files skipped by rule (editor leftovers, other suffixes), for ``--verbose``."""
    registry: Registry
    """The actors and places the entries were resolved against."""
    keys: tuple[str, ...] = ()
    """Each entry's parse-cache key: a digest of everything it was made from (its file's name and
    bytes, the actors file), which equal entries share; render digests an entry by it."""
    now: Now | None = None
    """Where things stand (``_now.md``), if the seeds folder has it."""


def _look_up(seeds_dir: Path, registry: Registry, cache: MutableMapping[str, Parsed], known: Mapping[str, str],
             errors: list[Problem], ignored: list[str]) -> tuple[list[str], list[tuple[str, str, str | None, str]]]:
    """Every seed's cache key, and the seeds to parse: (name, path, text, digest), the text None
    where the caller gave the digest (the process that parses it reads it)."""
    keys: list[str] = []
    todo: list[tuple[str, str, str | None, str]] = []
    for name, path in seed_files(seeds_dir, READERS, errors, ignored):
        digest = known.get(path)
        if digest is None:  # read it here, to look it up by what was read
            try:
                data = read_bounded(Path(path))
                text, digest = decode(Path(path), data), content_digest(data)
            except BuildError as exc:
                errors.extend(exc.problems)
                continue
        else:
            text = None  # the process that parses it reads it, if it is to be parsed
        key = _key(name, seeds_dir, digest, registry)
        keys.append(key)
        if key not in cache:
            todo.append((name, path, text, digest))
    return keys, todo


def _key(name: str, seeds_dir: Path, digest: str | None, registry: Registry) -> str:
    """What a parsed seed is cached under: its name, its bytes and the actors file."""
    return f"{name}\0{seeds_dir}\0{digest}\0{registry.fingerprint}"


PARALLEL_THRESHOLD = 300
"""Below this many seeds to parse, starting worker processes costs more than it saves."""


def load_entries(seeds_dir: Path, converter: MarkdownConverter | None = None,
                 cache: MutableMapping[str, Parsed] | None = None, jobs: int = 1, progress: Progress = quiet,
                 known: Mapping[str, str] | None = None) -> Loaded:
    """Read every seed under ``seeds_dir``; raise one BuildError listing every bad file.

    ``cache`` (kept by the caller between builds) maps a seed's name, bytes and the actors
    file to its parsed entry, so only changed seeds are parsed again; it is pruned to this
    build's seeds. ``known`` gives the ``content_digest`` of seed files' bytes where the
    caller has it already: such a seed found in the cache is not read at all. With
    ``jobs`` > 1, many seeds to parse are parsed in that many processes.
    """
    if not seeds_dir.is_dir():
        raise BuildError([problem(seeds_dir, 1, "seeds folder not found")])
    errors: list[Problem] = []
    try:
        registry = load_registry(seeds_dir)
    except BuildError as exc:  # report it with the seeds' own problems, checking names against nothing
        errors.extend(exc.problems)
        registry = Registry()
    ignored: list[str] = []
    cache = cache if cache is not None else {}
    known = known or {}
    keys, todo = _look_up(seeds_dir, registry, cache, known, errors, ignored)
    parsed: dict[str, Parsed | BuildError] = {}
    for (name, _, _, digest), (read, value) in zip(todo, _parse_all([(p, t) for _, p, t, _ in todo], seeds_dir,
                                                                     converter, registry, jobs, progress)):
        key = _key(name, seeds_dir, digest, registry)
        if read is not None and read != digest:  # changed since the caller's digest: keyed by what was parsed
            keys[keys.index(key)] = key = _key(name, seeds_dir, read, registry)
        parsed[key] = value
    entries: list[Entry] = []
    warnings: list[Problem] = []
    for key in keys:
        value = parsed.get(key) or cache[key]
        if isinstance(value, BuildError):
            errors.extend(value.problems)
            continue
        entries.append(value[0])
        warnings.extend(value[1])
    keys = [key for key in keys if not isinstance(parsed.get(key), BuildError)]
    wanted = set(keys)
    for key in [key for key in cache if key not in wanted]:
        del cache[key]
    cache.update((key, value) for key, value in parsed.items() if not isinstance(value, BuildError))
    try:
        now, now_warnings = load_now(seeds_dir, converter or MarkdownConverter())
        warnings += now_warnings
    except BuildError as exc:
        errors.extend(exc.problems)
    if errors:
        raise BuildError(errors)
    ignored = [name for name in ignored if name not in (REGISTRY_FILE, NOW_FILE)]
    return Loaded(tuple(entries), tuple(warnings), tuple(sorted(ignored)), registry, tuple(keys), now)


def _parse_all(items: list[tuple[str, str | None]], root: Path, converter: MarkdownConverter | None,
               registry: Registry, jobs: int, progress: Progress = quiet) -> list[tuple[str | None, Parsed | BuildError]]:
    """Parse (path, text or None to read it) pairs in order, in worker processes when there are many."""
    if jobs <= 1 or len(items) < PARALLEL_THRESHOLD:
        converter = converter or MarkdownConverter()
        parsed = []
        for start in range(0, len(items), 100):
            parsed += _parse_batch(items[start:start + 100], root, registry, converter)
            progress("parse", len(parsed), len(items))
        return parsed
    # Batches of about a hundred: no worker idles long at the end, and the progress bar moves.
    size = max(50, -(-len(items) // (jobs * 50)))
    batches = [items[i:i + size] for i in range(0, len(items), size)]
    parsed = []
    for batch in mapped(_parse_batch, batches, jobs, root, registry):
        parsed += batch
        progress("parse", len(parsed), len(items))
    return parsed


def _parse_batch(items: list[tuple[str, str | None]], root: Path, registry: Registry,
                 converter: MarkdownConverter | None = None) -> list[tuple[str | None, Parsed | BuildError]]:
    """Parse seeds, reading those given without text: (digest of the bytes read, or None; the
    entry and its warnings). A seed's BuildError is returned in its place so one bad file stops
    nothing. Read here, in the worker, a cold build's 10,000 seeds are never all in the main process."""
    converter = converter or MarkdownConverter()
    out: list[tuple[str | None, Parsed | BuildError]] = []
    for path, text in items:
        digest = None
        try:
            if text is None:
                data = read_bounded(Path(path))
                text, digest = decode(Path(path), data), content_digest(data)
            entry, warnings = parse_seed(Path(path), root, text, converter, registry)
            out.append((digest, (entry, tuple(warnings))))
        except BuildError as exc:
            out.append((digest, exc))
    return out


def read_seed(path: Path, root: Path, converter: MarkdownConverter,
              registry: Registry | None = None) -> tuple[Entry, list[Problem]]:
    """One seed file -> (Entry, warnings); without a registry, names are kept as written."""
    return parse_seed(path, root, read_text(path), converter, registry or Registry())


def parse_seed(path: Path, root: Path, text: str, converter: MarkdownConverter,
               registry: Registry) -> tuple[Entry, list[Problem]]:
    """A seed's text -> (Entry, warnings)."""
    reader = READERS[path.suffix.lower()]
    body_line = 1
    try:
        with time_budget():  # the front matter, the body's conversion and its cleaning: all one seed's own
            split = split_front_matter(path, text)
            body_line = split.body_line
            meta, warnings = parse_meta(path, split)
            derived = reader(path, split, meta, converter)
    except TooSlow:  # L4: whatever construct it was, the next seed gets fresh converters
        converter.forget()
        raise BuildError([problem(path, body_line, f"this article takes too long to convert (stopped after {SECONDS:g} s; "
                                                   "look for something repeated thousands of times, or split it "
                                                   "into several entries)")]) from None
    except (RecursionError, TooDeep):  # Python-Markdown recurses once per level of nesting (G4), the cleaner
        # walks the open elements at each new one (L4)
        raise BuildError([problem(path, body_line, "lists, quotes or HTML elements nested too deeply to convert "
                                                   f"(at most {MAX_NESTING} levels); flatten the deepest ones")]) from None
    if not meta.sources:
        warnings.append(problem(path, 1, "no sources: every entry should cite at least one report"))
    if meta.summary and meta.title and _words(meta.summary)[:len(_words(meta.title))] == _words(meta.title):
        warnings.append(problem(path, (meta.lines or {}).get("summary", 1),
                                "summary begins with the title: readers see both, so let the summary add something"))
    entry = _entry(path, root, meta, derived, registry)
    lines = meta.lines or {}
    for name in [entry.path] + [tag.path for tag in entry.tags]:
        folder = name.rstrip("/").rsplit("/", 1)[-1]
        if windows_reserved(folder):
            warnings.append(problem(path, lines.get("slug" if name == entry.path else "tags", 1),
                                    f"the folder {name} cannot be made on Windows ({folder!r} is reserved there); "
                                    "choose another name"))
    return entry, warnings


def _words(text: str) -> list[str]:
    """Words compared case-free and without punctuation (a summary that repeats the title)."""
    return re.findall(r"\w+", text.casefold())


@dataclass(frozen=True)
class Derived:
    """What a reader found in the file itself, before front matter and the registry are applied."""

    title: str
    date: dt.date | None
    summary: str
    body_html: str
    headings: tuple


def _entry(path: Path, root: Path, meta: Meta, derived: Derived, registry: Registry) -> Entry:
    """Merge front matter (which wins) over what the reader derived; name, tag and link the entry."""
    title = meta.title or derived.title
    slug = meta.slug or slug_from_filename(path.stem) or slug_from_title(title)
    errors: list[Problem] = []
    lines = meta.lines or {}
    if not slug:
        errors.append(problem(path, 1, "cannot make a URL slug from the file name or title; add 'slug: some-name'"))
    elif len(slug) > MAX_SLUG_LENGTH:  # a path segment must stay far below 255 bytes (F5)
        errors.append(problem(path, lines.get("slug", 1),
                              f"slug is {len(slug)} characters long; at most {MAX_SLUG_LENGTH}"))
    elif meta.month_only and _DAY.match(slug):  # YYYY/MM/DD/ is that day's folder (F4)
        errors.append(problem(path, lines.get("slug", 1),
                              f"slug {slug!r} of a month-only entry would take the folder of a day; "
                              "choose a slug that is not a day number"))
    actors, places = [], []
    for key, names, resolve, found in (("actors", meta.actors, registry.actor, actors),
                                       ("places", meta.places, registry.place, places)):
        for i, name in enumerate(names):
            try:
                found.append(resolve(name))
            except ValueError as exc:
                errors.append(problem(path, lines.get(f"{key}[{i}]", lines.get(key, 1)), str(exc)))
    tags = []
    for i, name in enumerate(meta.tags):
        slug_of_tag = tag_slug(name)
        if not slug_of_tag:
            errors.append(problem(path, lines.get(f"tags[{i}]", lines.get("tags", 1)),
                                  f"tag {name!r} has no letters or digits to make a URL from"))
        tags.append(registry.tag(name, slug_of_tag))
    if errors:
        raise BuildError(errors)
    summary = meta.summary or derived.summary
    if meta.detect:
        text = " ".join((title, summary, plain_text(derived.body_html)))
        actors += registry.actor_finder.find(text)
        places += registry.place_finder.find(text)
    return Entry(
        date=meta.date or derived.date,
        time=meta.time, month_only=meta.month_only,
        date_display=meta.date_display or "",
        title=title,
        slug=slug,
        summary=summary,
        body_html=derived.body_html,
        headings=derived.headings,
        source_path=path.relative_to(root).as_posix(),
        tags=tuple(dict.fromkeys(tags)),
        actors=tuple(dict.fromkeys(actors)),
        places=tuple(dict.fromkeys(places)),
        sources=meta.sources,
        updated=meta.updated, update_note=meta.update_note or "",
        draft=meta.draft,
        summary_in_body=not meta.summary,
        milestone=meta.milestone, milestone_label=meta.milestone_label or "",
        figures=meta.figures,
        thread=meta.thread or "", relation=meta.relation or "", responds_to=meta.responds_to or "",
        thread_lines=(lines.get("thread", 1), lines.get("relation", 1), lines.get("responds_to", 1)),
    )


def read_markdown(path: Path, split: Split, meta: Meta, converter: MarkdownConverter) -> Derived:
    """Markdown with YAML front matter; ``title`` and ``date`` are required."""
    if split.yaml_text is None:
        raise BuildError([problem(path, 1, "no front matter: a Markdown seed starts with '---' and gives title and date")])
    missing = [key for key in ("title", "date") if getattr(meta, key) is None]
    if missing:
        raise BuildError([problem(path, 1, f"missing required front matter key {key!r}") for key in missing])
    found = pathological(split.body, split.body_line)
    if found is not None:
        raise BuildError([problem(path, *found)])
    body_html, headings = converter.convert(split.body)
    summary = meta.summary or ""
    if not summary:
        first = _FIRST_PARAGRAPH.search(body_html)
        summary = summarise(split_sentences(plain_text(first.group(1)))) if first else ""
    return Derived(title=meta.title or "", date=meta.date, summary=summary, body_html=body_html, headings=headings)


def read_wire(path: Path, split: Split, meta: Meta, converter: MarkdownConverter) -> Derived:
    """The news-wire plain-text shape; optional front matter wins over what is derived."""
    article = parse_wire(path, split.body, split.body_line)
    if not article.lede_sentences and meta.title is None:
        raise BuildError([problem(path, article.date_line, "no sentence to make a title from; add 'title:' front matter")])
    if meta.title is not None:  # the lede is not the title: it is the summary, as it stands
        summary, skip = summarise(list(article.lede_sentences)), 0
    else:  # the first sentence is the title; the summary is what follows it
        title = headline(article.lede_sentences[0])
        whole = not title.endswith("…")  # a cut headline does not say all the sentence says
        rest = list(article.lede_sentences[1:]) if whole else list(article.lede_sentences)
        summary, skip = summarise(rest or list(article.next_sentences)), int(whole)
    body = "\n".join(part for part in (article.lede_html(skip), article.body_html) if part)
    return Derived(title=headline(article.lede_sentences[0]) if article.lede_sentences else "", date=article.date,
                   summary=summary, body_html=body, headings=article.headings)


READERS: dict[str, Callable[[Path, Split, Meta, MarkdownConverter], Derived]] = {
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".txt": read_wire,
}
