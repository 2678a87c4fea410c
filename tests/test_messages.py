"""Messages a person reads: the YAML error names the line to look at and shows it, an unknown
key suggests the nearest known one, and no message says its key twice. Called as functions
(the CLI cases are in test_bad_inputs.py and test_reliability_input.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import ALLOWED_KEYS, load_config
from generator.errors import BuildError
from generator.load.registry import load_registry
from generator.load.frontmatter import KEYS, parse_meta, split_front_matter
from generator.load.strict_yaml import load_yaml
from generator.load.suggest import nearest

SEED = Path("seeds/a.md")


def yaml_error(text: str, first_line: int = 2) -> str:
    """The one problem ``load_yaml`` raises for front matter ``text`` starting on file line ``first_line``."""
    with pytest.raises(BuildError) as caught:
        load_yaml(SEED, text, first_line)
    assert len(caught.value.problems) == 1
    return str(caught.value.problems[0])


@pytest.mark.case("B1")
@pytest.mark.parametrize("text, expected", [
    pytest.param('title: "Talks resume\ndate: 2024-01-01\nsummary: x\n',
                 '2: invalid front matter YAML: found unclosed quote (the line: title: "Talks resume)',
                 id="unclosed-double-quote"),
    pytest.param("title: T\nsummary: 'it was\ndate: 2024-01-01\n",
                 "3: invalid front matter YAML: found unclosed quote (the line: summary: 'it was)",
                 id="unclosed-single-quote"),
    pytest.param("title: T\ntags: [a, b\ndate: 2024-01-01\n",
                 "3: invalid front matter YAML: found unclosed '[' (the line: tags: [a, b)", id="unclosed-bracket"),
    pytest.param("title: T\ndate: 2024-01-01\ntags: [a, b\n",
                 "4: invalid front matter YAML: found unclosed '[' (the line: tags: [a, b)",
                 id="unclosed-bracket-last"),
    pytest.param("title: T\nfigures: {a: 1\ndate: 2024-01-01\n",
                 "3: invalid front matter YAML: found unclosed '{' (the line: figures: {a: 1)", id="unclosed-brace"),
    pytest.param("title: T\nsources:\n  - title: [a, b\n    url: https://example.org/\n",
                 "4: invalid front matter YAML: found unclosed '[' (the line:   - title: [a, b)",
                 id="unclosed-bracket-in-a-source"),
    pytest.param("tags: [a,\n  b,\n  c: d: e,\n]\n",
                 "4: invalid front matter YAML: did not find expected ',' or ']' (the line:   c: d: e,)",
                 id="error-inside-a-list-over-lines"),
    pytest.param("title: T\njust some words\ndate: 2024-01-01\n",
                 "3: invalid front matter YAML: could not find expected ':' (the line: just some words)",
                 id="line-without-colon"),
    pytest.param("title: T\ntags:\n  - a\n - b\n",
                 "5: invalid front matter YAML: did not find expected key (the line:  - b)", id="bad-indentation"),
    pytest.param("title: T\n  date: 2024-01-01\n",
                 "3: invalid front matter YAML: found ': ' in an unquoted value; quote the value or check the "
                 "indentation (the line:   date: 2024-01-01)", id="indented-key"),
    pytest.param("title: Talks: resumed\ndate: 2024-01-01\n",
                 "2: invalid front matter YAML: found ': ' in an unquoted value; quote the value or check the "
                 "indentation (the line: title: Talks: resumed)", id="colon-in-value"),
    pytest.param("title: T\ntags:\n\t- a\n",
                 "4: invalid front matter YAML: found a tab; indent with spaces (the line: \\t- a)", id="tab-indent"),
    pytest.param("title: T\n\tdate: 2024-01-01\n",
                 "3: invalid front matter YAML: found a tab; indent with spaces (the line: \\tdate: 2024-01-01)",
                 id="tab-before-key"),
    pytest.param("title: T\ndate: 2024-01-01\ntitle: U\n",
                 "4: invalid front matter YAML: duplicate key 'title' (first set on line 2) (the line: title: U)",
                 id="duplicate-key"),
    pytest.param("title: !custom x\n",
                 "2: invalid front matter YAML: could not determine a constructor for the tag '!custom' "
                 "(the line: title: !custom x)", id="unknown-tag"),
])
def test_a_yaml_error_names_the_line_to_look_at_and_shows_it(text: str, expected: str):
    assert yaml_error(text) == f"{SEED}:{expected}"


def test_the_line_shown_is_cut_when_long():
    message = yaml_error('summary: "' + "word " * 40 + "\n")
    assert message.endswith('(the line: summary: "' + ("word " * 40)[:60 - len('summary: "')] + "…)")


def meta_problems(front: str) -> list[str]:
    """Every problem (errors or warnings) the front-matter reader gives for ``front`` (file lines from 2)."""
    split = split_front_matter(SEED, f"---\n{front}---\nBody.\n")
    try:
        return [str(p) for p in parse_meta(SEED, split)[1]]
    except BuildError as exc:
        return [str(p) for p in exc.problems]


@pytest.mark.case("B10")
@pytest.mark.parametrize("front, expected", [
    ("title: T\ndate: 2024-01-01\ntag: [a]\n", "seeds/a.md:4: unknown front matter key 'tag': did you mean 'tags'?"),
    ("title: T\ndate: 2024-01-01\nTitle: U\n", "seeds/a.md:4: unknown front matter key 'Title': did you mean 'title'?"),
    ("title: T\ndate: 2024-01-01\nsumary: x\n",
     "seeds/a.md:4: unknown front matter key 'sumary': did you mean 'summary'?"),
    ("title: T\ndate: 2024-01-01\ncolour: red\n",
     "seeds/a.md:4: unknown front matter key 'colour' (allowed: " + ", ".join(KEYS) + ")"),
    ("title: T\ndate: 2024-01-01\nsources:\n  - title: s\n    url: https://example.org/\n    publsher: P\n",
     "seeds/a.md:5: source 1: unknown key 'publsher': did you mean 'publisher'?"),
    ("title: T\ndate: 2024-01-01\nsources:\n  - title: s\n    url: https://example.org/\n    via: P\n",
     "seeds/a.md:5: source 1: unknown key 'via' (allowed: title, url, publisher, date)"),
])
def test_an_unknown_front_matter_key_suggests_the_nearest(front: str, expected: str):
    assert meta_problems(front) == [expected]


@pytest.mark.parametrize("key, known, expected", [
    ("tag", ("tags", "title"), "tags"),
    ("TAGS", ("tags", "title"), "tags"),
    ("xyz", ("tags", "title"), None),
    ("actors", ("actor", "place", "tag"), "actor"),
])
def test_nearest_is_difflibs_closest_match_ignoring_case(key: str, known: tuple[str, ...], expected: str | None):
    assert nearest(key, known) == expected


def registry_problems(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "_actors.toml").write_text(text)
    with pytest.raises(BuildError) as caught:
        load_registry(tmp_path)
    return [str(p).removeprefix(f"{tmp_path}/") for p in caught.value.problems]


ACTOR = '[[actor]]\nid = "ada"\nname = "Ada"\n'


@pytest.mark.parametrize("text, expected", [
    (ACTOR + 'alias = ["A"]\n', "_actors.toml:4: actor 'ada': unknown key 'alias': did you mean 'aliases'?"),
    (ACTOR + 'colour = "red"\n',
     "_actors.toml:4: actor 'ada': unknown key 'colour' (allowed: id, name, aliases, affiliation, kind, summary, roles)"),
    (ACTOR + '\n  [[actor.roles]]\n  title = "Mediator"\n  strat = 2024-01-01\n',
     "_actors.toml:7: actor 'ada': unknown role key 'strat': did you mean 'start'?"),
    (ACTOR + '\n  [[actor.roles]]\n  title = "Mediator"\n  office = "x"\n',
     "_actors.toml:7: actor 'ada': unknown role key 'office' (allowed: title, start, end)"),
    ('[[place]]\nid = "town"\nname = "Town"\ncountri = "Lakeside"\n',
     "_actors.toml:4: place 'town': unknown key 'countri': did you mean 'country'?"),
    ('[[tag]]\nid = "truce"\nname = "Truces"\ndescripton = "x"\n',
     "_actors.toml:4: tag 'truce': unknown key 'descripton': did you mean 'description'?"),
    (ACTOR + '\n[[actors]]\nid = "bo"\nname = "Bo"\n', "_actors.toml:5: unknown table 'actors': did you mean [[actor]]?"),
    (ACTOR + '\n[people]\nbo = "Bo"\n', "_actors.toml:5: unknown table 'people' (use [[actor]], [[place]] and [[tag]])"),
])
def test_an_unknown_actors_file_key_suggests_the_nearest(tmp_path: Path, text: str, expected: str):
    assert registry_problems(tmp_path, text) == [expected]


def config_problems(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "timeline.toml").write_text('title = "T"\ndescription = "D"\n' + text)
    with pytest.raises(BuildError) as caught:
        load_config(tmp_path / "timeline.toml")
    return [str(p).removeprefix(f"{tmp_path}/") for p in caught.value.problems]


@pytest.mark.parametrize("text, expected", [
    ('langauge = "en"\n', "timeline.toml:3: unknown config key 'langauge': did you mean 'language'?"),
    ('base-url = "/"\n', "timeline.toml:3: unknown config key 'base-url': did you mean 'base_url'?"),
    ('\n[[era]]\nname = "A"\n', "timeline.toml:4: unknown config key 'era': did you mean 'eras'?"),
    ('owner = "me"\n', "timeline.toml:3: unknown config key 'owner' (allowed: " + ", ".join(ALLOWED_KEYS) + ")"),
    ('[[eras]]\nname = "A"\nstart = 2024-01-01\nend = 2024-02-01\ndescripton = "x"\n',
     "timeline.toml:3: era 'A': unknown key 'descripton': did you mean 'description'?"),
    ('[[eras]]\nname = "A"\nstart = 2024-01-01\nend = 2024-02-01\ncolour = "red"\n',
     "timeline.toml:3: era 'A': unknown key 'colour' (allowed: name, start, end, description)"),
    ('[[figures]]\nid = "freed"\nlabel = "Freed"\nunits = "people"\n',
     "timeline.toml:3: figure 'freed': unknown key 'units': did you mean 'unit'?"),
    ('[[threads]]\nid = "deal"\nname = "Deal"\ntitle = "x"\n',
     "timeline.toml:3: thread 'deal': unknown key 'title' (allowed: id, name, description)"),
    ('[[threads]]\nid = "deal"\nnmae = "Deal"\n',
     "timeline.toml:3: thread 'deal': unknown key 'nmae': did you mean 'name'?"),
])
def test_an_unknown_config_key_suggests_the_nearest(tmp_path: Path, text: str, expected: str):
    assert config_problems(tmp_path, text) == [expected]


@pytest.mark.parametrize("front, expected", [
    ("title: T\ndate: 2024-02-30\n", "seeds/a.md:3: date '2024-02-30' is not a valid calendar date"),
    ("title: T\ndate: 2024-1-2\n", "seeds/a.md:3: date '2024-1-2' is not in the form YYYY-MM-DD"),
    ("title: T\ndate: 5\n", "seeds/a.md:3: date is int 5; write it as YYYY-MM-DD"),
    ("title: T\ndate: 2024-13\n", "seeds/a.md:3: date '2024-13' is not a valid month"),
    ("title: T\ndate: 2024-01-02 10:00+02:00\n",
     "seeds/a.md:3: date '2024-01-02 10:00+02:00' has a UTC offset; write the local time without it"),
    ("title: T\ndate: 2024-01-02\nupdated: 5\n", "seeds/a.md:4: updated is int 5; write it as YYYY-MM-DD"),
    ("title: T\ndate: 2024-01-02\nupdated: 2024-02-30\n",
     "seeds/a.md:4: updated '2024-02-30' is not a valid calendar date"),
    ("title: T\ndate: 2024-01-02\nsources:\n  - title: s\n    url: https://example.org/\n    date: 2024-02-30\n",
     "seeds/a.md:5: source 1: date '2024-02-30' is not a valid calendar date"),
    ("title: T\ndate: 2024-01-02\nfigures: {Freed: 3}\n",
     "seeds/a.md:4: figure id 'Freed' must be lowercase letters, digits and hyphens"),
])
def test_a_front_matter_message_names_its_key_once(front: str, expected: str):
    assert meta_problems(front) == [expected]


@pytest.mark.parametrize("text, expected", [
    ('language = "en_GB"\n', "timeline.toml:3: language 'en_GB' is not a BCP 47 tag like 'en' or 'en-GB'"),
    ('[[figures]]\nid = "freed"\nlabel = "Freed"\n\n[[figures]]\nid = "freed"\nlabel = "Again"\n',
     "timeline.toml:7: figure 'freed': id is used twice"),
    ('[[threads]]\nid = "deal"\nname = "Deal"\n\n[[threads]]\nid = "deal"\nname = "Again"\n',
     "timeline.toml:7: thread 'deal': id is used twice"),
    ('[[eras]]\nname = "A"\nstart = 2024-01-01\nend = 2024-05-01\n\n[[eras]]\nname = "B"\nstart = 2024-04-01\n'
     'end = 2024-06-01\n', "timeline.toml:8: era 'B' overlaps 'A' (2024-01-01 to 2024-05-01)"),
])
def test_a_config_message_says_each_word_once(tmp_path: Path, text: str, expected: str):
    assert config_problems(tmp_path, text) == [expected]


def test_lines_are_counted_as_the_file_numbers_them_and_shown_on_one_line():
    """PyYAML also breaks lines at U+2028, which editors (and the other messages) do not."""
    assert yaml_error('summary: "a\u2028b"\ntitle: "x\n') == \
        'seeds/a.md:3: invalid front matter YAML: found unclosed quote (the line: title: "x)'
    assert yaml_error('title: "a\u2028b\n') == \
        'seeds/a.md:2: invalid front matter YAML: found unclosed quote (the line: title: "a\\u2028b)'
