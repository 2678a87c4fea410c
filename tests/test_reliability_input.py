"""RELIABILITY.md groups A-D: content security, front matter, the plain-text shape, encodings.

Everything goes through the real CLI. Error cases share one site built once per module:
a failing build must leave seeds/ and output/ as they were (``assert_build_fails``), so
the next case finds the same site. Safe-output cases share one good build of the
fixture site plus every payload seed below.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pytest
import yaml

from conftest import REPO, assert_build_fails, make_site, run_timeline, tree_hash
from generator.load import strict_yaml as metadata
from xss import findings

ATOM = "{http://www.w3.org/2005/Atom}"
TD = "title: T\ndate: 2024-01-01\n"  # lines 2-3 of a Markdown seed: a key added after it is on line 4


@pytest.fixture(scope="module")
def error_site(tmp_path_factory) -> Path:
    """The fixture site after one good build; each error case below leaves it as it was."""
    built = make_site(tmp_path_factory.mktemp("reliability") / "site")
    result = run_timeline("build", "--no-search", cwd=built)
    assert result.returncode == 0, result.stderr
    return built


def fails_with(site: Path, name: str, data: bytes, expected: str) -> None:
    """Add one bad seed, expect the RELIABILITY.md error outcome naming it, take it away again."""
    seed = site / "seeds" / name
    seed.write_bytes(data)
    around = sorted(os.listdir(site.parent))
    try:
        assert_build_fails(site, f"seeds/{name}:{expected}", "--no-search")
        assert sorted(os.listdir(site.parent)) == around  # nothing written beside the site either
    finally:
        seed.unlink()


def md(front: str, body: str = "Body.\n") -> bytes:
    return f"---\n{front}---\n{body}".encode()


def alias_bomb() -> bytes:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    return md(TD + "" + "\n".join(lines) + "\n")


ERRORS = [
    # A. Content security
    pytest.param("a8-js.md", md(TD + "sources:\n  - title: s\n    url: javascript:alert(1)\n"),
                 "5: source 1: url 'javascript:alert(1)' is not an http(s) address (URL scheme not allowed)",
                 marks=pytest.mark.case("A8"), id="A8-javascript"),
    pytest.param("a8-slashes.md", md(TD + "sources:\n  - title: s\n    url: //evil.example/x\n"),
                 "5: source 1: url '//evil.example/x' is not an http(s) address (URL scheme not allowed)",
                 marks=pytest.mark.case("A8"), id="A8-scheme-relative"),
    pytest.param("a8-data.md", md(TD + "sources:\n  - title: s\n    url: 'data:text/html,x'\n"),
                 "5: source 1: url 'data:text/html,x' is not an http(s) address (URL scheme not allowed)",
                 marks=pytest.mark.case("A8"), id="A8-data"),
    pytest.param("a9-dots.md", md(TD + "tags: ['..']\n"),
                 "4: tag '..' has no letters or digits to make a URL from", marks=pytest.mark.case("A9"), id="A9-dots"),
    pytest.param("a9-empty.md", md(TD + "tags: ['']\n"),
                 "4: tags item 1 is empty", marks=pytest.mark.case("A9"), id="A9-empty"),
    pytest.param("a11-raw.md", b"---\ntitle: 'a\x01b'\ndate: 2024-01-01\n---\nBody.\n",
                 "2: control character U+0001 in column 10", marks=pytest.mark.case("A11"), id="A11-raw"),
    pytest.param("a11-escape.md", md('title: "a\\x1bb"\ndate: 2024-01-01\n'),
                 "2: title contains control character U+001B (written as a YAML escape)",
                 marks=pytest.mark.case("A11"), id="A11-escape"),
    pytest.param("a11-fffe.md", md(TD + 'tags: ["a\\uFFFE"]\n'),
                 "4: tags contains control character U+FFFE", marks=pytest.mark.case("A11"), id="A11-noncharacter"),
    pytest.param("a11-wire.txt", b"date 2024-01-01 A lede\x0c with a form feed.\n",
                 "1: control character U+000C in column 23", marks=pytest.mark.case("A11"), id="A11-wire"),
    # B. Front matter / YAML
    pytest.param("b1-blank-lines.md", b"\n\n---\n\ntitle: T\ndate: 2024-01-01\ntags: [a, b\n---\nBody.\n",
                 "7: invalid front matter YAML: found unclosed '[' (the line: tags: [a, b)",
                 marks=pytest.mark.case("B1"), id="B1-leading-blank-lines"),
    pytest.param("b2-blank-lines.md", b"\n---\ntitle: T\ndate: 2024-01-01\nBody.\n",
                 "2: front matter opened with '---' is not closed", marks=pytest.mark.case("B2"), id="B2-after-blank"),
    pytest.param("b3-scalar.md", md("just a sentence\n"),
                 "2: front matter must be a mapping of keys to values, not a single value",
                 marks=pytest.mark.case("B3"), id="B3-scalar"),
    pytest.param("b4-int.md", md(TD + "2024: x\n"),
                 "4: invalid front matter YAML: key '2024' is not a plain string; quote it",
                 marks=pytest.mark.case("B4"), id="B4-int"),
    pytest.param("b4-list.md", md(TD + "? [a]\n: x\n"),
                 "4: invalid front matter YAML: key '[a]' is not a plain string", marks=pytest.mark.case("B4"),
                 id="B4-list"),
    pytest.param("b4-null.md", md(TD + "null: x\n"),
                 "4: invalid front matter YAML: key 'null' is not a plain string", marks=pytest.mark.case("B4"),
                 id="B4-null"),
    pytest.param("b5-name.md", md("title: !!python/name:os.system\ndate: 2024-01-01\n"),
                 "2: invalid front matter YAML: could not determine a constructor for the tag "
                 "'tag:yaml.org,2002:python/name:os.system'", marks=pytest.mark.case("B5"), id="B5-python-name"),
    pytest.param("b5-custom.md", md("title: !custom x\ndate: 2024-01-01\n"),
                 "2: invalid front matter YAML: could not determine a constructor for the tag '!custom'",
                 marks=pytest.mark.case("B5"), id="B5-custom-tag"),
    pytest.param("b6-bomb.md", alias_bomb(), "1: front matter has more than 10000 values (YAML alias bomb?)",
                 marks=pytest.mark.case("B6"), id="B6-alias-bomb"),
    pytest.param("b7-large.md", md(TD + "summary: " + "x" * 70_000 + "\n"),
                 "1: front matter is larger than 64 KB", marks=pytest.mark.case("B7"), id="B7-size"),
    pytest.param("b7-deep.md", md(TD + "x: " + "[" * 30 + "]" * 30 + "\n"),
                 "4: front matter is nested more than 20 levels deep", marks=pytest.mark.case("B7"), id="B7-depth"),
    pytest.param("b8-dup.md", md(TD + "summary: a\nsummary: b\n"),
                 "5: invalid front matter YAML: duplicate key 'summary' (first set on line 4)",
                 marks=pytest.mark.case("B8"), id="B8-duplicate"),
    pytest.param("b9-int.md", md("title: 2024\ndate: 2024-01-01\n"),
                 "2: title is int 2024; it must be text (quote it)", marks=pytest.mark.case("B9"), id="B9-int-title"),
    pytest.param("b9-tags.md", md(TD + "tags: [on, 012]\n"),
                 "4: tags item 1 is boolean True; it must be text (quote it)", marks=pytest.mark.case("B9"),
                 id="B9-yaml11-tags"),
    pytest.param("b10-no-title.md", md("date: 2024-01-01\n"), "1: missing required front matter key 'title'",
                 marks=pytest.mark.case("B10"), id="B10-missing-title"),
    pytest.param("b11-toml.md", b'+++\ntitle = "T"\ndate = 2024-01-01\n+++\nBody.\n',
                 "1: no front matter: a Markdown seed starts with '---'", marks=pytest.mark.case("B11"),
                 id="B11-toml-is-not-front-matter"),
    pytest.param("b12-abs.md", md(TD + "slug: /abs\n"),
                 "4: slug '/abs' must be lowercase ASCII letters, digits and single hyphens",
                 marks=pytest.mark.case("B12"), id="B12-absolute"),
    pytest.param("b12-drive.md", md(TD + "slug: C:\\x\n"),
                 "4: slug 'C:\\\\x' must be lowercase ASCII letters", marks=pytest.mark.case("B12"), id="B12-drive"),
    pytest.param("b12-sub.md", md(TD + "slug: a/b\n"),
                 "4: slug 'a/b' must be lowercase ASCII letters", marks=pytest.mark.case("B12"), id="B12-subfolder"),
    # C. Plain-text shape
    pytest.param("c1-empty.txt", b"", "1: empty article", marks=pytest.mark.case("C1"), id="C1-empty"),
    pytest.param("c1-blank.txt", b"  \n\t\n\n", "1: empty article", marks=pytest.mark.case("C1"), id="C1-whitespace"),
    pytest.param("c2-capital.txt", b"Date 2024-01-02 Lede.\n",
                 "1: the first line must be 'date YYYY-MM-DD' followed by the lede, not 'Date 2024-01-02 Lede.'",
                 marks=pytest.mark.case("C2"), id="C2-capital"),
    pytest.param("c2-colon.txt", b"date:2024-01-02 Lede.\n", "1: the first line must be 'date YYYY-MM-DD'",
                 marks=pytest.mark.case("C2"), id="C2-colon"),
    pytest.param("c2-missing.txt", b"Talks resumed on Monday.\n", "1: the first line must be 'date YYYY-MM-DD'",
                 marks=pytest.mark.case("C2"), id="C2-no-date-line"),
    pytest.param("c3-short.txt", b"date 2024-1-2 Lede.\n", "1: date '2024-1-2' is not in the form YYYY-MM-DD",
                 marks=pytest.mark.case("C3"), id="C3-unpadded"),
    pytest.param("c3-basic.txt", b"date 20240102 Lede.\n", "1: date '20240102' is not in the form YYYY-MM-DD",
                 marks=pytest.mark.case("C3"), id="C3-basic-format"),
    pytest.param("c3-week.txt", b"date 2024-W01-1 Lede.\n", "1: date '2024-W01-1' is not in the form YYYY-MM-DD",
                 marks=pytest.mark.case("C3"), id="C3-week-date"),
    pytest.param("c3-wide.txt", "date ２０２４-01-02 Lede.\n".encode(), "1: date '２０２４-01-02' is not in the form",
                 marks=pytest.mark.case("C3"), id="C3-full-width-digits"),
    pytest.param("c4-feb30.txt", b"date 2024-02-30 Lede.\n", "1: '2024-02-30' is not a valid calendar date",
                 marks=pytest.mark.case("C4"), id="C4-feb-30"),
    pytest.param("c4-leap.txt", b"date 2023-02-29 Lede.\n", "1: '2023-02-29' is not a valid calendar date",
                 marks=pytest.mark.case("C4"), id="C4-not-leap"),
    pytest.param("c4-zero.txt", b"date 0000-01-01 Lede.\n", "1: '0000-01-01' is not a valid calendar date",
                 marks=pytest.mark.case("C4"), id="C4-year-zero"),
    # C5 rule: only spaces and tabs part the date from the lede (see test_accepted_spacing_and_byte_order_mark).
    pytest.param("c5-nbsp.txt", "date 2024-01-02\u00a0Lede.\n".encode(),
                 "1: date '2024-01-02\\xa0Lede.' is not in the form YYYY-MM-DD; put a space or tab after it",
                 marks=pytest.mark.case("C5"), id="C5-no-break-space"),
    # C6 rule: a date line with no lede is an error at that line, even when front matter gives a title.
    pytest.param("c6-bare.txt", b"date 2024-01-02\n\nBody.\n", "1: no lede after the date",
                 marks=pytest.mark.case("C6"), id="C6-date-only"),
    pytest.param("c6-trailing.txt", b"date 2024-01-02 \t\n", "1: no lede after the date",
                 marks=pytest.mark.case("C6"), id="C6-trailing-whitespace"),
    # D. Encodings
    pytest.param("d2-later.md", md(TD, "Body.\n\ncaf\xe9\n").replace(b"\xc3\xa9", b"\xe9"),
                 "7: not valid UTF-8 (byte 0xe9 at offset 44); save the file as UTF-8",
                 marks=pytest.mark.case("D2"), id="D2-latin1-on-line-7"),
    pytest.param("d3-le.txt", "date 2024-01-02 Lede.\n".encode("utf-16"),
                 "1: UTF-16 is not supported; save the file as UTF-8", marks=pytest.mark.case("D3"), id="D3-utf16"),
    pytest.param("d3-be.md", b"\xfe\xff" + ("---\n" + TD).encode("utf-16-be"),
                 "1: UTF-16 is not supported; save the file as UTF-8", marks=pytest.mark.case("D3"), id="D3-utf16-be"),
    pytest.param("d6-nul.txt", b"date 2024-01-02 Lede.\n\nBody \x00\x01\x02 bytes.\n",
                 "3: binary file (contains NUL bytes), not a text article", marks=pytest.mark.case("D6"),
                 id="D6-nul-on-line-3"),
]


@pytest.mark.parametrize("name, data, expected", ERRORS)
def test_bad_seed_is_an_error_that_changes_nothing(error_site: Path, name: str, data: bytes, expected: str):
    fails_with(error_site, name, data, expected)


# Seeds that must build, each with the page it gives and text a reader must still see there.
SAFE = {
    "a1-script.md": (md("title: A1\ndate: 2026-01-01\n", "<script>alert(1)</script>\n\nA1 text kept.\n"),
                     "2026/01/01/a1-script", ["A1 text kept."]),
    "a2-handlers.md": (md("title: A2\ndate: 2026-01-02\n",
                          "<img src=x onerror=alert(1)>\n\n<svg onload=alert(1)><circle/></svg>\n\n"
                          "<details ontoggle=alert(1) open>A2 details</details>\n\n"
                          "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>\n\nA2 text kept.\n"),
                       "2026/01/02/a2-handlers", ["A2 details", "A2 text kept."]),
    "a3-links.md": (md("title: A3\ndate: 2026-01-03\n",
                       "[j1](javascript:alert(1)) [j2](JAVASCRIPT:alert(1)) [j3](&#106;avascript:alert(1)) "
                       "[j4](java&#9;script:alert(1)) [j5](vbscript:msgbox(1)) [j6](data:text/html,x) "
                       "![j7](javascript:alert(1)) [j8][r]\n\n[r]: javascript:alert(1)\n"),
                    "2026/01/03/a3-links", ["j1", "j2", "j3", "j4", "j5", "j6", "j8"]),
    "a4-attributes.md": (md("title: A4\ndate: 2026-01-04\n",
                            "A4 para\n{: onclick=alert(1) }\n\n## A4 heading {: onclick=alert(1) }\n"),
                         "2026/01/04/a4-attributes", ["{: onclick=alert(1) }", "A4 heading"]),
    "a5-fences.md": (md("title: A5\ndate: 2026-01-05\n",
                        "```\"><script>alert(1)</script>\nfirst\n```\n\n```x\"onmouseover=alert(1)\nsecond\n```\n\n"
                        "~~~ {.x\" onclick=alert(1)}\nthird\n~~~\n\n```python\nfourth = 4\n```\n"),
                     "2026/01/05/a5-fences", ["first", "second", "third", "fourth = 4"]),
    "a6-title.md": (md("title: '<script>alert(1)</script>'\ndate: 2026-01-06\n"), "2026/01/06/a6-title", []),
    "a7-attribute.md": (md("title: 'x\" onmouseover=\"alert(1)'\nsummary: 'y\" onfocus=\"alert(1)'\n"
                           "date: 2026-01-07\n"), "2026/01/07/a7-attribute", ['x" onmouseover="alert(1)']),
    "a8-fields.md": (md("title: A8\ndate: 2026-01-08\nlink: javascript:alert(1)\nimage: //evil.example/x.png\n"
                        "url: 'data:text/html,x'\n"), "2026/01/08/a8-fields", []),
    "a9-tags.md": (md("title: A9\ndate: 2026-01-09\ntags: ['<b>t', 'x\"y', 'c/d']\n"), "2026/01/09/a9-tags",
                   ["<b>t", 'x"y', "c/d"]),
    "a10-wire.txt": (b"date 2026-01-10 A <b>bold</b> claim &amp; more </p> here. It <i>said</i> &amp; so.\n\n"
                     b"<script>alert(1)</script> it said.\n", "2026/01/10/a10-wire",
                     ["A <b>bold</b> claim &amp; more </p> here", "It <i>said</i> &amp; so.",
                      "<script>alert(1)</script> it said."]),
    "b10-typo.md": (md("title: B10\ndate: 2026-01-11\ntitel: typo\n"), "2026/01/11/b10-typo", []),
    "b11-body.md": (md("title: B11\ndate: 2026-01-11\n", '{"a": 1}\n\n+++\nb = 2\n+++\n'), "2026/01/11/b11-body",
                    ['{"a": 1}', "+++ b = 2 +++"]),
    "c5-spaces.txt": (b"date  2026-01-12 \t Lede with spaces.  \t\n", "2026/01/12/c5-spaces", ["Lede with spaces."]),
    "c5-tabs.txt": (b"date\t2026-01-13\tLede with tabs.\t\n", "2026/01/13/c5-tabs", ["Lede with tabs."]),
    "d1-bom.md": (b"\xef\xbb\xbf---\ntitle: D1 front matter kept\ndate: 2026-01-14\n---\nBody.\n", "2026/01/14/d1-bom",
                  ["D1 front matter kept"]),
    "d1-bom-wire.txt": (b"\xef\xbb\xbfdate 2026-01-15 Wire with a byte order mark.\n", "2026/01/15/d1-bom-wire",
                   ["Wire with a byte order mark."]),
}


@pytest.fixture(scope="module")
def safe_site(tmp_path_factory) -> tuple[Path, str]:
    """(site, stderr) of one good build of the fixture site plus every SAFE seed."""
    built = make_site(tmp_path_factory.mktemp("safe") / "site")
    for name, (data, _, _) in SAFE.items():
        (built / "seeds" / name).write_bytes(data)
    result = run_timeline("build", "--no-search", cwd=built)
    assert result.returncode == 0, result.stderr
    return built, result.stderr


def page_of(site: Path, name: str) -> str:
    return (site / "output" / SAFE[name][1] / "index.html").read_text(encoding="utf-8")


def document(html: str):
    return html5lib.parse(html, namespaceHTMLElements=False)


def visible_text(html: str) -> str:
    body = document(html).find("body")
    return " ".join("".join(body.itertext()).split())


@pytest.mark.parametrize("name", [
    pytest.param("a1-script.md", marks=pytest.mark.case("A1")),
    pytest.param("a2-handlers.md", marks=pytest.mark.case("A2")),
    pytest.param("a3-links.md", marks=pytest.mark.case("A3")),
    pytest.param("a4-attributes.md", marks=pytest.mark.case("A4")),
    pytest.param("a5-fences.md", marks=pytest.mark.case("A5")),
    pytest.param("a7-attribute.md", marks=pytest.mark.case("A7")),
    pytest.param("a9-tags.md", marks=pytest.mark.case("A9")),
    pytest.param("a10-wire.txt", marks=pytest.mark.case("A10")),
    pytest.param("b11-body.md", marks=pytest.mark.case("B11")),
])
def test_payload_is_safe_and_its_text_kept(safe_site, name: str):
    """Raw HTML, handlers, bad URL schemes and attr_list syntax are dropped (attr_list is off); text stays."""
    page = page_of(safe_site[0], name)
    assert findings(page) == []
    for shown in SAFE[name][2]:
        assert shown in visible_text(page)


@pytest.mark.case("A1")
@pytest.mark.case("A2")
def test_every_built_page_passes_the_xss_check(safe_site):
    pages = sorted((safe_site[0] / "output").rglob("*.html"))
    assert len(pages) > 20
    assert {str(p.relative_to(safe_site[0])): findings(p.read_bytes()) for p in pages if findings(p.read_bytes())} == {}


@pytest.mark.case("A5")
def test_fence_info_strings_stay_inside_a_class_name(safe_site):
    """Only ``language-<word>`` classes reach the page, whatever the info string held (Hugo GHSA-q76j)."""
    body = document(page_of(safe_site[0], "a5-fences.md")).find(".//div[@class='entry-body']")
    classes = [element.get("class") for element in body.iter("code") if element.get("class") is not None]
    assert "language-python" in classes
    assert all(re.fullmatch(r"language-[\w+#.-]+", value) for value in classes), classes
    assert all(set(element.attrib) <= {"class"} for element in body.iter("code"))


@pytest.mark.case("A6")
def test_script_title_is_text_in_title_meta_json_ld_and_feeds(safe_site):
    site, title = safe_site[0], "<script>alert(1)</script>"
    html = page_of(site, "a6-title.md")
    head = document(html).find("head")
    assert head.find("title").text.startswith(title)
    assert head.find("meta[@property='og:title']").get("content").startswith(title)
    (json_ld,) = [s for s in head.iter("script") if s.get("type") == "application/ld+json"]
    assert "</script" not in json_ld.text.lower() and json.loads(json_ld.text)["headline"] == title
    assert document(html).find(".//h1").text == title
    atom = ET.parse(site / "output" / "feed.xml").getroot()
    assert title in [entry.find(f"{ATOM}title").text for entry in atom.iter(f"{ATOM}entry")]
    feed = json.loads((site / "output" / "feed.json").read_text(encoding="utf-8"))
    assert title in [item["title"] for item in feed["items"]]
    assert findings(html) == [] and findings((site / "output" / "index.html").read_bytes()) == []


@pytest.mark.case("A7")
def test_templates_quote_every_attribute_value():
    """A value printed into an unquoted attribute could break out of it whatever the escaping."""
    unquoted = re.compile(r"""=\s*\{\{|=\s*\{%""")
    found = [f"{path.name}:{n}" for path in sorted((REPO / "templates").glob("*.html"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if unquoted.search(line)]
    assert found == []


@pytest.mark.case("A8")
def test_unknown_url_fields_are_warned_about_and_never_rendered(safe_site):
    """Policy: the front matter has no link/image/url field, so these are unknown keys: warned, dropped."""
    site, stderr = safe_site
    for line, key in ((4, "link"), (5, "image"), (6, "url")):
        assert f"seeds/a8-fields.md:{line}: warning: unknown front matter key {key!r}" in stderr
    for path in (site / "output").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".csv", ".ics", ".txt"):
            data = path.read_bytes()
            assert b"javascript:alert" not in data and b"evil.example" not in data and b"data:text" not in data, path


@pytest.mark.case("A9")
def test_odd_tags_get_valid_slugs(safe_site):
    footer = document(page_of(safe_site[0], "a9-tags.md")).find(".//footer[@class='entry-footer']")
    tags = {a.text: a.get("href") for a in footer.iter("a") if a.get("href", "").startswith("../../../../tags/")}
    assert set(tags) == {"<b>t", 'x"y', "c/d"}
    assert all(re.fullmatch(r"\.\./\.\./\.\./\.\./tags/[a-z0-9]+(-[a-z0-9]+)*/", href) for href in tags.values()), tags


@pytest.mark.case("A10")
def test_plain_text_lede_is_never_parsed_as_html(safe_site):
    lede = document(page_of(safe_site[0], "a10-wire.txt")).find(".//p[@class='lede']")
    assert list(lede) == [] and lede.text == "It <i>said</i> &amp; so."
    title = document(page_of(safe_site[0], "a10-wire.txt")).find(".//h1")
    assert list(title) == [] and title.text == "A <b>bold</b> claim &amp; more </p> here"


@pytest.mark.case("A11")
def test_feeds_stay_valid_xml_1_0(safe_site):
    """Control characters are refused at load (see ERRORS), so every XML file the site has parses."""
    xml_files = sorted((safe_site[0] / "output").rglob("*.xml"))
    assert any(p.name == "feed.xml" for p in xml_files)
    for path in xml_files:
        ET.parse(path)  # expat refuses any character XML 1.0 does not allow


@pytest.mark.case("B10")
def test_unknown_key_is_a_warning_naming_the_nearest_key(safe_site):
    site, stderr = safe_site
    assert "seeds/b10-typo.md:4: warning: unknown front matter key 'titel': did you mean 'title'?\n" in stderr
    assert (site / "output" / "2026/01/11/b10-typo/index.html").is_file()


@pytest.mark.case("B5")
def test_front_matter_is_read_by_a_safe_loader_that_knows_no_python_tags():
    assert issubclass(metadata._StrictLoader, (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    tags = [*metadata._StrictLoader.yaml_constructors, *metadata._StrictLoader.yaml_multi_constructors]
    assert not [tag for tag in tags if tag and "python" in tag]


@pytest.mark.case("C3")
def test_python_date_parsers_alone_would_accept_bad_dates():
    """Why the plain-text reader applies an ASCII regex before ``fromisoformat``."""
    assert dt.date.fromisoformat("20240102") == dt.date.fromisoformat("2024-W01-2") == dt.date(2024, 1, 2)
    assert dt.datetime.strptime("2024-1-2", "%Y-%m-%d").date() == dt.date(2024, 1, 2)


@pytest.mark.parametrize("name", [
    pytest.param("c5-spaces.txt", marks=pytest.mark.case("C5")),
    pytest.param("c5-tabs.txt", marks=pytest.mark.case("C5")),
    pytest.param("d1-bom.md", marks=pytest.mark.case("D1")),
    pytest.param("d1-bom-wire.txt", marks=pytest.mark.case("D1")),
])
def test_accepted_spacing_and_byte_order_mark(safe_site, name: str):
    """Rule (C5): spaces or tabs part ``date``, the date and the lede; those at the line's ends are ignored."""
    headline = document(page_of(safe_site[0], name)).find(".//h1").text
    assert headline == SAFE[name][2][0].rstrip(".")


@pytest.mark.parametrize("newline", [pytest.param("\r\n", marks=pytest.mark.case("D4"), id="CRLF"),
                                     pytest.param("\r", marks=pytest.mark.case("D5"), id="CR")])
def test_other_line_endings_give_byte_identical_output(built_site: Path, newline: str):
    before = tree_hash(built_site / "output")
    for seed in sorted((built_site / "seeds").iterdir()):
        seed.write_bytes(seed.read_bytes().replace(b"\n", newline.encode()))
    result = run_timeline("build", "--no-cache", cwd=built_site)
    assert result.returncode == 0, result.stderr
    assert tree_hash(built_site / "output") == before
