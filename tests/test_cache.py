"""Builds that reuse a BuildCache (as the preview does) equal builds from scratch, byte for byte."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from conftest import site_digest, touch_edit
from generator.build import BuildCache, BuildOptions, build_site


def check_same(site: Path, cache: BuildCache, search: bool = True) -> dict[str, bytes]:
    """Build in the current folder (the site) with and without the cache; both must agree."""
    options = BuildOptions(search=search)
    cached = build_site(options, cache).files
    fresh = build_site(options).files
    cached_digest, fresh_digest = site_digest(cached), site_digest(fresh)  # Pagefind's filter order aside
    assert cached_digest.keys() == fresh_digest.keys()
    assert [name for name in fresh_digest if cached_digest[name] != fresh_digest[name]] == []
    return cached


@pytest.mark.parametrize("search", [True, False], ids=["search", "pages made on request, as the preview"])
def test_cached_rebuilds_match_fresh_builds_through_every_kind_of_change(site: Path, monkeypatch, search: bool):
    monkeypatch.chdir(site)
    cache = BuildCache()

    first = check_same(site, cache, search)
    seeds = site / "seeds"

    touch_edit(seeds / "2024-05-09-greyford-round-ends.md", "Greyford round ends", "Greyford talks end")
    after_edit = check_same(site, cache, search)
    changed = sorted(name for name in after_edit if after_edit[name] != first.get(name))
    assert "2024/05/09/greyford-round-ends/index.html" in changed and "index.html" in changed
    assert "2025/01/10/first-figures/index.html" not in changed  # untouched pages stay as they were

    (seeds / "2024-06-14-cafe-vote.md").unlink()
    after_delete = check_same(site, cache, search)
    assert "2024/06/14/cafe-vote/index.html" not in after_delete

    touch_edit(site / "templates" / "base.html", "Skip to content", "Skip to the content")
    assert b"Skip to the content" in check_same(site, cache, search)["2025/01/10/first-figures/index.html"]

    touch_edit(site / "templates" / "_entry_list.html", '<ol class="entry-list">', '<ol class="entry-list x">')
    assert b'class="entry-list x"' in check_same(site, cache, search)["actors/ada-lind/index.html"]

    touch_edit(seeds / "_actors.toml", 'name = "Ada Lind"', 'name = "Ada M. Lind"')
    assert b"Ada M. Lind" in check_same(site, cache, search)["2024/05/09/greyford-round-ends/index.html"]

    touch_edit(site / "timeline.toml", 'title = "Lakeside Water Talks"', 'title = "Lake Talks"')
    assert b"Lake Talks" in check_same(site, cache, search)["2025/01/10/first-figures/index.html"]


def test_a_build_with_nothing_to_do_prints_the_warnings_of_the_build_it_repeats(site: Path):
    """The manifest keeps the last result, warnings and all: a repeated build says what the first said."""
    from conftest import run_timeline

    (site / "seeds" / "2024-08-01-unsourced.md").write_text(
        "---\ntitle: A meeting nobody reported\ndate: 2024-08-01\n---\nThe two delegations met again.\n")
    first, second = run_timeline("build", cwd=site), run_timeline("build", cwd=site)
    warning = "seeds/2024-08-01-unsourced.md:1: warning: no sources: every entry should cite at least one report"
    assert first.returncode == second.returncode == 0 and warning in first.stderr
    assert "0 written" in second.stdout and second.stderr == first.stderr


def test_disk_cache_gives_the_same_site_and_survives_corruption(site: Path):
    from conftest import run_timeline, tree_hash

    fresh = run_timeline("build", "--no-cache", "--out", "fresh", cwd=site)
    assert fresh.returncode == 0
    first = run_timeline("build", cwd=site)
    assert first.returncode == 0 and list((site / ".timeline-cache").glob("entries-*.json"))
    second = run_timeline("build", cwd=site)
    assert "(0 written, 54 unchanged, 0 removed)" in second.stdout
    assert tree_hash(site / "output") == tree_hash(site / "fresh")

    for damage in (lambda b: b[: len(b) // 2], lambda b: b[:-1] + bytes([b[-1] ^ 1]), lambda b: b"garbage"):
        for cache_file in (site / ".timeline-cache").glob("*.json"):
            cache_file.write_bytes(damage(cache_file.read_bytes()))
        touch_edit(site / "seeds" / "2024-06-14-cafe-vote.md", "hall because", "hall, because")
        touch_edit(site / "seeds" / "2024-06-14-cafe-vote.md", "hall, because", "hall because")
        assert run_timeline("build", cwd=site).returncode == 0
        assert tree_hash(site / "output") == tree_hash(site / "fresh")


def test_a_cache_file_of_another_version_is_written_again(site: Path):
    """An entries file written by another version of the generator is ignored, and the next
    build writes it anew (its keys being the same is no reason to keep it), so the build
    after that finds every parsed seed again."""
    import json

    from conftest import run_timeline
    from generator import cache

    assert run_timeline("build", cwd=site).returncode == 0
    files = sorted((site / ".timeline-cache").glob("entries-*.json"))
    for path in files:
        data = json.loads(path.read_text())
        path.write_text(json.dumps({**data, "identity": "an older generator"}))
    touch_edit(site / "seeds" / "2024-06-14-cafe-vote.md", "hall because", "hall, because")
    assert run_timeline("build", cwd=site).returncode == 0
    identities = {json.loads(path.read_text())["identity"] for path in files if path.is_file()}
    assert identities == {cache.generator_identity()}
    saved = cache.load_parsed(site / ".timeline-cache", cache.load(site / ".timeline-cache"))
    assert len(saved.entries) == len([p for p in (site / "seeds").iterdir() if not p.name.startswith("_")])


def test_parallel_parsing_gives_the_same_site(tmp_path: Path):
    from conftest import make_site, run_timeline, tree_hash
    from generator.load.seeds import PARALLEL_THRESHOLD

    seeds = tmp_path / "many"
    seeds.mkdir()
    for i in range(PARALLEL_THRESHOLD + 20):
        day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
        if i % 2:
            (seeds / f"{day}-wire-{i}.txt").write_text(
                f"---\nsources:\n  - title: t\n    url: https://x.example/{i}\n---\n"
                f"date {day} Story number {i} happened. It had consequences.\n\nHeading {i}\n\nMore text.\n")
        else:
            (seeds / f"{day}-md-{i}.md").write_text(
                f"---\ntitle: Story {i}\ndate: {day}\nsources:\n  - title: t\n    url: https://x.example/{i}\n---\n"
                f"Body of story **{i}**.\n\n## Part\n\nMore.\n")
    (seeds / "bad.md").write_text("---\ntitle: Bad\n---\nNo date.\n")
    site = make_site(tmp_path / "site", seeds=seeds)
    one = run_timeline("build", "-j", "1", "--no-cache", "--out", "one", cwd=site)
    two = run_timeline("build", "-j", "2", "--no-cache", "--out", "two", cwd=site)
    assert one.returncode == two.returncode == 1
    assert one.stderr.replace("one/", "two/") == two.stderr
    assert "seeds/bad.md:1: missing required front matter key 'date'" in two.stderr
    (site / "seeds" / "bad.md").unlink()
    assert run_timeline("build", "-j", "1", "--no-cache", "--out", "one", cwd=site).returncode == 0
    assert run_timeline("build", "-j", "2", "--no-cache", "--out", "two", cwd=site).returncode == 0
    assert tree_hash(site / "one") == tree_hash(site / "two")


def test_parsing_workers_are_spawned_where_threads_run(tmp_path: Path):
    """The preview builds from threads, where a forked worker could inherit a held lock:
    there the workers are spawned, and parse the same entries."""
    import threading

    from generator.load.seeds import PARALLEL_THRESHOLD, load_entries
    from generator.load.markup import MarkdownConverter

    write_corpus(tmp_path / "seeds", PARALLEL_THRESHOLD + 10)
    alone = load_entries(tmp_path / "seeds", MarkdownConverter(), jobs=1)
    stop = threading.Event()
    waiting = threading.Thread(target=stop.wait)
    waiting.start()
    try:
        assert threading.active_count() > 1  # where forking is not safe
        spawned = load_entries(tmp_path / "seeds", MarkdownConverter(), jobs=2)
    finally:
        stop.set()
        waiting.join()
    assert len(spawned.entries) == PARALLEL_THRESHOLD + 10
    assert spawned.entries == alone.entries and spawned.warnings == alone.warnings


def write_corpus(seeds: Path, count: int) -> None:
    """A deterministic corpus in both seed shapes, with shared tags and several entries a day."""
    seeds.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        day = f"{2022 + i % 3}-{1 + i % 12:02d}-{1 + i % 27:02d}"
        source = f"sources:\n  - title: Report {i}\n    url: https://news.example/{i}\n    publisher: Wire\n"
        if i % 3 == 0:
            (seeds / f"{day}-wire-{i}.txt").write_text(
                f"---\n{source}tags: [talks, round-{i % 7}]\n---\n"
                f"date {day} Delegations met for round {i} of the talks. Both sides spoke after.\n\n"
                f"What was agreed\n\nA statement listed {i % 5} points.\n")
        else:
            (seeds / f"{day}-story-{i}.md").write_text(
                f"---\ntitle: Story number {i} of the talks\ndate: {day}\ntags: [talks, round-{i % 7}]\n{source}---\n"
                f"Body of story **{i}**, with a [link](https://news.example/{i}).\n\n## Details\n\nMore on {i}.\n")


@pytest.mark.case("H4")
def test_incremental_builds_equal_clean_builds_on_a_300_entry_corpus(tmp_path: Path):
    """After every kind of change, a build that reuses the cache and the last output is byte for
    byte a clean build (--no-cache into an empty folder); and a build with nothing to do writes nothing."""
    from conftest import make_site, run_timeline, tree_hash

    write_corpus(tmp_path / "corpus", 300)
    site = make_site(tmp_path / "site", seeds=tmp_path / "corpus")
    seeds, cache = site / "seeds", site / ".timeline-cache"

    def same_as_clean(*args: str) -> str:
        incremental = run_timeline("build", *args, cwd=site)
        assert incremental.returncode == 0, incremental.stderr
        shutil.rmtree(site / "clean", ignore_errors=True)
        clean = run_timeline("build", "--no-cache", "--out", "clean", *args, cwd=site)
        assert clean.returncode == 0, clean.stderr
        assert tree_hash(site / "output") == tree_hash(site / "clean")
        return incremental.stdout

    same_as_clean()
    assert "(0 written, " in same_as_clean() and "0 removed)" in same_as_clean()
    touch_edit(seeds / "2022-01-01-wire-0.txt", "Both sides spoke after.", "Both sides spoke later.")
    same_as_clean()
    touch_edit(seeds / "2023-02-02-story-1.md", "title: Story number 1 of", "title: Story one of")
    same_as_clean()
    assert "Story one of the talks" in (site / "output/2023/02/02/story-1/index.html").read_text()
    (seeds / "2024-03-03-story-2.md").unlink()
    (seeds / "2022-04-04-wire-3.txt").rename(seeds / "2022-04-04-wire-3-renamed.txt")
    assert "0 removed" not in same_as_clean()
    names = {p.name for p in (site / "output/2022/04/04").iterdir()}
    assert "wire-3-renamed" in names and "wire-3" not in names
    (seeds / "2025-01-01-new.md").write_text("---\ntitle: A new entry\ndate: 2025-01-01\n---\nNew.\n")
    same_as_clean()
    touch_edit(site / "templates" / "entry.html", "</article>", "</article>\n<!-- template edited -->")
    same_as_clean()
    assert "template edited" in (site / "output/2025/01/01/new/index.html").read_text()
    touch_edit(site / "static" / "style.css", "}", "} /* edited */")
    same_as_clean()
    touch_edit(site / "timeline.toml", 'title = "Lakeside Water Talks"', 'title = "Lake Talks"')
    same_as_clean()
    same_as_clean("--base-url", "https://user.github.io/REPO/")
    for pattern, damage in (("manifest.json", lambda b: b[:-1] + bytes([b[-1] ^ 1])),
                            ("entries-*.json", lambda b: b[: len(b) // 2])):
        damaged = list(cache.glob(pattern))
        assert damaged, pattern  # the cache still holds such files: the damage is real
        for path in damaged:
            path.write_bytes(damage(path.read_bytes()))
        same_as_clean("--base-url", "https://user.github.io/REPO/")
    # Hand edits to the output are undone, even when no input changed.
    (site / "output" / "index.html").write_text("tampered")
    shutil.rmtree(next((site / "output" / "2023").iterdir()))
    same_as_clean("--base-url", "https://user.github.io/REPO/")


def test_the_spare_site_is_brought_up_to_date_whatever_was_done_to_it(site: Path):
    """The site before last, kept in the cache folder and swapped in by the next build, is
    checked file by file: stray, changed, misplaced and linked files in it never reach output/."""
    from conftest import run_timeline, tree_hash

    seed = site / "seeds" / "2024-06-14-cafe-vote.md"
    assert run_timeline("build", cwd=site).returncode == 0
    touch_edit(seed, "hall because", "hall, because")
    assert run_timeline("build", cwd=site).returncode == 0
    spare = site / ".timeline-cache" / "spare-site"
    assert (spare / ".timeline-output").is_file() and not list(site.glob(".output.*"))
    (spare / "stray.html").write_text("not part of any build")
    (spare / "index.html").unlink()
    (spare / "index.html").write_text("changed in the spare")
    (spare / "feed.xml").unlink()
    (spare / "feed.xml").mkdir()  # a folder where the new site has a file
    (spare / "feed.xml" / "x.html").write_text("x")
    shutil.rmtree(spare / "2025")  # the other way: missing folders
    shutil.rmtree(spare / "tags")
    (spare / "tags").write_text("a file where the new site has a folder")
    (spare / "404.html").unlink()
    (spare / "404.html").symlink_to("/etc/passwd")
    # The search index's folder too: stray, changed and missing files and a shard no longer made.
    (spare / "pagefind" / "stray.pf_fragment").write_text("not of this index")
    (spare / "pagefind" / "pagefind-entry.json").unlink()
    (spare / "pagefind" / "pagefind-entry.json").write_text("{}")
    shutil.rmtree(spare / "pagefind" / "fragment")
    (spare / "pagefind" / "old-shard").mkdir()
    (spare / "pagefind" / "old-shard" / "pagefind-entry.json").write_text("{}")
    (site / "output" / "hand-made.html").write_text("added to output/ by hand")
    touch_edit(seed, "hall, because", "hall because")

    built = run_timeline("build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert not (site / "output" / "hand-made.html").exists()
    assert run_timeline("build", "--no-cache", "--out", "clean", cwd=site).returncode == 0
    assert tree_hash(site / "output") == tree_hash(site / "clean")
    touch_edit(seed, "hall because", "hall, because")
    assert run_timeline("build", cwd=site).returncode == 0  # the spare now holds the hand-made file's site
    shutil.rmtree(site / "clean")
    assert run_timeline("build", "--no-cache", "--out", "clean", cwd=site).returncode == 0
    assert tree_hash(site / "output") == tree_hash(site / "clean")
    assert not (site / "output" / "hand-made.html").exists()


def test_a_cache_on_another_file_system_stages_beside_the_output(site: Path, tmp_path: Path):
    """The spare is swapped with output/ by rename, which cannot cross file systems: with the
    cache on another one (here /dev/shm, a tmpfs) the build stages beside output/ as without a cache."""
    from conftest import run_timeline, tree_hash

    elsewhere = Path("/dev/shm") / f"timeline-cache-{tmp_path.name}"
    assert Path("/dev/shm").stat().st_dev != site.stat().st_dev, "this test needs /dev/shm on another file system"
    try:
        for _ in range(2):
            built = run_timeline("build", "--cache-dir", str(elsewhere), cwd=site)
            assert built.returncode == 0, built.stderr
        assert not (elsewhere / "spare-site").exists() and not list(site.glob(".output.*"))
        assert run_timeline("build", "--no-cache", "--out", "clean", cwd=site).returncode == 0
        assert tree_hash(site / "output") == tree_hash(site / "clean")
    finally:
        shutil.rmtree(elsewhere, ignore_errors=True)


def test_a_file_whose_stat_signature_is_unchanged_is_not_read_again(tmp_path: Path):
    """inputs_digest trusts a settled file's signature (size, times, inode) as git's index does,
    and reads any file whose signature differs, ctime included: restoring mtime hides nothing."""
    import os
    import time

    from generator.load.files import SETTLED_NS, content_digest, inputs_digest

    folder = tmp_path / "seeds"
    folder.mkdir()
    seed = folder / "a.md"
    seed.write_text("first text")
    assert inputs_digest((folder,), (), "").signatures == {}  # just written: not settled yet
    time.sleep(SETTLED_NS / 1e9 + 0.1)
    first = inputs_digest((folder,), (), "")
    assert first.contents == {str(seed): content_digest(b"first text")}
    signature = first.signatures[str(seed)][:4]

    bogus = {str(seed): [*signature, "b" * 40]}  # what the last build recorded, if it were wrong
    assert inputs_digest((folder,), (), "", bogus).contents[str(seed)] == "b" * 40  # trusted, not read

    before = os.stat(seed)
    seed.write_text("other text")  # same size, written in place (same inode)...
    os.utime(seed, ns=(before.st_atime_ns, before.st_mtime_ns))  # ...and its mtime put back
    after = inputs_digest((folder,), (), "", first.signatures)
    assert after.contents[str(seed)] == content_digest(b"other text")
    assert after.digest != first.digest




def test_every_field_of_an_entry_survives_the_disk_cache():
    """A field the cache forgot would come back as its default after the next edit (as
    milestones once did): every field is set to something else than its default here."""
    import dataclasses
    import datetime as dt

    import orjson

    from generator.cache import decode_parsed, encode_parsed
    from generator.errors import Problem
    from generator.model import Actor, Entry, Heading, Place, Role, Source, Tag

    entry = Entry(
        date=dt.date(2024, 5, 9), title="T", slug="t", summary="S", body_html="<p>B</p>", source_path="a/t.md",
        headings=(Heading(2, "h", "H"),), tags=(Tag("Truces", "truce", "truce", "Pauses in fighting."),),
        actors=(Actor("a", "A", ("AA",), "X", "person", "sum", (Role("PM", dt.date(2020, 1, 1), None),)),),
        places=(Place("p", "P", ("PP",), "Q"),), sources=(Source("s", "https://example.org/", "Pub", dt.date(2024, 5, 9)),),
        time=dt.time(9, 30), month_only=True, date_display="mid-May 2024", updated=dt.date(2024, 6, 1),
        update_note="n", draft=True, summary_in_body=True, milestone=True, milestone_label="L",
        figures=(("hostages-freed", 24),), thread="th", relation="counter", responds_to="u", thread_lines=(4, 5, 6))
    defaults = Entry(date=entry.date, title="", slug="", summary="", body_html="", source_path="")
    same = [f.name for f in dataclasses.fields(Entry) if getattr(entry, f.name) == getattr(defaults, f.name)
            and f.name not in ("date",)]
    assert same == [], "give these fields a non-default value in this test"
    parsed = (entry, (Problem("seeds/t.md", 3, "warning"),))
    assert decode_parsed(orjson.loads(orjson.dumps(encode_parsed(parsed)))) == parsed


class _Runs:
    """A pickle payload: unpickling it runs ``touch MARKER``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        import os
        return (os.system, (f"touch {self.marker}",))


