"""Starting a site of one's own: ``timeline init``, ``timeline new``, the bundled theme and its
overrides, ``-C``/``--config`` from another folder, and what a folder without a site is told.
Every command runs as a real subprocess."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from conftest import REPO, run_timeline
from generator import DISTRIBUTION, __version__
from generator.scaffold import STARTER

MADE = sorted(STARTER.values())


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_init_makes_a_site_that_builds_checks_and_serves_with_no_arguments(tmp_path: Path):
    site = tmp_path / "new-site"
    made = run_timeline("init", str(site), "--title", 'Talks "2025"', "--base-url", "https://u.github.io/r/",
                        "--timezone", "Europe/Paris", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert files_in(site) == MADE
    config = tomllib.loads((site / "timeline.toml").read_text())
    assert (config["title"], config["base_url"], config["timezone"]) == ('Talks "2025"', "https://u.github.io/r/",
                                                                        "Europe/Paris")
    assert len(config["eras"]) == 1
    built = run_timeline("build", cwd=site)
    assert built.returncode == 0 and built.stderr == "", built.stderr
    assert built.stdout.startswith("timeline: built 2 entries, ")
    checked = run_timeline("check", cwd=site)
    assert checked.returncode == 0 and checked.stdout.rstrip().endswith(", 0 problems"), checked.stdout + checked.stderr
    page = (site / "output/2025/01/16/example-second-round/index.html").read_text()
    assert "Example: a second round of talks ends in Example City" in page  # the wire shape's title
    assert f'<meta name="generator" content="Timeline {__version__}">' in page
    assert (site / ".gitignore").read_text().splitlines()[1:] == ["/output/", "/.output.*", ".timeline-cache/"]


def test_the_generated_workflow_is_this_repositorys_installing_the_package(tmp_path: Path):
    assert run_timeline("init", "s", cwd=tmp_path).returncode == 0
    ours = (REPO / ".github/workflows/pages.yml").read_text()
    theirs = (tmp_path / "s/.github/workflows/pages.yml").read_text()
    install = f'python -m pip install "{DISTRIBUTION}=={__version__}"'
    assert theirs == ours.replace("python -m pip install .", install)
    steps = yaml.safe_load(theirs)["jobs"]["build"]["steps"]
    assert [s["run"] for s in steps if s.get("name") == "Install Timeline"] == [install]


def test_init_refuses_a_folder_with_files_and_force_only_adds(tmp_path: Path):
    site = tmp_path / "s"
    (site / "seeds").mkdir(parents=True)
    (site / "timeline.toml").write_text('title = "Mine"\ndescription = "Kept."\n')
    refused = run_timeline("init", str(site), cwd=tmp_path)
    assert refused.returncode == 1 and files_in(site) == ["timeline.toml"]
    assert refused.stderr == (f"timeline init: {site}: the folder is not empty; `timeline init --force` adds only "
                              "the files that are missing, never overwriting one\n")
    forced = run_timeline("init", str(site), "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert files_in(site) == MADE and (site / "timeline.toml").read_text() == 'title = "Mine"\ndescription = "Kept."\n'
    assert "(5 files made, 1 kept)" in forced.stdout


def test_init_refuses_a_bad_zone_or_address_as_a_usage_error(tmp_path: Path):
    zone = run_timeline("init", "s", "--timezone", "Mars/Base", cwd=tmp_path)
    assert zone.returncode == 2 and "unknown time zone 'Mars/Base'" in zone.stderr
    address = run_timeline("init", "s", "--base-url", "ftp://x/", cwd=tmp_path)
    assert address.returncode == 2 and "base_url must be http(s)" in address.stderr
    assert not (tmp_path / "s").exists()


def test_new_writes_an_entry_in_either_shape_dated_today_in_the_sites_zone(tmp_path: Path):
    site = tmp_path / "s"
    assert run_timeline("init", str(site), "--timezone", "Pacific/Kiritimati", cwd=tmp_path).returncode == 0
    today = dt.datetime.now(ZoneInfo("Pacific/Kiritimati")).date()  # UTC+14: often a day ahead of UTC
    md = run_timeline("new", "Talks resume in Doha", cwd=site)
    assert md.returncode == 0, md.stderr
    assert md.stdout == f"seeds/{today.isoformat()}-talks-resume-in-doha.md\n"
    text = (site / md.stdout.strip()).read_text()
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta == {"title": "Talks resume in Doha", "date": today, "tags": [], "actors": [], "places": [],
                    "sources": []}
    assert "# summary:" in text and "#  - title:" in text  # the empty summary and the sources stub
    txt = run_timeline("new", "A second look", "--txt", "--date", "2025-02-01", cwd=site)
    assert txt.stdout == "seeds/2025-02-01-second-look.txt\n", txt.stderr
    assert "\ndate 2025-02-01 A second look. " in (site / "seeds/2025-02-01-second-look.txt").read_text()
    built = run_timeline("build", "--future", cwd=site)
    assert built.returncode == 0 and built.stdout.startswith("timeline: built 4 entries, "), built.stderr
    assert (site / f"output/{today.isoformat().replace('-', '/')}/talks-resume-in-doha/index.html").is_file()
    assert "no sources" in built.stderr  # a stub is a warning until the writer cites a report


def test_new_refuses_to_overwrite_and_a_slug_another_entry_has(tmp_path: Path):
    site = tmp_path / "s"
    assert run_timeline("init", str(site), cwd=tmp_path).returncode == 0
    first = run_timeline("new", "Talks resume", "--date", "2025-03-01", cwd=site)
    assert first.returncode == 0
    again = run_timeline("new", "Talks resume", "--date", "2025-03-01", cwd=site)
    assert again.returncode == 1
    assert again.stderr == "timeline new: seeds/2025-03-01-talks-resume.md: already exists; nothing was written\n"
    other_day = run_timeline("new", "Talks resume!", "--date", "2025-03-02", cwd=site)
    assert other_day.returncode == 1
    assert other_day.stderr == ("timeline new: seeds/2025-03-02-talks-resume.md: the slug 'talks-resume' is already "
                                "used by seeds/2025-03-01-talks-resume.md; choose another title\n")
    assert not (site / "seeds/2025-03-02-talks-resume.md").exists()


def test_a_site_overrides_the_bundled_theme_file_by_file(tmp_path: Path):
    site = tmp_path / "s"
    assert run_timeline("init", str(site), cwd=tmp_path).returncode == 0
    entry = (REPO / "templates/entry.html").read_text()
    (site / "templates").mkdir()
    (site / "templates/entry.html").write_text(entry.replace("<h1>{{ entry.title }}</h1>",
                                                             '<h1 class="mine">{{ entry.title }}</h1>'))
    (site / "static").mkdir()
    (site / "static/extra.css").write_text("h1.mine { color: teal; }\n")
    assert run_timeline("build", cwd=site).returncode == 0
    out = site / "output"
    assert '<h1 class="mine">' in (out / "2025/01/15/example-talks-open/index.html").read_text()
    assert "mine" not in (out / "index.html").read_text()  # the other templates are the theme's
    assert (out / "extra.css").read_text() == "h1.mine { color: teal; }\n"
    assert (out / "style.css").read_bytes() == (REPO / "static/style.css").read_bytes()
    listed = run_timeline("theme", cwd=site)
    assert "templates: bundled theme at " in listed.stdout and "the site overrides entry.html" in listed.stdout


def test_theme_copy_adds_the_whole_theme_and_keeps_the_sites_files(tmp_path: Path):
    site = tmp_path / "s"
    assert run_timeline("init", str(site), cwd=tmp_path).returncode == 0
    (site / "templates").mkdir()
    (site / "templates/entry.html").write_text("{% extends 'base.html' %}")
    copied = run_timeline("theme", "--copy", cwd=site)
    assert copied.returncode == 0, copied.stderr
    theme = files_in(REPO / "templates") + files_in(REPO / "static")
    assert files_in(site / "templates") + files_in(site / "static") == theme
    assert (site / "templates/entry.html").read_text() == "{% extends 'base.html' %}"
    assert copied.stdout == f"timeline theme: {len(theme) - 1} files copied, 1 of the site's own kept\n"


def test_every_command_works_on_a_site_elsewhere(tmp_path: Path):
    assert run_timeline("init", "far/away", cwd=tmp_path).returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    by_config = run_timeline("check", "--config", "../far/away/timeline.toml", "-q", cwd=elsewhere)
    assert by_config.returncode == 0 and by_config.stdout == "", by_config.stdout + by_config.stderr
    new = run_timeline("-C", "../far/away", "new", "From afar", "--date", "2025-01-20", cwd=elsewhere)
    assert new.returncode == 0 and new.stdout == "../far/away/seeds/2025-01-20-from-afar.md\n", new.stderr
    built = run_timeline("build", "-C", "../far/away", cwd=elsewhere)
    assert built.returncode == 0 and "-> ../far/away/output/ " in built.stdout, built.stderr
    assert not (elsewhere / "output").exists() and not (elsewhere / ".timeline-cache").exists()
    assert files_in(elsewhere) == []


def test_a_folder_without_a_site_is_told_how_to_start_with_every_missing_piece_at_once(tmp_path: Path):
    result = run_timeline("build", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "timeline.toml:1: no timeline.toml in this folder: run `timeline init` to start a site, or pass --config",
        "seeds:1: seeds folder not found",
        "timeline: build failed with 2 errors; output/ left as it was"]
    new = run_timeline("new", "Something", cwd=tmp_path)
    assert new.returncode == 1 and new.stderr.startswith("timeline new: timeline.toml:1: no timeline.toml in this folder")


def test_one_entry_is_counted_as_one(tmp_path: Path):
    site = tmp_path / "s"
    assert run_timeline("init", str(site), cwd=tmp_path).returncode == 0
    (site / "seeds/2025-01-16-example-second-round.txt").unlink()
    assert run_timeline("build", cwd=site).stdout.startswith("timeline: built 1 entry, ")


def test_the_preview_counts_warnings_and_lists_them_with_verbose(tmp_path: Path):
    from conftest import Server

    site = tmp_path / "s"
    assert run_timeline("init", str(site), cwd=tmp_path).returncode == 0
    assert run_timeline("new", "No sources yet", "--date", "2025-01-20", cwd=site).returncode == 0
    for args, listed in (((), False), (("-v",), True)):
        running = Server(site, *args)
        try:
            log = running.log.read_text()
        finally:
            running.stop()
        assert "timeline serve: built 3 entries, " in log and ", 1 warning in " in log, log
        line = "seeds/2025-01-20-no-sources-yet.md:1: warning: no sources"
        assert (line in log) == listed, log


def test_init_new_and_theme_take_quiet_and_verbose(tmp_path: Path):
    site = tmp_path / "s"
    assert run_timeline("init", str(site), "-q", cwd=tmp_path).stdout == ""
    again = run_timeline("init", str(site), "--force", "-v", cwd=tmp_path)
    assert "kept s/timeline.toml" in again.stdout.splitlines() and "(0 files made, 6 kept)" in again.stdout
    quiet = run_timeline("new", "Quietly", "--date", "2025-02-01", "-q", cwd=site)
    assert quiet.returncode == 0 and quiet.stdout == "" and (site / "seeds/2025-02-01-quietly.md").is_file()
    loud = run_timeline("new", "Loudly", "--date", "2025-02-02", "-v", cwd=site)
    assert loud.stdout == "seeds/2025-02-02-loudly.md\ndated 2025-02-02: as --date gave\n"
    copied = run_timeline("theme", "--copy", "-v", cwd=site).stdout.splitlines()
    assert "copied templates/entry.html" in copied and copied[-1].startswith("timeline theme: ")
