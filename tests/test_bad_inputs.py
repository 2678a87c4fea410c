"""Every bad seed in tests/fixtures/bad gives its expected `path:line: message`, exit 1, and loses nothing."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from conftest import FIXTURES, run_timeline, tree_hash

BAD = FIXTURES / "bad"
EXPECTED = tomllib.loads((BAD / "expected.toml").read_text(encoding="utf-8"))
CASES = {  # the RELIABILITY.md case each fixture covers
    "source-url.md": pytest.mark.case("A8"),
    "broken-yaml.md": pytest.mark.case("B1"),
    "unclosed-quote.md": pytest.mark.case("B1"),
    "unclosed.md": pytest.mark.case("B2"),
    "front-matter-list.md": pytest.mark.case("B3"),
    "python-tag.md": pytest.mark.case("B5"),
    "duplicate-key.md": pytest.mark.case("B8"),
    "title-bool.md": pytest.mark.case("B9"),
    "no-date.md": pytest.mark.case("B10"),
    "slug-traversal.md": pytest.mark.case("B12"),
    "empty.md": pytest.mark.case("C1"),
    "no-date-line.txt": pytest.mark.case("C2"),
    "impossible-date.txt": pytest.mark.case("C4"),
    "latin1.txt": pytest.mark.case("D2"),
    "utf16.txt": pytest.mark.case("D3"),
    "binary.md": pytest.mark.case("D6"),
}


@pytest.mark.parametrize("name", [pytest.param(name, marks=CASES.get(name, ())) for name in sorted(EXPECTED)])
def test_bad_seed_is_reported_and_nothing_is_lost(built_site: Path, name: str):
    shutil.copy(BAD / name, built_site / "seeds" / name)
    seeds_before = tree_hash(built_site / "seeds")
    output_before = tree_hash(built_site / "output")

    result = run_timeline("build", cwd=built_site)

    assert result.returncode == 1
    line, message = EXPECTED[name].split(": ", 1)
    assert f"seeds/{name}:{line}: {message}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert tree_hash(built_site / "output") == output_before
    assert tree_hash(built_site / "seeds") == seeds_before
    assert not list(built_site.glob(".output.*")), "a staging folder was left behind"


def test_all_problems_are_reported_in_one_run(built_site: Path):
    for name in EXPECTED:
        shutil.copy(BAD / name, built_site / "seeds" / name)
    result = run_timeline("build", cwd=built_site)
    assert result.returncode == 1
    for name, expected in EXPECTED.items():
        line, message = expected.split(": ", 1)
        assert f"seeds/{name}:{line}: {message}" in result.stderr
    assert f"build failed with {len(EXPECTED)} errors" in result.stderr


def test_duplicate_slug_names_both_files(built_site: Path):
    shutil.copy(BAD / "slug-one.md", built_site / "seeds" / "a.md")
    shutil.copy(BAD / "slug-one.md", built_site / "seeds" / "b.md")
    result = run_timeline("build", cwd=built_site)
    assert result.returncode == 1
    assert ("seeds/b.md:1: slug 'shared-name' is already used by seeds/a.md; "
            "rename one file or set 'slug:' in its front matter") in result.stderr


@pytest.mark.case("B5")
def test_nothing_was_executed_by_a_yaml_tag(built_site: Path):
    marker = Path("/tmp/pwned-by-timeline")
    marker.unlink(missing_ok=True)
    shutil.copy(BAD / "python-tag.md", built_site / "seeds" / "python-tag.md")
    assert run_timeline("build", cwd=built_site).returncode == 1
    assert not marker.exists()


@pytest.mark.case("I1")
def test_template_error_names_the_template_line(built_site: Path):
    template = built_site / "templates" / "entry.html"
    lines = template.read_text().splitlines(keepends=True)
    lines.insert(3, "{{ entry.titel }}\n")
    template.write_text("".join(lines))
    before = tree_hash(built_site / "output")
    result = run_timeline("build", cwd=built_site)
    assert result.returncode == 1
    assert "templates/entry.html:4: template error: " in result.stderr and "titel" in result.stderr
    assert tree_hash(built_site / "output") == before


@pytest.mark.case("I2")
def test_template_syntax_error_names_the_template_line(built_site: Path):
    template = built_site / "templates" / "index.html"
    template.write_text(template.read_text().replace("{% endfor %}", "{% endfo %}", 1))
    result = run_timeline("build", cwd=built_site)
    assert result.returncode == 1
    assert "templates/index.html:" in result.stderr and "template syntax error" in result.stderr


@pytest.mark.parametrize("config, line, message", [
    ('title = "T"\ndescription = "D"\ntitel = "x"\n', 3, "unknown config key 'titel'"),
    ('title = "T"\n', 1, "missing required config key 'description'"),
    ('title = "T"\ndescription = "D"\nbase_url = "ftp://x/"\n', 3, "base_url must be http(s)"),
    ('title = "T"\ndescription = "D"\ntimezone = "Mars/Olympus"\n', 3, "unknown timezone 'Mars/Olympus'"),
    ('title = "T"\ndescription = [1]\n', 2, "config key 'description' must be a string"),
    ('title = "T\ndescription = "D"\n', 1, "invalid TOML"),
])
def test_bad_config_is_reported_with_its_line(built_site: Path, config: str, line: int, message: str):
    (built_site / "timeline.toml").write_text(config)
    before = tree_hash(built_site / "output")
    result = run_timeline("build", cwd=built_site)
    assert result.returncode == 1
    assert f"timeline.toml:{line}: {message}" in result.stderr, result.stderr
    assert tree_hash(built_site / "output") == before


def test_refuses_to_replace_a_folder_it_did_not_create(site: Path):
    foreign = site / "output"
    foreign.mkdir()
    (foreign / "precious.txt").write_text("keep me")
    result = run_timeline("build", cwd=site)
    assert result.returncode == 1
    assert "output:1: refusing to replace a non-empty folder that timeline did not create" in result.stderr
    assert (foreign / "precious.txt").read_text() == "keep me"


@pytest.mark.case("G1")
def test_symlinked_seed_is_refused_and_never_read(built_site: Path, tmp_path: Path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\ndate: 2024-01-01\n---\nTOP SECRET\n")
    (built_site / "seeds" / "link.md").symlink_to(secret)
    result = run_timeline("build", cwd=built_site)
    assert result.returncode == 1
    assert "seeds/link.md:1: symlink not allowed in the seeds folder" in result.stderr
    assert "TOP SECRET" not in "".join(p.read_text() for p in (built_site / "output").rglob("*.html"))
