"""Shared helpers: run the real CLI in a subprocess, copy fixture sites, hash trees."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from browser import browser, page  # noqa: F401 (fixtures, defined once for every test module)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
FIXTURE_SITE = FIXTURES / "site"


def run_timeline(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m generator ARGS`` as a user would, capturing its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=120)


def make_site(root: Path, seeds: Path = FIXTURE_SITE / "seeds", config: Path = FIXTURE_SITE / "timeline.toml") -> Path:
    """A self-contained site folder: fixture seeds and config, the repo's templates and static."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(seeds, root / "seeds")
    shutil.copy(config, root / "timeline.toml")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    return root


UNORDERED = re.compile(r"(.*/)?pagefind/(.*/)?(filter/[^/]+\.pf_filter|pagefind\.[^/]+\.pf_meta|pagefind-entry\.json)")
"""Pagefind's filter indexes, and the files that name them by their hash: Pagefind 1.5 writes the
values of a filter in a random order on every run (its filters live in a Rust HashMap; "TODO:
Change filter indexes to BTree to give them a stable hash", pagefind/src/index/mod.rs)."""
PAGEFIND_HASH = re.compile(rb"_[0-9a-f]{7,}")
"""The hash part of a Pagefind file's name (``en_374a664``), in its path and in the files that name it."""


def site_digest(files: Mapping[str, bytes]) -> dict[str, str]:
    """{site path: sha256} of a site's files, byte for byte but for Pagefind's order-unstable
    files (``UNORDERED``), which are compared up to that order: each is unzipped, the hashes in
    it masked, and the digest taken of its bytes sorted, under its path with its hash masked (a
    folder's filter indexes together, their digests sorted). Every other file of the index, the
    fragments (each page's text, metadata and filters) and the word index among them, counts
    byte for byte."""
    result: dict[str, str] = {}
    for name in sorted(files):
        data = files[name]
        data = data if isinstance(data, bytes) else b"".join(data)  # a large data file comes as chunks
        if UNORDERED.fullmatch(name):
            data = gzip.decompress(data) if data.startswith(b"\x1f\x8b") else data
            key = PAGEFIND_HASH.sub(b"#", name.encode()).decode()
            digest = hashlib.sha256(bytes(sorted(PAGEFIND_HASH.sub(b"#", data)))).hexdigest()
            result[key] = " ".join(sorted(result.get(key, "").split() + [digest]))
        else:
            result[name] = hashlib.sha256(data).hexdigest()
    return result


def tree_hash(root: Path) -> dict[str, str]:
    """{relative path: sha256} of every file below root (symlinks recorded as their target),
    Pagefind's order-unstable files up to that order (``site_digest``)."""
    links = {p.relative_to(root).as_posix(): "link:" + os.readlink(p) for p in root.rglob("*") if p.is_symlink()}
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
             if p.is_file() and not p.is_symlink()}
    return dict(sorted({**site_digest(files), **links}.items()))


@pytest.fixture(scope="session")
def fixture_sites(tmp_path_factory):
    """The fixture site built once per test run, with its search index, at / and under /REPO/,
    each served over HTTP like GitHub Pages: {base: (its URL, its output folder)}. Shared by
    the reader tests; nothing may change its files."""
    import pages_server  # a test helper module, as the reader tests import it

    served, servers = {}, []
    for base in ("/", "/REPO/"):
        site = make_site(tmp_path_factory.mktemp("fixture-site") / "site")
        result = run_timeline("build", "--base-url", base, cwd=site)
        assert result.returncode == 0, result.stderr
        server, url = pages_server.start(site / "output", base)
        servers.append(server)
        served[base] = (url + base, site / "output")
    yield served
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A fresh copy of the fixture site."""
    return make_site(tmp_path / "site")


@pytest.fixture
def built_site(site: Path) -> Path:
    """The fixture site after one good build."""
    result = run_timeline("build", cwd=site)
    assert result.returncode == 0, result.stderr
    return site


def assert_build_fails(site: Path, expected: str, *args: str, env: dict | None = None) -> str:
    """Build ``site`` expecting the RELIABILITY.md "error" outcome; returns stderr.

    That outcome is: exit 1, ``expected`` (usually ``relpath:line: message``) in stderr, no
    traceback, the seeds folder and the previous output/ byte-identical, no staging left.
    """
    seeds_before = tree_hash(site / "seeds")
    output_before = tree_hash(site / "output")
    result = run_timeline("build", *args, cwd=site, env=env)
    assert result.returncode == 1, result.stderr
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert tree_hash(site / "seeds") == seeds_before
    assert tree_hash(site / "output") == output_before
    assert not list(site.glob(".output.*")), "a staging folder was left behind"
    return result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A real ``timeline serve`` subprocess on a free port."""

    def __init__(self, site: Path, *args: str, python_args: tuple[str, ...] = ()):
        self.site = site
        self.port = free_port()
        self.log = site.parent / f"serve-{self.port}.log"
        self._log_file = open(self.log, "w")
        self.process = subprocess.Popen(
            [sys.executable, *python_args, "-m", "generator", "serve", "--port", str(self.port), *args],
            cwd=site, stdout=subprocess.DEVNULL, stderr=self._log_file, text=True)
        deadline = time.monotonic() + 30
        while "serving http://" not in self.log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"serve did not start:\n{self.log.read_text()}")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        """A raw GET: the path is sent exactly as given, never normalised by a client library."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", (headers or {}).get("Host", f"127.0.0.1:{self.port}"))
            for name, value in (headers or {}).items():
                if name != "Host":
                    conn.putheader(name, value)
            conn.endheaders()
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def wait_for(self, path: str, text: str, present: bool = True, timeout: float = 15) -> bytes:
        """Poll a page until ``text`` appears (or disappears) in it."""
        deadline = time.monotonic() + timeout
        while True:
            body = self.get(path)[2]
            if (text.encode() in body) == present or time.monotonic() > deadline:
                assert (text.encode() in body) == present, f"{text!r} {'never appeared' if present else 'stayed'}"
                return body
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log_file.close()


@pytest.fixture
def server(site: Path):
    running = Server(site)
    yield running
    running.stop()


def touch_edit(path: Path, old: str, new: str) -> None:
    """Edit a file as an editor would, making sure its stat data changes."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    before = path.stat().st_mtime_ns
    path.write_text(text.replace(old, new), encoding="utf-8")
    if path.stat().st_mtime_ns == before:  # coarse-clock file systems
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))