def _wrong_shapes(identity: str) -> list[tuple[str, bytes]]:
    """Well-formed JSON cache files of this version whose values have the wrong shape."""
    import json

    def envelope(data: object) -> bytes:
        return json.dumps({"identity": identity, "data": data}).encode()

    manifest = [{"out_dir": []}, {"signatures": "seeds"}, {"signatures": {"seeds/a.md": "x"}},
                {"signatures": {"x": [1, 2, 3, 4]}}, {"digests": []}, {"digests": {"index.html": 5}},
                {"record": {"index.html": "abc"}}, {"record": []}, {"result": []},
                {"result": {"entries": "many", "pages": 1, "files": 1, "warnings": [], "ignored": []}},
                {"result": {"entries": 1, "pages": 1, "files": 1, "warnings": [["a", "b"]], "ignored": [3]}},
                {"search": {"": 5}}, {"search": ["x"]}, {"search": {"": "../../etc"}}]
    entries = [{"entries": []}, {"entries": "x"}, {"entries": {"k": "x"}}, {"entries": {"k": [{}, []]}},
               {"entries": {"k": [{"date": 5}, [["p", "one", "m"]]]}}]
    planted = [("manifest.json", envelope(data)) for data in manifest]
    planted += [(f"entries-{n:02d}.json", envelope(data)) for data in entries for n in range(16)]
    planted += [("manifest.json", json.dumps([identity, {}]).encode()),
                ("manifest.json", json.dumps({"identity": identity, "data": "text"}).encode())]
    return planted


