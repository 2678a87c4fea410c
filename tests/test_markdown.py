"""The Markdown + front matter reader and the HTML sanitiser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import FIXTURE_SITE
from xss import findings
from generator.errors import BuildError
from generator.load.seeds import read_seed
from generator.load.markup import MarkdownConverter
from generator.model import Source


def read(path: Path):
    return read_seed(path, path.parent, MarkdownConverter())


def write(tmp_path: Path, text: str, name: str = "story.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_front_matter_fields_become_the_entry():
    entry, warnings = read(FIXTURE_SITE / "seeds" / "2024-05-09-greyford-round-ends.md")
    assert warnings == []
    assert entry.title == "Greyford round ends with a draft accord on summer quotas"
    assert entry.date == dt.date(2024, 5, 9)
    assert entry.slug == "greyford-round-ends"
    assert [(t.name, t.slug, t.written) for t in entry.tags] == [("Talks round", "talks-round", "talks-round"),
                                                            ("Draft", "draft", "draft")]  # readable slugs
    # Without a registry (read_seed's default), names are kept as written.
    assert [a.name for a in entry.actors] == ["River Authority", "Northmere Council", "Southwick Council"]
    assert [p.name for p in entry.places] == ["Greyford"]
    assert entry.sources == (Source(title="Greyford talks close with draft water accord",
                                    url="https://courier.example/2024/05/09/greyford-accord",
                                    publisher="The Lakeside Courier", date=dt.date(2024, 5, 9)),)
    assert [(h.level, h.id, h.text) for h in entry.headings] == [(2, "the-draft", "The draft"),
                                                                 (2, "what-happens-next", "What happens next")]
    assert "<strong>draft accord</strong>" in entry.body_html
    assert '<a href="https://authority.example/notes/42" rel="noopener noreferrer">' in entry.body_html


def test_summary_defaults_to_the_first_paragraph():
    entry, _ = read(FIXTURE_SITE / "seeds" / "2024-05-09-southwick-reservoir-question.md")
    assert entry.summary == ("Southwick's council leader said on the same day that the new reservoir should be "
                             "covered by the accord. The river authority said it would consider the request.")


def test_unknown_key_is_a_warning_naming_file_line_and_key(tmp_path):
    path = write(tmp_path, "---\ntitle: T\ndate: 2024-01-01\ntitel: typo\n---\nBody.\n")
    entry, warnings = read(path)
    assert entry.title == "T"
    assert [(w.line, w.message) for w in warnings] == [
        (4, "unknown front matter key 'titel': did you mean 'title'?"),
        (1, "no sources: every entry should cite at least one report"),
    ]
    assert warnings[0].path.endswith("story.md")


def test_markdown_h1_becomes_h2_under_the_page_title(tmp_path):
    entry, _ = read(write(tmp_path, "---\ntitle: T\ndate: 2024-01-01\n---\n# Part one\n\n## Part one\n"))
    assert '<h2 id="part-one">Part one</h2>' in entry.body_html
    assert '<h3 id="part-one_1">Part one</h3>' in entry.body_html


@pytest.mark.parametrize("body, text", [
    ("<script>alert(1)</script>", ""),
    ('<img src=x onerror="alert(1)">', ""),
    ("<svg onload=alert(1)><circle/></svg>", ""),
    ('<iframe srcdoc="<script>alert(1)</script>"></iframe>', ""),
    ("<details ontoggle=alert(1) open>x</details>", "x"),
    ("[click](javascript:alert(1))", "click"),
    ("[click](JAVASCRIPT:alert(1))", "click"),
    ("[click](java\tscript:alert(1))", "click"),
    ("[click](&#106;avascript:alert(1))", "click"),
    ("[click](vbscript:msgbox(1))", "click"),
    ("[click](data:text/html;base64,PHNjcmlwdD4=)", "click"),
    ("[r]\n\n[r]: javascript:alert(1)", "r"),
    ('<a href="javascript:alert(1)">x</a>', "x"),
    ('<p style="background:url(javascript:alert(1))">x</p>', "x"),
    ('```"><script>alert(1)</script>\ncode\n```', "code"),
])
def test_dangerous_html_is_removed_and_text_kept(tmp_path, body, text):
    entry, _ = read(write(tmp_path, f"---\ntitle: T\ndate: 2024-01-01\n---\n{body}\n"))
    assert findings(entry.body_html) == []
    assert text in entry.body_html


def test_safe_markup_survives_cleaning(tmp_path):
    body = "| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```\n\n> quoted\n\n![alt text](/img.png)\n"
    entry, _ = read(write(tmp_path, f"---\ntitle: T\ndate: 2024-01-01\n---\n{body}"))
    for kept in ("<table>", "<td>1</td>", '<code class="language-python">', "<blockquote>",
                 '<img alt="alt text" src="/img.png">'):
        assert kept in entry.body_html


@pytest.mark.parametrize("front, line, message", [
    ("title: T\ndate: '2024-01-01 10:00'", None, None),
    ("title: T\ndate: 2024-01-01T10:00:00+02:00", 3, "date '2024-01-01T10:00:00+02:00' has a UTC offset; write the local time without it"),
    ("title: 2024\ndate: 2024-01-01", 2, "title is int 2024; it must be text"),
    ("title: T\ndate: 2024-01-01\ntags: [on, 012]", 4, "tags item 1 is boolean True"),
    ("title: T\ndate: 2024-01-01\ndraft: maybe", 4, "draft is str 'maybe'; write true or false"),
    ("title: T\ndate: yesterday", 3, "date 'yesterday' is not in the form YYYY-MM-DD"),
    ("title: T\ndate: 2024-01-01\nsources: x", 4, "sources must be a list"),
    ("title: T\ndate: 2024-01-01\nsources:\n  - url: https://a.example/", 5, "source 1: title is missing"),
    ("title: T\ndate: 2024-01-01\nslug: a/b", 4, "slug 'a/b' must be lowercase"),
    ("2024: x\ntitle: T\ndate: 2024-01-01", 2, "key '2024' is not a plain string"),
    ("title: T\ndate: 2024-01-01\nsummary: \"\"", 4, "summary is empty"),
])
def test_front_matter_types_are_checked(tmp_path, front, line, message):
    path = write(tmp_path, f"---\n{front}\n---\nBody.\n")
    if message is None:
        entry, _ = read(path)
        assert entry.time == dt.time(10, 0)
        return
    with pytest.raises(BuildError) as caught:
        read(path)
    assert (line, True) in [(p.line, message in p.message) for p in caught.value.problems], caught.value


def test_every_problem_in_a_file_is_reported_at_once(tmp_path):
    path = write(tmp_path, "---\ntitle: 5\ndate: 2024-13-01\ndraft: 1\n---\nBody.\n")
    with pytest.raises(BuildError) as caught:
        read(path)
    assert [p.line for p in caught.value.problems] == [2, 3, 4]


@pytest.mark.case("B6")
def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = write(tmp_path, "---\ntitle: T\ndate: 2024-01-01\n" + "\n".join(lines) + "\n---\nBody.\n")
    with pytest.raises(BuildError) as caught:
        read(path)
    assert "more than 10000 values" in caught.value.problems[0].message


@pytest.mark.case("B11")
def test_json_or_toml_looking_body_stays_body(tmp_path):
    entry, _ = read(write(tmp_path, "---\ntitle: T\ndate: 2024-01-01\n---\n+++\n{\"a\": 1}\n"))
    assert entry.body_html == '<p>+++\n{"a": 1}</p>'


# Every inline construct, alone, nested, escaped, broken and in prose without any: the
# skipping inline pass must give exactly what Python-Markdown's own pass gives.
INLINE_SAMPLES = [
    "Plain prose with no markup at all, over\ntwo lines.",
    "Some `code with *stars*` and ``a ` tick`` and \\`not code\\`.",
    "Escapes: \\*not em\\*, \\[not a link\\], \\\\ a backslash, \\_x\\_.",
    "*em*, **strong**, ***both***, _em_, __strong__, a * lone star and snake_case_words.",
    "A [link](https://example.org/a_b \"T*itle*\") and [**bold** link](/x) and [broken (link.",
    "An ![image](/i.png \"t\") and ![ref image][r] and [ref][r] and [r] and [r][].\n\n[r]: https://example.org/r",
    "Autolinks <https://example.org/a*b*> and <someone@example.org> and <not a link>.",
    "Line break at the end of this line  \nand the next; *em spanning  \na break*.",
    "Raw <span class=\"x\">*html*</span>, <!-- a comment -->, &amp; &#169; &copy; &notanentity and AT&T.",
    "Nested: *em with `code` and [link *in* em](/l)* then **strong _em_ strong**.",
    "Heading text\n\n## A *heading* with `code` & [link](/h)\n\n> a quote with *em* and <b>bold</b>",
    "| a | *b* |\n|---|---|\n| `c` | [d](/d) |",
    "- item *one*\n- item `two`\n\n1. [three](/3)\n2. four  \n   five",
    "```\n*not em* in a fence [not](/link)\n```\n\nafter *the* fence",
    "Mid-word stars a*b*c and under_scores_here and ** unbalanced * and _ spaced _.",
]


# Headings plain and not, repeated, empty, nested, at every level, and the [TOC] marker:
# the heading ids pass must give the ids, tokens and HTML of the stock toc extension.
HEADING_SAMPLES = [
    "# Top\n\ntext\n\n## Second\n\n### Third\n\n#### Fourth\n\n##### Fifth\n\n###### Sixth",
    "## Same\n\n## Same\n\n## Same_1\n\n## Same\n\n## section\n\n##\n\n## \n\n## !!!",
    "## Spaces   inside\tthe  heading   \n\nSetext heading\n--------------\n\nOther\n=====",
    "## Caf\u00e9 d\u00e9j\u00e0 vu \u2014 \u00e9t\u00e9\n\n## \u0627\u0644\u0633\u0644\u0627\u0645\n\n## \u05e9\u05dc\u05d5\u05dd\n\n## 2024-03-21",
    "## AT&T and &amp; &copy;\n\n## a < b > c\n\n## \\*escaped\\* \\# hash",
    "## A *heading* with `code`\n\n## [Link](/x) heading\n\n## <span>raw</span> html\n\n## <!-- c --> comment",
    "- list\n\n    ## not a heading in a list item\n\n> ## Quoted heading\n>\n> ## Quoted heading",
    "[TOC]\n\n## One\n\n### Two\n\n## Three",
    "Intro\n\n- [TOC]\n\n## After a marker in a list",
    "```\n[TOC]\n## not a heading\n```\n\n## Real heading",
    "## Marker-like [TOC] in a heading\n\ntext [TOC] in prose",
]


# Every block construct, at a block's start and after other lines, and prose holding the
# characters the block parser looks for: the skipping parser must give the stock blocks.
BLOCK_SAMPLES = [
    "Rules:\n\n---\n\n* * *\n\n___\n\n - - -\n\n   ***\n\n    ---\n\ntext\n***\nmore\n\n-- -\n\n--",
    "Setext\n======\n\nSetext two\n---\n\nNot setext\n = no\n\nA line\n-\n\nx\n-=-",
    "#hashtag at a line start\n\nprose with a # inside and #tags\n\nline\n## heading after a line\n\n####### seven",
    "> quote\n> > nested\n\nprose with > inside\n\nline\n> quote after a line\n\n    > code, not a quote",
    "[a]: https://example.org/a\n[b]: <https://example.org/b> \"B\"\n\nUse [a] and [b].\n\n"
    "text\n[c]: https://example.org/c\n\nprose]: not a reference and [d]:\n\n[c] and [d]",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n\na | b\n--|--\n1 | 2\n\n|single|\n|-|\n|x|\n\npipes | in prose\n\none | line",
    "- item\n\n    > quoted in an item\n\n    ## heading in an item\n\n- item two\n    ---\n\n1. one\n2. two\n\n"
    "        code block\n        # not a heading",
    "~~~\nfenced\n---\n> not a quote\n~~~\n\n\n\n\ntrailing blank blocks\n\n",
    "Paragraph\nwith lines\n*   list after a line\n\nA paragraph   \n===\n\n<div>\nraw *block*\n</div>\n\n---\ntitle: not front matter\n---",
]


# Texts for the preprocessors: blank lines of spaces, tabs, carriage returns, fences,
# raw HTML and entities, and texts with none of them.
PREPROCESSOR_SAMPLES = [
    "para one\n   \n\t\npara two  \nline\r\nwindows\rmac\n \n",
    "\tindented code\n\n  \t mixed\n\ntext\twith\ttabs",
    "```python\ncode < & >\n```\n\n~~~\nfence\n~~~\n\n``inline``` not a fence\n\n````\nopen fence",
    "<div markdown=\"1\">\n*md*\n</div>\n\n<!-- comment -->\n\nAT&T &amp; &#169; a < b\n\n<p>raw</p>",
    "\x02stx and etx\x03 removed\n\nplain prose without any of them",
]


@pytest.mark.parametrize("text", INLINE_SAMPLES + HEADING_SAMPLES + BLOCK_SAMPLES + PREPROCESSOR_SAMPLES)
def test_leaving_out_unused_steps_gives_python_markdowns_own_html(text):
    """Each sample converted with the steps it cannot use left out equals stock Python-Markdown,
    HTML and headings, at both base levels and after a reset (a build reuses its instances)."""
    import markdown

    from generator.load import markup

    converter = markup.MarkdownConverter()
    for baselevel in (1, 2):
        stock = markdown.Markdown(extensions=["toc", "tables", "fenced_code", "sane_lists"],
                                  extension_configs={"toc": {"baselevel": baselevel, "slugify": markup._heading_slug}},
                                  output_format="html")
        for _ in range(2):
            ours = converter._markdown(baselevel, text)
            stock.reset()
            assert ours.convert(text) == stock.convert(text)
            assert ours.toc_tokens == stock.toc_tokens


def test_the_steps_a_document_lacks_are_left_out_and_only_those():
    from generator.load import markup

    converter = markup.MarkdownConverter()
    plain = converter._markdown(1, "Plain prose.")
    assert not any(name in plain.inlinePatterns for name in markup.INLINE_NEEDS)
    assert [name for name in markup.BLOCK_NEEDS if name in plain.parser.blockprocessors] == ["olist"]
    assert not any(name in plain.preprocessors for name in markup.PREPROCESSOR_NEEDS)
    linked = converter._markdown(1, "A [link](/x) and *em*.\n\n> quoted\n\n    code")
    assert "link" in linked.inlinePatterns and "em_strong" in linked.inlinePatterns
    assert "backtick" not in linked.inlinePatterns and "html" not in linked.inlinePatterns
    assert "quote" in linked.parser.blockprocessors and "code" in linked.parser.blockprocessors
    assert "table" not in linked.parser.blockprocessors and "hashheader" not in linked.parser.blockprocessors
    assert "code" in converter._markdown(1, "    indented first line").parser.blockprocessors
    assert converter._markdown(1, "Other prose.") is plain  # one instance per set of steps
