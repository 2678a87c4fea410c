"""Untrusted text never becomes script, and the same sources always give the same bytes."""

from __future__ import annotations

import json
import random
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from conftest import REPO, make_site, run_timeline, tree_hash
from generator.build import BuildOptions, build_site
from generator.errors import BuildError
from xss import export_findings, findings

PAYLOADS = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>", "<svg><script>alert(1)</script></svg>", "<iframe src=javascript:alert(1)>",
    "<iframe srcdoc='<script>alert(1)</script>'>", "<details open ontoggle=alert(1)>", "<body onload=alert(1)>",
    "<a href=javascript:alert(1)>x</a>", "<a href=JaVaScRiPt:alert(1)>x</a>", "<a href='java\tscript:alert(1)'>x</a>",
    "<a href='java\nscript:alert(1)'>x</a>", "<a href='&#106;avascript:alert(1)'>x</a>",
    "<a href='&#x6A;avascript:alert(1)'>x</a>", "<a href=' javascript:alert(1)'>x</a>", "<a href=vbscript:msgbox(1)>x</a>",
    "<a href='data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='>x</a>", "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>", "<math><mtext><script>alert(1)</script></mtext></math>", "<base href=//evil.example/>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>", "<style>*{background:url(javascript:alert(1))}</style>",
    "<div style='background:url(javascript:alert(1))'>x</div>", "<form action=javascript:alert(1)><button>x</button></form>",
    "<input autofocus onfocus=alert(1)>", "<video><source onerror=alert(1)></video>", "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>", "\"><script>alert(1)</script>", "'><img src=x onerror=alert(1)>",
    "\" onmouseover=\"alert(1)", "' onmouseover='alert(1)", "</title><script>alert(1)</script>",
    "</script><script>alert(1)</script>", "</textarea><script>alert(1)</script>", "<!--<script>alert(1)//-->",
    "<![CDATA[<script>alert(1)</script>]]>", "<scr<script>ipt>alert(1)</scr</script>ipt>", "<img src=\"x\" onerror=\"alert(1)\"/>",
    "[x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1))", "[x](javascript&#58;alert(1))", "[x]( javascript:alert(1))",
    "![x](javascript:alert(1))", "[x][r]\n\n[r]: javascript:alert(1)", "<javascript:alert(1)>", "[x](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))", "```\"><script>alert(1)</script>\ncode\n```", "`<script>alert(1)</script>`",
    "<a href=\"#\" onclick=\"alert(1)\">x</a>", "<img src=x:alert(1) onerror=eval(src)>", "<svg><a xlink:href=javascript:alert(1)><text>x</text></a></svg>",
    "<isindex action=javascript:alert(1) type=image>", "<link rel=stylesheet href=javascript:alert(1)>",
    "<table background=javascript:alert(1)>", "<x onclick=alert(1)>click</x>", "{: onclick=alert(1) }",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>", "<img src=1 onerror=\\u0061lert(1)>",
]
FREE_TEXT_FIELDS = ("title", "summary", "date_display", "update_note", "tags", "actors", "places", "source_title",
                    "source_publisher")


def seed_with(payload: str) -> str:
    """A Markdown seed carrying the payload in every free-text field and in its body."""
    front = {
        "title": payload, "date": "2024-05-01", "summary": payload, "date_display": payload,
        "updated": "2024-05-02", "update_note": payload, "tags": [payload, "t"], "actors": [payload],
        "places": [payload],
        "sources": [{"title": payload, "publisher": payload, "url": "https://news.example/a", "date": "2024-05-01"}],
        "slug": "payload",
    }
    return "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + payload + "\n\nText.\n"


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory) -> Path:
    """The fixture site without its actors file, so any text is accepted as an actor or place name."""
    site = make_site(tmp_path_factory.mktemp("xss") / "site")
    (site / "seeds" / "_actors.toml").unlink()
    return site


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives_into_any_page(xss_site: Path, payload: str, monkeypatch):
    assert len(PAYLOADS) >= 60
    monkeypatch.chdir(xss_site)
    seed = xss_site / "seeds" / "2024-05-01-payload.md"
    seed.write_text(seed_with(payload), encoding="utf-8")
    try:
        files = build_site(BuildOptions(base_url="https://site.example/", search=False)).files
        page = files["2024/05/01/payload/index.html"].decode()
        assert "<h1>" in page and "payload" not in findings(page)  # the entry was built, with the payload as text
        for name, data in files.items():
            if name.endswith(".html"):
                assert findings(data) == [], (name, payload)
        for name in ("feed.xml", "sitemap.xml"):
            ET.fromstring(files[name])  # still well-formed XML
        assert export_findings(files) == [], payload  # L2: and none in a field the exports' readers render as HTML
    finally:
        seed.unlink()