@pytest.mark.case("L3")
def test_a_planted_cache_file_runs_nothing_and_a_wrong_shape_is_ignored(site: Path, tmp_path: Path):
    """Whatever sits in ``.timeline-cache/``: a pickle, YAML with a Python tag, or JSON of this
    version in the wrong shape, the build neither runs it nor fails on it, and makes the site
    a build without a cache makes."""
    import pickle

    from conftest import run_timeline, tree_hash
    from generator import cache

    assert run_timeline("build", "--no-cache", "--out", "fresh", cwd=site).returncode == 0
    expected = tree_hash(site / "fresh")
    marker = tmp_path / "ran"
    code = [("manifest.json", pickle.dumps(_Runs(marker))), ("entries-00.json", pickle.dumps(_Runs(marker))),
            ("manifest.pickle", pickle.dumps(_Runs(marker))), ("store-00.pickle", pickle.dumps(_Runs(marker))),
            ("manifest.json", f"!!python/object/apply:os.system ['touch {marker}']\n".encode()),
            ("entries-03.json", f"--- !!python/object/apply:os.system ['touch {marker}']\n".encode())]
    for number, (name, data) in enumerate(code + _wrong_shapes(cache.generator_identity())):
        assert run_timeline("build", cwd=site).returncode == 0
        (site / ".timeline-cache" / name).write_bytes(data)
        if number % 2:  # an edited seed as well: the planted file is read for the work too
            touch_edit(site / "seeds" / "2024-06-14-cafe-vote.md", "hall because", "hall, because")
            touch_edit(site / "seeds" / "2024-06-14-cafe-vote.md", "hall, because", "hall because")
        built = run_timeline("build", cwd=site)
        assert built.returncode == 0 and "Traceback" not in built.stderr, (name, data[:80], built.stderr)
        assert not marker.exists(), name
        assert tree_hash(site / "output") == expected, (name, data[:80])
    # The build's own manifest with its file signatures cut short or of the wrong type.
    import json
    manifest = site / ".timeline-cache" / "manifest.json"
    for damage in (lambda s: s[:4], lambda s: s[:4] + [5], lambda s: [str(n) for n in s]):
        time.sleep(2.1)  # the seeds settled, so the manifest keeps their signatures
        assert run_timeline("build", cwd=site).returncode == 0
        data = json.loads(manifest.read_text())
        assert data["data"]["signatures"]
        data["data"] = {**data["data"], "inputs": "", "signatures": {
            path: damage(value) for path, value in data["data"]["signatures"].items()}}
        manifest.write_text(json.dumps(data))
        built = run_timeline("build", cwd=site)
        assert built.returncode == 0 and "Traceback" not in built.stderr, built.stderr
        assert tree_hash(site / "output") == expected
