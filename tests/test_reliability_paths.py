"""RELIABILITY.md cases on names, paths, the seeds folder, dates and templates (groups E, F, G, I).

Every "error" case goes through ``assert_build_fails``: exit 1, ``relpath:line: message``,
no traceback, seeds/ and the previous output/ byte-identical, no staging folder left.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from browser import need
from conftest import assert_build_fails, make_site, run_timeline, tree_hash
from generator.build import BuildOptions, build
from generator.errors import BuildError
from generator.load.seeds import parse_seed
from generator.load.markup import MarkdownConverter
from generator.load.registry import Registry
from generator.timeline import build_timeline
from generator.serve.watch import snapshot
from linkcheck import broken_links

SOURCES = "sources:\n  - title: Report\n    url: https://news.example/report\n"


def seed(title: str, date: str = "2024-07-01", extra: str = "", body: str = "Body text.\n") -> str:
    """A valid Markdown seed (with a source, so it gives no warning)."""
    return f'---\ntitle: "{title}"\ndate: {date}\n{extra}{SOURCES}---\n{body}'


def add(site: Path, name: str, text: str) -> Path:
    path = site / "seeds" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def built_ok(site: Path, *args: str, search: bool = False) -> subprocess.CompletedProcess:
    result = run_timeline("build", *args, *([] if search else ["--no-search"]), cwd=site)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def segments(root: Path) -> list[str]:
    return [part for path in root.rglob("*") for part in path.relative_to(root).parts]


# F. Slugs and paths

@pytest.mark.case("F1")
def test_same_file_stem_in_two_folders_names_both_files(built_site: Path):
    """Rule: one slug, one entry, whatever the folders or dates; never a silent overwrite."""
    add(built_site, "north/vote.md", seed("North vote", "2024-07-01"))
    add(built_site, "south/vote.md", seed("South vote", "2024-08-01"))
    assert_build_fails(built_site, "seeds/south/vote.md:1: slug 'vote' is already used by seeds/north/vote.md")


@pytest.mark.case("F2")
@pytest.mark.parametrize("first, second", [("About.md", "about.md"), ("Cafe\u0301.md", "Caf\u00e9.md")],
                         ids=["case", "nfd-nfc"])
def test_names_differing_only_in_case_or_normal_form_collide(built_site: Path, first: str, second: str):
    """Rule: slugs are compared case-folded and NFC, as a macOS or Windows checkout would see them."""
    add(built_site, first, seed("One", "2024-07-01"))
    add(built_site, second, seed("Two", "2024-07-02"))
    stderr = assert_build_fails(built_site, f"seeds/{second}:1: slug ")
    assert f"already used by seeds/{first}" in stderr


@pytest.mark.case("F3")
def test_a_title_in_another_script_gives_a_transliterated_slug(built_site: Path):
    """Rule: a slug is never ''; non-Latin titles are transliterated (日本語 -> ri-ben-yu)."""
    add(built_site, "2024-07-01.md", seed("日本語"))  # a date-only file name: the title names the entry
    built_ok(built_site)
    assert (built_site / "output/2024/07/01/ri-ben-yu/index.html").is_file()


@pytest.mark.case("F3")
@pytest.mark.parametrize("name, title", [("2024-07-01.md", "🙂"), ("🙂.md", "🙂"), ("2024-07-01-★.md", "☀ ☂")])
def test_nothing_to_make_a_slug_from_is_an_error(built_site: Path, name: str, title: str):
    add(built_site, name, seed(title))
    assert_build_fails(built_site, f"seeds/{name}:1: cannot make a URL slug from the file name or title; "
                                   "add 'slug: some-name'")


RESERVED_SLUGS = ["index", "feed", "tags", "404", "assets", "search", "data", "actors", "places", "years",
                  "pagefind", "robots", "sitemap", "entries", "calendar", "timeline", "style", "favicon", "cname"]


@pytest.mark.case("F4")
def test_slugs_named_like_the_sites_own_files_stay_in_their_date_folder(built_site: Path):
    """Rule: an entry lives at YYYY/MM/DD/<slug>/, so the top level belongs to the site alone and
    every name there (index, feed, tags, 404, pagefind …) is a fine slug: no page can be replaced."""
    top_level = sorted(p.name for p in (built_site / "output").iterdir())
    for slug in dict.fromkeys(RESERVED_SLUGS + [p.split(".")[0] for p in top_level if p.split(".")[0]]):
        add(built_site, f"reserved-{slug}.md", seed(f"Entry {slug}", extra=f"slug: '{slug}'\n"))
    built_ok(built_site, search=True)
    assert sorted(p.name for p in (built_site / "output").iterdir()) == top_level
    for slug in RESERVED_SLUGS:
        assert (built_site / f"output/2024/07/01/{slug}/index.html").is_file(), slug


@pytest.mark.case("F4")
@pytest.mark.parametrize("slug, message", [
    ("_x", "slug '_x' must be lowercase ASCII letters"),
    (".git", "slug '.git' must be lowercase ASCII letters"),
    ("CNAME", "slug 'CNAME' must be lowercase ASCII letters"),
])
def test_slugs_that_could_be_hidden_or_host_files_are_errors(built_site: Path, slug: str, message: str):
    add(built_site, "odd.md", seed("Odd", extra=f"slug: '{slug}'\n"))
    assert_build_fails(built_site, f"seeds/odd.md:4: {message}")


@pytest.mark.case("F4")
def test_a_month_only_entry_may_not_take_a_days_folder(built_site: Path):
    """Rule: YYYY/MM/DD/ belongs to that day's entries, so a month-only slug may not be a day number."""
    add(built_site, "2024-05-vague.md", seed("Sometime in May", "2024-05", extra="slug: '09'\n"))
    assert_build_fails(built_site, "seeds/2024-05-vague.md:4: slug '09' of a month-only entry would take "
                                   "the folder of a day")