@pytest.mark.case("L2")
def test_the_export_check_finds_a_payload_in_a_field_rendered_as_html():
    """``export_findings`` can fail: raw markup where TimelineJS or a feed reader renders HTML."""
    payload = "<img src=x onerror=alert(1)>"
    files = {"entries.json": json.dumps({"entries": [{"slug": "a", "body_html": "<p>ok</p>"}]}).encode(),
             "feed.json": json.dumps({"items": [{"id": "1", "content_html": payload}]}).encode(),
             "timeline.json": json.dumps({"title": {"text": {"headline": payload}}, "events": [
                 {"unique_id": "a", "text": {"text": "x"}, "start_date": {"display_date": payload}, "group": payload}],
                 "eras": [{"text": {"headline": payload}}]}).encode(),
             "feed.xml": b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="html">'
                         b'&lt;script&gt;alert(1)&lt;/script&gt;</content></entry></feed>'}
    found = export_findings(files)
    assert [f.rsplit(": ", 1)[0] for f in found] == ["feed.json 1 content_html", "timeline.json title headline",
                                                 "timeline.json a display_date", "timeline.json a group",
                                                 "timeline.json era headline",
                                                 "feed.xml {http://www.w3.org/2005/Atom}content"]


@pytest.mark.parametrize("field, value, message", [
    ("url", "javascript:alert(1)", "not an http(s) address"),
    ("url", "JAVASCRIPT:alert(1)", "not an http(s) address"),
    ("url", "java\tscript:alert(1)", "contains spaces or control characters"),
    ("url", "data:text/html,<script>alert(1)</script>", "not an http(s) address"),
    ("url", "//evil.example/x", "not an http(s) address"),
    ("slug", "../../etc/x", "slug '../../etc/x' must be lowercase"),
    ("slug", "<script>", "must be lowercase ASCII"),
    ("date", "2024-05-01<script>", "is not in the form YYYY-MM-DD"),
])
def test_payloads_in_structured_fields_are_refused(xss_site: Path, field: str, value: str, message: str, monkeypatch):
    monkeypatch.chdir(xss_site)
    front = {"title": "T", "date": "2024-05-01", "sources": [{"title": "t", "url": "https://news.example/"}]}
    if field == "url":
        front["sources"][0]["url"] = value
    else:
        front[field] = value
    seed = xss_site / "seeds" / "2024-05-01-structured.md"
    seed.write_text("---\n" + yaml.safe_dump(front) + "---\nBody.\n", encoding="utf-8")
    try:
        with pytest.raises(BuildError) as caught:
            build_site(BuildOptions(search=False))
        assert any(message in p.message and p.path.endswith("2024-05-01-structured.md") for p in caught.value.problems)
    finally:
        seed.unlink()


def test_same_sources_give_byte_identical_sites(tmp_path: Path):
    """Whatever the zone, locale, hash seed, file order or line endings (the whole tree, search index too)."""
    first = make_site(tmp_path / "a", seeds=REPO / "seeds", config=REPO / "timeline.toml")
    second = make_site(tmp_path / "b", seeds=REPO / "seeds", config=REPO / "timeline.toml")
    # The second copy's seeds: CRLF line ends, written in a shuffled order (so directory order differs).
    shutil.rmtree(second / "seeds")
    (second / "seeds").mkdir()
    names = sorted(p.name for p in (REPO / "seeds").iterdir())
    random.Random(7).shuffle(names)
    for name in names:
        (second / "seeds" / name).write_bytes((REPO / "seeds" / name).read_bytes().replace(b"\n", b"\r\n"))
    a = run_timeline("build", "--base-url", "https://user.github.io/REPO/", cwd=first,
                     env={"TZ": "Pacific/Kiritimati", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "1"})
    b = run_timeline("build", "--base-url", "https://user.github.io/REPO/", "-j", "1", cwd=second,
                     env={"TZ": "Etc/GMT+12", "LANG": "tr_TR.UTF-8", "PYTHONHASHSEED": "987654"})
    assert a.returncode == b.returncode == 0, a.stderr + b.stderr
    one, two = tree_hash(first / "output"), tree_hash(second / "output")
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    assert any(name.startswith("pagefind/") for name in one)
