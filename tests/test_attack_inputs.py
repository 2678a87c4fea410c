"""Inputs from the outside attack (issue 24): dates at the ends of what readers accept, dates far from the rest, SOURCE_DATE_EPOCH, tag slugs."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import make_site, run_timeline


def _seed(site: Path, name: str, day: str) -> None:
    (site / "seeds" / name).write_text(f"---\ntitle: Dated {day}\ndate: {day}\n---\nBody.\n", encoding="utf-8")


@pytest.mark.case("L5")
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_first_and_last_dates_a_reader_accepts_build(tmp_path: Path, day: str):
    """9999-12-31 with --future crashed the axis ("year 10000 is out of range") and the calendar."""
    import icalendar

    site = make_site(tmp_path / "site")
    _seed(site, "edge.md", day)
    built = run_timeline("build", "--future", "--no-search", cwd=site)
    assert built.returncode == 0 and "Traceback" not in built.stderr, built.stderr
    calendar = icalendar.Calendar.from_ical((site / "output" / "calendar.ics").read_bytes())
    edge = [event for event in calendar.walk("VEVENT") if str(event["SUMMARY"]) == f"Dated {day}"]
    assert len(edge) == 1 and edge[0].decoded("DTSTART").isoformat() == day
    assert edge[0].get("DTEND") or edge[0].get("DURATION")
    year = day[:4]
    assert (site / "output" / year).is_dir() and f"Dated {day}" in (site / "output" / "index.html").read_text()


@pytest.mark.case("L6")
@pytest.mark.parametrize("value", ["abc", "-5", "1.5", "99999999999999999999", "1e9", "١٢٣"])
def test_a_source_date_epoch_that_is_not_a_time_is_a_usage_error(site: Path, value: str):
    built = run_timeline("build", "--no-search", cwd=site, env={"SOURCE_DATE_EPOCH": value})
    assert built.returncode == 1 and "Traceback" not in built.stderr
    assert built.stderr.startswith("SOURCE_DATE_EPOCH: ") and "is not a time" in built.stderr
    assert not (site / "output").exists()


def test_a_good_source_date_epoch_sets_today(site: Path):
    """Entries after 2024-06-01 (the epoch below) are left out, as after today."""
    built = run_timeline("build", "--no-search", cwd=site, env={"SOURCE_DATE_EPOCH": "1717200000"})
    assert built.returncode == 0 and "after today (2024-06-01)" in built.stderr


@pytest.mark.case("L7")
def test_one_stray_old_date_keeps_the_overview_small_and_is_named(tmp_path: Path):
    """One entry dated 0224 beside 2024's made index.html 4.4 MB of empty month bars."""
    site = make_site(tmp_path / "site")
    clean = run_timeline("build", "--no-search", "--out", "clean", cwd=site)
    _seed(site, "typo.md", "0224-06-14")
    built = run_timeline("build", "--no-search", cwd=site)
    assert built.returncode == 0
    assert "seeds/typo.md:3: warning: dated 0224-06-14, 1,800 years before every other entry" in built.stderr
    assert clean.returncode == 0 and "a typo?" not in clean.stderr
    page = (site / "output" / "index.html").read_text()
    before = (site / "clean" / "index.html").read_text()
    assert len(page) < len(before) + 5_000, (len(page), len(before))
    assert "1,800 years without entries" in page and page.count('data-month="m-0224-') == 1


@pytest.mark.case("L12")
def test_tags_told_apart_by_a_sign_get_pages_of_their_own(tmp_path: Path):
    """``C++``, ``C#`` and ``C`` all became /tags/c/, a clash the message said to fix by
    spelling them the same, which is wrong there."""
    site = make_site(tmp_path / "site")
    for n, tag in enumerate(["C++", "C#", "C"]):
        (site / "seeds" / f"2024-06-1{n}-lang-{n}.md").write_text(
            f"---\ntitle: Language {n}\ndate: 2024-06-1{n}\ntags: [{tag!r}]\n---\nBody.\n", encoding="utf-8")
    built = run_timeline("build", "--no-search", cwd=site)
    assert built.returncode == 0, built.stderr
    for slug, name in (("c-plus-plus", "C++"), ("c-sharp", "C#"), ("c", "C")):
        assert f"<h1>{name}<" in (site / "output" / "tags" / slug / "index.html").read_text()
    (site / "seeds" / "2024-06-13-cafe.md").write_text(
        "---\ntitle: Cafe\ndate: 2024-06-13\ntags: ['Café']\n---\nBody.\n", encoding="utf-8")
    (site / "seeds" / "2024-06-14-cafe.md").write_text(
        "---\ntitle: Cafe two\ndate: 2024-06-14\ntags: ['Cafe']\n---\nBody.\n", encoding="utf-8")
    clash = run_timeline("build", "--no-search", cwd=site)
    assert clash.returncode == 1 and "would share the page /tags/cafe/; rename one of them" in clash.stderr


BAD_BASE_URLS = ["/a\r\nb", "/REPO/\nDisallow: /", "/a b/", '/a"b/', "/a'b/", "/a<b>/", "/a\\b/", "/a/../b/", "/a//b/",
                 "/./", "/a%zz/", "https://h:99999/", "https://h:0/", "https://user@h/", "https://h:/", "https://h/?x"]


@pytest.mark.case("L8")
@pytest.mark.parametrize("value", BAD_BASE_URLS)
def test_a_base_url_no_host_can_serve_is_refused(site: Path, value: str):
    """CR/LF in base_url added lines to robots.txt and broke every link while check said nothing;
    quotes, spaces, brackets, backslashes, dot segments and port 99999 were taken as they were."""
    import json

    config = site / "timeline.toml"
    text = config.read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("base_url"))
    lines = text.splitlines()
    lines[line - 1] = f"base_url = {json.dumps(value)}"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    built = run_timeline("build", "--no-search", cwd=site)
    assert built.returncode == 1 and built.stderr.startswith(f"timeline.toml:{line}: base_url"), built.stderr
    assert len(built.stderr.splitlines()) == 2 and not (site / "output").exists()
    config.write_text(text, encoding="utf-8")
    usage = run_timeline("build", "--no-search", "--base-url", value, cwd=site)
    assert usage.returncode == 2 and "base_url" in usage.stderr and not (site / "output").exists()


@pytest.mark.parametrize("value", ["/", "/REPO/", "https://user.github.io/REPO/", "http://127.0.0.1:8000/",
                                   "https://[::1]:8443/site/", "https://example.org/%C3%A9t%C3%A9/"])
def test_a_base_url_a_host_can_serve_is_taken(site: Path, value: str):
    built = run_timeline("build", "--no-search", "--base-url", value, cwd=site)
    assert built.returncode == 0, built.stderr
    assert run_timeline("check", "--base-url", value, cwd=site).returncode == 0


@pytest.mark.case("L8")
def test_check_names_a_link_no_server_could_resolve(built_site: Path):
    page = built_site / "output" / "tags" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</main>", '<a href="../a b/">x</a>'
                                                             '<a href="..\\\\tags\\\\">y</a></main>'), encoding="utf-8")
    checked = run_timeline("check", "--dir", "output", cwd=built_site)
    assert checked.returncode == 1
    assert checked.stderr.count("holds a space, control character or backslash") == 2, checked.stderr