@pytest.mark.case("F5")
def test_a_very_long_front_matter_slug_is_an_error(built_site: Path):
    add(built_site, "long.md", seed("Long", extra=f"slug: {'a' * 300}\n"))
    assert_build_fails(built_site, "seeds/long.md:4: slug is 300 characters long; at most 80")


@pytest.mark.case("F5")
def test_very_long_titles_and_file_names_give_short_path_segments(built_site: Path):
    """Rule: derived slugs are cut at a word boundary (60 characters from a title, 80 from a file name)."""
    add(built_site, "2024-07-01.md", seed("Überlänge " * 40, extra="tags: [" + "längster " * 40 + "]\n"))
    stem = "é" * 120  # 240 bytes of UTF-8, near the file system's own limit
    add(built_site, f"{stem}.md", seed("From the file name", "2024-07-02"))
    built_ok(built_site)
    longest = max(segments(built_site / "output"), key=lambda s: len(s.encode()))
    assert len(longest.encode()) <= 80, longest
    assert (built_site / "output/2024/07/02" / ("e" * 80) / "index.html").is_file()


@pytest.mark.case("F6")
@pytest.mark.parametrize("name", ["con.md", "nul.md", "aux.md", "lpt1.md"])
def test_windows_reserved_names_are_a_warning_and_strict_refuses_them(built_site: Path, name: str):
    """Rule: a warning (the URL is as the author chose), an error with --strict: a Windows
    checkout of output/ cannot hold a folder named con, nul, aux, com1 or lpt1."""
    add(built_site, name, seed("Reserved"))
    stem = name.removesuffix(".md")
    expected = (f"seeds/{name}:1: warning: the folder 2024/07/01/{stem}/ cannot be made on Windows "
                f"('{stem}' is reserved there)")
    assert expected in built_ok(built_site).stderr
    assert_build_fails(built_site, expected.replace("warning: ", ""), "--strict")


@pytest.mark.case("F6")
def test_a_windows_reserved_tag_is_a_warning(built_site: Path):
    add(built_site, "tagged.md", seed("Tagged", extra="tags: [Aux]\n"))
    assert "seeds/tagged.md:4: warning: the folder tags/aux/ cannot be made on Windows" in built_ok(built_site).stderr


@pytest.mark.case("F6")
def test_trailing_dots_and_spaces_never_reach_a_path(built_site: Path):
    add(built_site, "dotted..md", seed("Ends with a dot."))
    add(built_site, "spaced .md", seed("Ends with a space ", "2024-07-02"))
    built_ok(built_site)
    assert (built_site / "output/2024/07/01/dotted/index.html").is_file()
    assert (built_site / "output/2024/07/02/spaced/index.html").is_file()
    assert not [s for s in segments(built_site / "output") if s.endswith((".", " "))]


@pytest.mark.case("F7")
def test_odd_characters_in_file_names_give_working_links(built_site: Path):
    names = {"2024-07-01 talks #2?.md": "2024/07/01/talks-2/", "2024-07-02-100% agreed.md": "2024/07/02/100-agreed/",
             "2024-07-03-Zürich café.md": "2024/07/03/zurich-cafe/", "2024-07-04-a  b.md": "2024/07/04/a-b/"}
    for name in names:
        add(built_site, name, seed(f"Title of {name}", name[:10]))
    built_ok(built_site)
    index = (built_site / "output/index.html").read_text(encoding="utf-8")
    for page in names.values():
        assert f'href="{page}"' in index
    assert broken_links(built_site / "output", "/") == []
    checked = run_timeline("check", "--dir", "output", cwd=built_site)
    assert checked.returncode == 0, checked.stdout + checked.stderr


