"""``timeline serve`` over real HTTP: serving, rebuilding, errors, and refusing what it must refuse."""

from __future__ import annotations

import base64
import gc
import http.client
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path

import pytest

from conftest import Server, run_timeline, touch_edit

from generator.serve import idle

GREYFORD = "seeds/2024-05-09-greyford-round-ends.md"
GREYFORD_PAGE = "/2024/05/09/greyford-round-ends/"


def test_serves_the_site_with_the_reload_client(server: Server):
    status, headers, body = server.get("/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"Lakeside Water Talks" in body and b'<script src="/livereload.js"></script>' in body
    status, headers, body = server.get("/style.css")
    assert (status, headers["Content-Type"]) == (200, "text/css; charset=utf-8")
    assert server.get("/favicon.svg")[1]["Content-Type"] == "image/svg+xml; charset=utf-8"
    status, headers, body = server.get("/livereload.js")
    assert status == 200 and b"LiveReload" in body
    assert not (server.site / "output").exists(), "serve builds in memory and never writes output/"


def test_an_edited_seed_appears_over_http(server: Server):
    touch_edit(server.site / GREYFORD, 'title: "Greyford round ends', 'title: "Edited: Greyford round ends')
    body = server.wait_for(GREYFORD_PAGE, "Edited: Greyford round ends")
    assert b"<h1>Edited: Greyford round ends" in body
    assert b"Edited: Greyford round ends" in server.get("/")[2]


def test_missing_pages_get_the_sites_404_page_and_directories_redirect(server: Server):
    status, _, body = server.get("/no/such/page/")
    assert status == 404 and b"Page not found" in body
    status, headers, _ = server.get("/actors")
    assert status == 301 and headers["Location"] == "/actors/"


@pytest.mark.case("J7")
def test_a_broken_seed_keeps_the_last_good_site_and_shows_the_error(server: Server):
    seed = server.site / GREYFORD
    touch_edit(seed, "date: 2024-05-09", "date: 2024-02-30")
    body = server.wait_for(GREYFORD_PAGE, "timeline-build-error")
    assert b"seeds/2024-05-09-greyford-round-ends.md:3: date &#x27;2024-02-30&#x27; is not a valid calendar date" \
        in body
    assert b"<h1>Greyford round ends" in body  # the last good page, under the error
    touch_edit(seed, "date: 2024-02-30", "date: 2024-05-09")
    server.wait_for(GREYFORD_PAGE, "timeline-build-error", present=False)
    assert server.process.poll() is None


@pytest.mark.case("L4")
def test_a_seed_too_slow_to_convert_is_stopped_in_the_preview_too(server: Server):
    """The preview builds in its main thread, where the conversion budget's timer can fire:
    a seed that would convert for minutes is an error on the page within seconds."""
    slow = server.site / "seeds" / "2024-05-10-slow.md"
    slow.write_text('---\ntitle: "Slow"\ndate: 2024-05-10\n---\n' + "\\*" * 200_000, encoding="utf-8")
    body = server.wait_for(GREYFORD_PAGE, "timeline-build-error", timeout=30)
    assert b"seeds/2024-05-10-slow.md:5: this article takes too long to convert (stopped after 1.5 s;" in body
    slow.unlink()
    server.wait_for(GREYFORD_PAGE, "timeline-build-error", present=False)
    assert server.process.poll() is None


def test_broken_template_and_config_are_shown_and_recovered(server: Server):
    template = server.site / "templates" / "entry.html"
    touch_edit(template, "{{ entry.title }}</h1>", "{{ entry.titel }}</h1>")
    body = server.wait_for(GREYFORD_PAGE, "timeline-build-error")
    assert b"templates/entry.html:" in body and b"titel" in body
    touch_edit(template, "{{ entry.titel }}</h1>", "{{ entry.title }}</h1>")
    server.wait_for(GREYFORD_PAGE, "timeline-build-error", present=False)
    config = server.site / "timeline.toml"
    touch_edit(config, 'language = "en-GB"', 'langauge = "en-GB"')
    body = server.wait_for("/", "timeline-build-error")
    assert b"timeline.toml:6: unknown config key &#x27;langauge&#x27;" in body
    touch_edit(config, 'langauge = "en-GB"', 'language = "en-GB"')
    server.wait_for("/", "timeline-build-error", present=False)


def test_a_page_first_asked_for_after_a_template_broke_is_made_with_the_last_good_templates(server: Server):
    """The preview makes a page when it is first asked for. The last good site is made with its own
    templates, whatever is on disk by then: after a seed edit (a site made on request) and then a
    broken template, a page not asked for until then is the last good one, under the error."""
    touch_edit(server.site / GREYFORD, 'title: "Greyford round ends', 'title: "Edited: Greyford round ends')
    server.wait_for(GREYFORD_PAGE, "Edited: Greyford round ends")
    touch_edit(server.site / "templates" / "entry.html", "{{ entry.title }}</h1>", "{{ entry.titel }}</h1>")
    server.wait_for(GREYFORD_PAGE, "timeline-build-error")
    status, _, body = server.get("/2025/01/10/first-figures/")  # asked for the first time now
    assert status == 200 and b"timeline-build-error" in body and b"titel" in body
    assert re.search(rb'<article class="entry"[^>]*>\s*<header[^>]*>.*?<h1>The river authority', body, re.DOTALL)


def test_a_page_whose_template_fails_on_edited_data_is_an_error_page_and_the_rest_is_served(site: Path):
    """With the templates as before, a seed edit can make only its own pages fail, found when asked for."""
    template = site / "templates" / "entry.html"
    touch_edit(template, "<h1>{{ entry.title }}</h1>",
               '<h1>{{ entry.title }}</h1>{% if "CRASH" in entry.title %}{{ entry.no_such_field }}{% endif %}')
    running = Server(site)
    try:
        touch_edit(site / GREYFORD, 'title: "Greyford round ends', 'title: "CRASH Greyford round ends')
        body = running.wait_for(GREYFORD_PAGE, "timeline-build-error")
        assert running.get(GREYFORD_PAGE)[0] == 500
        assert b"templates/entry.html:" in body and b"no_such_field" in body
        status, _, other = running.get("/2025/01/10/first-figures/")
        assert status == 200 and b"timeline-build-error" not in other
        touch_edit(site / GREYFORD, 'title: "CRASH Greyford round ends', 'title: "Greyford round ends')
        running.wait_for(GREYFORD_PAGE, "timeline-build-error", present=False)
        assert running.get(GREYFORD_PAGE)[0] == 200
    finally:
        running.stop()


TRAVERSALS = [
    "/../secret.txt", "/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/..%2fsecret.txt",
    "/..%2Fsecret.txt", "/%2e%2e%2fsecret.txt", "/%252e%252e/secret.txt", "/%252e%252e%252fsecret.txt",
    "/%25252e%25252e/secret.txt", "/.%2e/secret.txt", "/%2e./secret.txt", "/..\\secret.txt", "/..%5csecret.txt",
    "/%5c..%5csecret.txt", "/%00../secret.txt", "/index.html%00.txt", "/actors/../../secret.txt",
    "/actors/%2e%2e/%2e%2e/secret.txt", "//../secret.txt", "/./../secret.txt", "/%c0%ae%c0%ae/secret.txt",
    "//etc/passwd", "/.git/config", "/../timeline.toml", "/timeline.toml", "/seeds/_actors.toml",
    "/templates/base.html", "/%2e%2e/site/timeline.toml",
]


@pytest.mark.case("J2")
@pytest.mark.parametrize("path", TRAVERSALS)
def test_nothing_outside_the_build_is_ever_served(server: Server, path: str):
    (server.site.parent / "secret.txt").write_text("TOPSECRET")
    status, _, body = server.get(path)
    assert status in (403, 404), (path, status)
    for leaked in (b"TOPSECRET", b"root:", b"[[actor]]", b"{% block", b"[core]", b"description ="):
        assert leaked not in body, (path, leaked)


@pytest.mark.case("J3")
def test_a_static_symlink_pointing_outside_is_refused(tmp_path: Path, site: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    (site / "static" / "evil.txt").symlink_to(secret)
    (site / "output").mkdir()
    (site / "output" / "leak.txt").symlink_to(secret)  # the preview serves its build, never output/
    running = Server(site)
    try:
        for path in ("/evil.txt", "/leak.txt"):
            status, _, body = running.get(path)
            assert status in (403, 404, 500) and b"TOPSECRET" not in body, path
        assert b"static/evil.txt:1: symlink not allowed in the static folder" in running.get("/")[2]
    finally:
        running.stop()


@pytest.mark.case("J4")
def test_foreign_host_is_refused(server: Server):
    for host in ("evil.example", "evil.example:80", f"attacker.test:{server.port}", "127.0.0.1.evil.example"):
        status, _, body = server.get("/", headers={"Host": host})
        assert status == 403 and b"Lakeside" not in body, host
    assert server.get("/", headers={"Host": f"localhost:{server.port}"})[0] == 200


def _handshake(server: Server, origin: str | None, host: str | None = None,
               address: str = "127.0.0.1") -> tuple[int, socket.socket]:
    """A raw WebSocket upgrade of /livereload: (HTTP status, the open socket). ``host`` is the
    Host header (by default ``address:port``); no Origin header where ``origin`` is None."""
    key = base64.b64encode(os.urandom(16)).decode()
    sock = socket.create_connection((address, server.port), timeout=10)
    origin_line = "" if origin is None else f"Origin: {origin}\r\n"
    sock.sendall((f"GET /livereload HTTP/1.1\r\nHost: {host or f'{address}:{server.port}'}\r\n"
                  f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  f"Sec-WebSocket-Version: 13\r\n{origin_line}\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1024)
        if not chunk:
            break
        head += chunk
    return int(head.split(b" ")[1]), sock


def _upgrade(server: Server, origin: str | None, host: str | None = None, address: str = "127.0.0.1") -> int:
    status, sock = _handshake(server, origin, host, address)
    sock.close()
    return status


@pytest.mark.case("J5")
def test_reload_connections_from_a_foreign_origin_are_refused(server: Server):
    assert _upgrade(server, "http://evil.example") == 403
    assert _upgrade(server, f"http://evil.example:{server.port}") == 403
    assert _upgrade(server, f"http://127.0.0.1:{server.port}") == 101


@pytest.mark.case("L14")
def test_the_reload_socket_takes_only_the_previews_own_origin(server: Server):
    """The whole origin counts: a page on another port of this machine, the same address over
    https, a sandboxed or file:// page (``null``), or a page of the preview under its other name
    (a different origin to the browser) may not connect."""
    port = server.port
    for origin in (f"http://127.0.0.1:{port + 1}", "http://127.0.0.1", f"https://127.0.0.1:{port}", "null",
                   f"http://localhost:{port}", f"ws://127.0.0.1:{port}", f"http://127.0.0.1:{port}/x",
                   f"http://user@127.0.0.1:{port}", f"http://127.0.0.1:{port}:{port}", ""):
        assert _upgrade(server, origin) == 403, origin
    assert _upgrade(server, f"http://127.0.0.1:{port}") == 101
    assert _upgrade(server, f"http://localhost:{port}", host=f"localhost:{port}") == 101
    assert _upgrade(server, f"http://LOCALHOST:{port}", host=f"localhost:{port}") == 101  # names are case-free
    for host in ("evil.example", f"evil.example:{port}"):  # a client that sends no Origin still names a host
        assert _upgrade(server, None, host=host) == 403, host
    assert _upgrade(server, None) == 101


def _get_at(address: str, port: int, host: str) -> int:
    """The status of ``GET /`` sent to ``address`` with the Host header ``host``."""
    conn = http.client.HTTPConnection(address, port, timeout=10)
    try:
        conn.putrequest("GET", "/", skip_host=True)
        conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.mark.case("L14")
def test_listening_on_every_address_serves_and_reloads_at_this_machines_addresses(site: Path):
    """``--host 0.0.0.0``: a page opened at one of this machine's addresses (127.0.0.2 stands in
    for its LAN address) is served and its reload socket connects; names that could be rebound
    to this machine, and other origins, are still refused."""
    running = Server(site, "--host", "0.0.0.0")
    try:
        port = running.port
        assert _get_at("127.0.0.2", port, f"127.0.0.2:{port}") == 200
        assert _upgrade(running, f"http://127.0.0.2:{port}", address="127.0.0.2") == 101
        assert _get_at("127.0.0.2", port, f"evil.example:{port}") == 403
        assert _upgrade(running, f"http://127.0.0.2:{port + 1}", address="127.0.0.2") == 403
        assert _upgrade(running, f"http://evil.example:{port}", host=f"evil.example:{port}",
                        address="127.0.0.2") == 403
    finally:
        running.stop()


def _reload_socket(server: Server) -> socket.socket:
    status, sock = _handshake(server, f"http://127.0.0.1:{server.port}")
    assert status == 101
    return sock


def _closed_by_server(sock: socket.socket) -> bool:
    """Read until the server hangs up (True) or goes quiet for 10 s (False)."""
    try:
        while sock.recv(65536):
            pass
        return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    finally:
        sock.close()


def _rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0])


@pytest.mark.case("J6")
def test_garbage_huge_and_many_reload_connections_leave_the_server_up(server: Server):
    """Bad frames and a 10 MB frame close that connection only (frames are capped at 64 KB);
    1,000 open connections cost a bounded amount of memory and the site keeps being served."""
    garbage = _reload_socket(server)
    garbage.sendall(bytes(range(256)) * 16)  # unmasked, reserved bits, unknown opcodes
    assert _closed_by_server(garbage)
    huge = _reload_socket(server)
    size = 10 * 1024 * 1024
    try:
        huge.sendall(bytes([0x81, 0x80 | 127]) + size.to_bytes(8, "big") + b"mask")
        for _ in range(size // 65536):
            huge.sendall(b"\0" * 65536)
    except OSError:
        pass  # the server hung up part way: what it should do
    assert _closed_by_server(huge)
    before = _rss_kb(server.process.pid)
    many = [_reload_socket(server) for _ in range(1000)]
    try:
        assert server.get("/")[0] == 200
        grown_mb = (_rss_kb(server.process.pid) - before) / 1024
        assert grown_mb < 64, f"1,000 connections took {grown_mb:.0f} MB"
    finally:
        for sock in many:
            sock.close()
    assert server.get("/")[0] == 200 and server.process.poll() is None


@pytest.mark.case("J8")
def test_five_saves_in_two_seconds_end_on_the_last_over_http(server: Server):
    seed = server.site / GREYFORD
    current = "Greyford round ends"
    for n in range(1, 6):
        touch_edit(seed, current, f"Save {n} of five")
        current = f"Save {n} of five"
        time.sleep(0.4)
    server.wait_for(GREYFORD_PAGE, "Save 5 of five")
    time.sleep(1)  # nothing later may bring back an earlier save
    assert b"<h1>Save 5 of five" in server.get(GREYFORD_PAGE)[2]


@pytest.mark.case("J9")
def test_only_the_build_is_served_never_the_folder_it_runs_in(site: Path):
    """Run from a checkout: its .git, sources and notes are files on disk, not pages of the site."""
    (site / ".git").mkdir()
    (site / ".git" / "config").write_text("[core]\n\tSECRET-GIT\n")
    (site / "README.md").write_text("SECRET-README")
    (site / "index.html").write_text("SECRET-INDEX")  # a stray page at the root must not shadow the build
    running = Server(site)
    try:
        for path in ("/.git/config", "/README.md", "/timeline.toml", "/seeds/", "/templates/entry.html",
                     "/static/style.css", "/output/index.html"):
            status, _, body = running.get(path)
            assert status == 404 and b"SECRET" not in body and b"[[actor]]" not in body, path
        assert b"SECRET-INDEX" not in running.get("/")[2]
    finally:
        running.stop()


@pytest.mark.case("G2")
def test_a_symlink_loop_in_the_seeds_neither_hangs_nor_kills_the_preview(site: Path):
    for folder in ("a", "b"):
        (site / "seeds" / folder).mkdir()
        (site / "seeds" / folder / "up").symlink_to("..")
    running = Server(site)  # the first build and the watcher's first scan both return
    try:
        assert b"seeds/a/up:1: symlink not allowed in the seeds folder" in running.get("/")[2]
        for folder in ("a", "b"):
            (site / "seeds" / folder / "up").unlink()
        running.wait_for("/", "Lakeside Water Talks")
        running.wait_for("/", "timeline-build-error", present=False)
    finally:
        running.stop()


def _listening_addresses(port: int) -> list[str]:
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A = LISTEN
                found.append(address)
    return found


@pytest.mark.case("J1")
def test_default_listener_is_loopback_only(server: Server):
    addresses = _listening_addresses(server.port)
    assert addresses == ["0100007F"], addresses  # 127.0.0.1 and nothing else


def test_default_port_moves_on_when_8000_is_busy(site: Path):
    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", 8000))
        holder.listen()
    except OSError:
        pass  # something else already holds 8000: the fallback is exercised all the same
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve"], cwd=site,
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        lines = []
        while not any("serving http://" in line for line in lines):
            line = process.stderr.readline()
            assert line, "serve exited: " + "".join(lines)
            lines.append(line)
        text = "".join(lines)
        assert "port 8000 is busy; using 80" in text
        assert "serving http://127.0.0.1:8000/" not in text
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()
        holder.close()


def test_an_explicit_busy_port_is_a_one_line_error(site: Path):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        result = run_timeline("serve", "--port", str(port), cwd=site)
    finally:
        holder.close()
    assert result.returncode == 1
    assert result.stderr.strip() == f"timeline serve: port {port} on 127.0.0.1 is already in use; choose another with --port"


def test_preview_under_the_pages_sub_path(site: Path):
    running = Server(site, "--base-url", "https://user.github.io/REPO/")
    try:
        status, headers, _ = running.get("/")
        assert status == 302 and headers["Location"] == "/REPO/"
        status, _, body = running.get("/REPO/")
        assert status == 200 and b'href="2024/05/09/greyford-round-ends/"' in body
        assert running.get("/REPO" + GREYFORD_PAGE)[0] == 200
        assert running.get(GREYFORD_PAGE)[0] == 404
    finally:
        running.stop()


def test_drafts_are_previewed_only_when_asked(site: Path):
    (site / "seeds" / "2024-07-01-draft.md").write_text(
        "---\ntitle: Unfinished\ndate: 2024-07-01\ndraft: true\n---\nNot ready.\n")
    for args, status in (((), 404), (("--drafts",), 200)):
        running = Server(site, *args)
        try:
            assert running.get("/2024/07/01/draft/")[0] == status
        finally:
            running.stop()


@pytest.mark.case("J10")
def test_runs_with_every_warning_turned_into_an_error(site: Path):
    """Deprecated APIs (asyncio, tornado, datetime) would crash here on a newer Python (J10)."""
    running = Server(site, python_args=("-W", "error"))
    try:
        assert running.get("/")[0] == 200
        touch_edit(site / GREYFORD, "Greyford round ends", "Strict warnings")
        running.wait_for(GREYFORD_PAGE, "Strict warnings")
        assert running.process.poll() is None
    finally:
        running.stop()
    assert "Warning" not in running.log.read_text()


def test_a_seed_saved_during_the_first_build_is_not_missed(tmp_path: Path):
    """The watcher's first snapshot is taken before the first build, not after it: a seed
    saved while that build runs (read before the save, parsed for seconds after) is rebuilt."""
    from conftest import free_port, make_site

    seeds = tmp_path / "corpus"
    seeds.mkdir()
    for i in range(1500):  # a first build of a few seconds
        (seeds / f"2024-03-{1 + i % 28:02d}-story-{i}.md").write_text(
            f"---\ntitle: Story {i}\ndate: 2024-03-{1 + i % 28:02d}\n---\n" + "A paragraph of text. " * 60 + "\n")
    site = make_site(tmp_path / "site", seeds=seeds)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", str(port)], cwd=site,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)  # the first build has read the seeds and is parsing them
        assert process.poll() is None
        touch_edit(site / "seeds" / "2024-03-01-story-0.md", "title: Story 0", "title: Saved while building")
        while "serving http://" not in process.stderr.readline():
            assert process.poll() is None
        deadline = time.monotonic() + 30
        body = b""
        while b"Saved while building" not in body and time.monotonic() < deadline:
            time.sleep(0.2)
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.sendall(b"GET /2024/03/01/story-0/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                body = b"".join(iter(lambda: sock.recv(65536), b""))
        assert b"Saved while building" in body
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


class _Cycle:
    """An object that refers to itself: only the cycle collector frees it."""

    def __init__(self) -> None:
        self.me = self


def _cycle() -> weakref.ref:
    return weakref.ref(_Cycle())


def test_the_preview_collects_its_garbage_once_idle_and_before_every_few_rebuilds_in_a_row():
    garbage, changes = idle.Garbage(), queue.Queue()
    try:
        garbage.before_build()
        made = _cycle()
        assert not gc.isenabled() and made() is not None  # paused for the rebuild and the reload after it
        changes.put(["seeds/a.md"])
        assert garbage.wait(changes) == ["seeds/a.md"]  # a change at once: still paused, nothing collected
        assert not gc.isenabled() and made() is not None
        threading.Timer(idle.IDLE * 3, changes.put, [["seeds/b.md"]]).start()
        assert garbage.wait(changes) == ["seeds/b.md"]  # idle meanwhile: collected, then the change
        assert gc.isenabled() and made() is None and garbage.builds == 0
        for _ in range(idle.MOST):  # a writer who never pauses
            garbage.before_build()
            made = _cycle()
        assert made() is not None
        garbage.before_build()
        assert made() is None and not gc.isenabled() and garbage.builds == 1
    finally:
        gc.enable()
