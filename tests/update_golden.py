"""Regenerate the golden HTML of the fixture site: ``make golden`` (then review the diff!).

The golden files are reviewed output: after running this, read ``git diff tests/golden``
and commit only what you meant to change.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from conftest import make_site, run_timeline  # noqa: E402

GOLDEN = Path(__file__).parent / "golden" / "site"


def build_fixture(work: Path, *extra: str, env: dict | None = None) -> Path:
    """Build the fixture site in ``work`` and return its output folder."""
    site = make_site(work / "site")
    result = run_timeline("build", *extra, cwd=site, env=env)
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    return site / "output"


def html_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.html"))}


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        output = build_fixture(Path(work))
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, data in html_files(output).items():
            target = GOLDEN / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    print(f"wrote {GOLDEN}; review it with: git diff --stat -- tests/golden && git diff -- tests/golden")


if __name__ == "__main__":
    main()