# G. Filesystem

@pytest.mark.case("G2")
def test_a_symlink_loop_in_the_seeds_is_an_error_not_a_hang(built_site: Path):
    """Rule: links are never followed, so a loop is reported like any symlink (the subprocess times out at 120 s)."""
    for folder in ("a", "b"):
        (built_site / "seeds" / folder).mkdir()
        (built_site / "seeds" / folder / "up").symlink_to("..")
    stderr = assert_build_fails(built_site, "seeds/a/up:1: symlink not allowed in the seeds folder")
    assert "seeds/b/up:1: symlink not allowed" in stderr
    found = snapshot([built_site / "seeds"])  # the preview's watcher: returns, links listed, not entered
    assert str(built_site / "seeds/a/up") in found and not any("/up/" in path for path in found)


@pytest.mark.case("G3")
@pytest.mark.parametrize("megabytes", [5, 50])
def test_a_huge_article_is_refused_by_size(built_site: Path, megabytes: int):
    with open(built_site / "seeds" / "huge.md", "wb") as file:
        file.write(seed("Huge").encode())
        file.truncate(megabytes * 1024 * 1024)  # sparse: quick to make, and never read whole
    assert_build_fails(built_site, f"seeds/huge.md:1: too large: {megabytes * 1024} KB (the limit is 1024 KB)")


@pytest.mark.case("G3")
def test_forty_thousand_brackets_are_refused_before_markdown_sees_them(built_site: Path):
    add(built_site, "brackets.md", seed("Brackets", body="[" * 40000 + "\n"))
    assert_build_fails(built_site, "seeds/brackets.md:8: a paragraph has 40000 '['")


@pytest.mark.case("G4")
@pytest.mark.parametrize("body", ["".join("    " * depth + "- item\n" for depth in range(300)), "> " * 1000 + "quoted\n",
                                  "<div>\n" * 300], ids=["list", "quotes", "html"])
def test_300_deep_lists_quotes_or_elements_are_an_error_naming_the_file(built_site: Path, body: str):
    add(built_site, "deep.md", seed("Deep", body=body))
    assert_build_fails(built_site, "seeds/deep.md:8: lists, quotes or HTML elements nested too deeply to convert")


@pytest.mark.case("G4")
@pytest.mark.parametrize("body", ["> " * 150 + "quoted\n", "".join("  " * d + "- item\n" for d in range(300))],
                         ids=["quotes", "lazy-list"])
def test_deep_quotes_and_lazily_indented_lists_give_bounded_pages(built_site: Path, body: str):
    add(built_site, "nested.md", seed("Nested", body=body))
    built_ok(built_site)
    assert (built_site / "output/2024/07/01/nested/index.html").stat().st_size < 100_000


def peak_rss_of_a_build(site: Path, articles: int) -> int:
    """Write ``articles`` small seeds, three a day, and build them in one process; its peak RSS in KB."""
    for i in range(articles):
        day = dt.date(2000, 1, 1) + dt.timedelta(days=i // 3)
        add(site, f"many/{day}-story-{i}.md", seed(f"Story {i}", str(day), body=f"The council met, day {i}.\n"))
    process = subprocess.Popen([sys.executable, "-m", "generator", "build", "-q", "--no-search", "--no-cache",
                                "-j", "1"], cwd=site, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)  # the rusage of this one build, not of every child so far
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read()
    process.stderr.close()
    assert process.returncode == 0, errors
    assert len(list((site / "output").glob("2*/*/*/story-*/index.html"))) == articles
    return usage.ru_maxrss


@pytest.mark.case("G5")
def test_ten_thousand_articles_build_in_roughly_linear_memory(tmp_path: Path):
    """About 12 s. Times and RSS for real corpora are bench/build_bench.py's; here only that
    10,000 articles complete and take under ten times the memory of 1,000 (so nothing quadratic)."""
    small = peak_rss_of_a_build(make_site(tmp_path / "small"), 1000)
    large = peak_rss_of_a_build(make_site(tmp_path / "large"), 10_000)
    assert large < 10 * small, f"1,000 articles: {small // 1024} MB; 10,000: {large // 1024} MB"


@pytest.mark.case("G6")
def test_a_folder_named_like_a_seed_is_an_error(built_site: Path):
    add(built_site, "x.md/inside.md", seed("Inside"))
    assert_build_fails(built_site, "seeds/x.md:1: a folder named like a seed file; rename it")


@pytest.mark.case("G6")
def test_a_named_pipe_is_refused_without_waiting_on_it(built_site: Path):
    os.mkfifo(built_site / "seeds" / "pipe.md")  # reading it would block the build for ever
    assert_build_fails(built_site, "seeds/pipe.md:1: not a regular file")


def _drop_root_file_access() -> None:
    """In the child: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH so root meets chmod 000 like anyone."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def no_root_bypass(monkeypatch):
    """Builds in this test run without root's permission bypass (tests run as root in CI)."""
    if os.geteuid() == 0:
        try:
            subprocess.run(["true"], preexec_fn=_drop_root_file_access, check=True)
        except (OSError, subprocess.SubprocessError) as exc:
            need(False, f"cannot drop root's file-access capabilities here: {exc}")  # fails under CI=true
        monkeypatch.setattr(subprocess, "run", functools.partial(subprocess.run, preexec_fn=_drop_root_file_access))


@pytest.mark.case("G6")
@pytest.mark.parametrize("what, args", [
    ("file", ()),
    ("folder", ()),  # also after a good build, when the cache might call it "nothing changed"
    ("folder", ("--no-cache",)),
])
def test_an_unreadable_file_or_folder_is_an_error_naming_it(built_site: Path, no_root_bypass, what: str,
                                                            args: tuple[str, ...]):
    target = add(built_site, "locked/story.md", seed("Locked"))
    target = target if what == "file" else target.parent
    target.chmod(0)
    try:
        expected = "seeds/locked/story.md:1: cannot read: Permission denied" if what == "file" else \
            "seeds/locked:1: cannot read folder: Permission denied"
        assert_build_fails(built_site, expected, *args)
    finally:
        target.chmod(0o755)


@pytest.mark.case("G7")
@pytest.mark.parametrize("how", ["deleted", "renamed"])
def test_a_seed_gone_during_the_build_is_an_error_and_output_is_kept(built_site: Path, monkeypatch, how: str):
    """Rule: a seed listed but gone when read is an error naming it; output/ stays as it was."""
    monkeypatch.chdir(built_site)
    victim = Path("seeds/2024-06-14-cafe-vote.md")
    real_open = os.open

    def vanish_then_open(path, flags, *args, **kwargs):  # the user's save lands between walk and read
        if Path(path) == victim and victim.exists():
            victim.unlink() if how == "deleted" else victim.rename("seeds/2024-06-14-renamed.md")
        return real_open(path, flags, *args, **kwargs)

    before = tree_hash(built_site / "output")
    monkeypatch.setattr(os, "open", vanish_then_open)
    with pytest.raises(BuildError) as caught:
        build(BuildOptions(search=False, cache_dir=None))
    monkeypatch.undo()
    assert [str(p) for p in caught.value.problems] == [
        "seeds/2024-06-14-cafe-vote.md:1: cannot read: No such file or directory"]
    assert tree_hash(built_site / "output") == before
    assert not list(built_site.glob(".output.*"))


EDITOR_FILES = [".#story.md", "story.md~", ".DS_Store", "story.md.swp", "#story.md#", "._story.md"]


@pytest.mark.case("G8")
def test_editor_and_system_files_are_ignored_and_listed_with_verbose(built_site: Path):
    """Rule (README, load.py): names starting with '.' or '_', ending in '~', '#…#', and swap or
    backup suffixes are never content; ``-v`` lists each one."""
    for name in EDITOR_FILES:
        add(built_site, name, "not an article \x00")
    (built_site / "seeds" / ".#lock.md").symlink_to("root@host.1234:1700000000")  # Emacs' dangling lock
    result = built_ok(built_site, "-v")
    for name in EDITOR_FILES + [".#lock.md"]:
        assert f"ignored: seeds/{name}\n" in result.stderr, name
    assert result.stdout.startswith("timeline: built 5 entries")


# E. Dates

def parsed_entry(name: str, date: str):
    return parse_seed(Path("/seeds") / name, Path("/seeds"), seed("T", date), MarkdownConverter(), Registry())[0]


@pytest.mark.case("E1")
def test_every_way_of_writing_a_date_gives_one_type():
    """Rule: YAML never types a date; our parser reads each one into a date (and a time of day)."""
    entries = [parsed_entry(f"{i}.md", date)
               for i, date in enumerate(["2024-01-02 10:00", "'2024-01-02'", "2024-01-02", "2024-01-02T10:00:00"])]
    assert {type(e.date) for e in entries} == {dt.date}
    assert [e.time for e in entries] == [dt.time(10, 0), None, None, dt.time(10, 0)]


@pytest.mark.case("E2")
def test_naive_timed_untimed_and_month_dates_sort_together_and_an_offset_is_refused():
    """Rule: times are local to the site's zone; an offset is a located error, never a mixed sort."""
    entries = [parsed_entry("a.md", "2024-01-02 10:00"), parsed_entry("b.md", "2024-01-02"),
               parsed_entry("c.md", "2024-01")]
    assert [e.slug for e in build_timeline(entries).entries] == ["c", "b", "a"]
    with pytest.raises(BuildError) as caught:
        parsed_entry("d.md", "2024-01-02T10:00:00+02:00")
    assert str(caught.value.problems[0]) == ("/seeds/d.md:3: date '2024-01-02T10:00:00+02:00' has a UTC offset; "
                                             "write the local time without it")


@pytest.mark.case("E5")
def test_time_zone_and_locale_leave_the_whole_tree_byte_identical(site: Path):
    """Beyond the golden HTML: feeds, exports and calendar too, under far-apart zones and locales."""
    runs = []
    for name, env in (("east", {"TZ": "Pacific/Kiritimati", "LC_ALL": "tr_TR.UTF-8"}),
                      ("west", {"TZ": "Etc/GMT+12", "LC_ALL": "C.UTF-8", "LANG": "de_DE.UTF-8"})):
        result = run_timeline("build", "--no-search", "--out", name, cwd=site, env=env)
        assert result.returncode == 0, result.stderr
        runs.append(tree_hash(site / name))
    assert runs[0] == runs[1]


# I. Templates

@pytest.mark.case("I3")
def test_templates_named_j2_are_autoescaped_too(built_site: Path):
    """Every page template moved into ``*.html.j2`` (included by name) still escapes a hostile title."""
    templates = built_site / "templates"
    for template in sorted(templates.glob("*.html")):
        if template.name != "base.html" and not template.name.startswith("_"):  # page templates, not partials
            shutil.move(template, template.with_name(template.name + ".j2"))
            template.write_text(f'{{% include "{template.name}.j2" %}}')
    add(built_site, "hostile.md", seed("<script>alert(1)</script>", extra="tags: ['<b>x</b>']\n"))
    built_ok(built_site)
    pages = {p: p.read_text(encoding="utf-8") for p in (built_site / "output").rglob("*.html")}
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in text for text in pages.values())
    assert [p for p, text in pages.items() if "<script>alert(1)" in text or "<b>x</b>" in text] == []


SAFE_ALLOWED = {("entry.html", "entry.body_html"), ("index.html", "now.body_html")}
"""The only values printed unescaped: an entry's body and where things stand (``_now.md``), both
Markdown converted and cleaned by nh3 (RELIABILITY default 1)."""
_SAFE_FILTER = re.compile(r"([\w.\[\]'\"]+)\s*\|\s*safe\b")
_UNESCAPED = re.compile(r"\bMarkup\s*\(|markupsafe|autoescape\s+false|autoescape\s*=\s*False")


def unescaped_uses(files: dict[str, str]) -> list[str]:
    """Every ``|safe``, ``Markup(`` or autoescape switch-off not in SAFE_ALLOWED, as 'file: text'."""
    found = []
    for name, text in files.items():
        found += [f"{name}: {m.group(0)}" for m in _SAFE_FILTER.finditer(text)
                  if (name, m.group(1)) not in SAFE_ALLOWED]
        found += [f"{name}: {m.group(0)}" for m in _UNESCAPED.finditer(text)]
    return found


@pytest.mark.case("I4")
def test_nothing_but_the_sanitised_body_is_printed_unescaped():
    repo = Path(__file__).resolve().parent.parent
    sources = {p.relative_to(repo / "templates").as_posix(): p.read_text(encoding="utf-8")
               for p in sorted((repo / "templates").rglob("*")) if p.is_file()}
    sources.update({f"generator/{p.name}": p.read_text(encoding="utf-8")
                    for p in sorted((repo / "generator").glob("*.py"))})
    assert unescaped_uses(sources) == []


@pytest.mark.case("I4")
def test_the_unescaped_lint_can_fail():
    assert unescaped_uses({"entry.html": "{{ entry.body_html | safe }}"}) == []
    assert unescaped_uses({"entry.html": "{{ entry.title|safe }}", "x.py": "Markup(title)",
                           "base.html": "{% autoescape false %}"}) == [
        "entry.html: entry.title|safe", "x.py: Markup(", "base.html: autoescape false"]
