"""``timeline serve``: build in memory, serve on loopback, rebuild on every change, reload the browser.

Builds run in the main thread, where a seed's conversion budget (``load.budget``) can stop one
that takes too long, its garbage collected when idle (``idle``); the server and the watcher run
on an event loop in a thread of their own, so pages are served while a build runs.

The browser side is livereload's own client (``livereload.js`` from the livereload package)
speaking the LiveReload protocol. The server side is ours, on tornado (livereload's server),
because livereload 2.7.1's ``Server`` falls short of what a preview must promise: it drops a
reload that comes within 3 s of the previous one, checks neither ``Host`` nor ``Origin``, serves
files from disk with traversal and symlink pitfalls, and hangs on symlink loops. Here the site is
served from the build's in-memory file map, so nothing outside the build can ever be served.
"""

from __future__ import annotations

import asyncio
import errno
import json
import mimetypes
import queue
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

import livereload
import tornado.httpserver
import tornado.netutil
import tornado.web
import tornado.websocket

from generator.build import BuildCache, BuildOptions, build_site
from generator.config import load_config
from generator.errors import BuildError, Problem, printable
from generator.serve.idle import Garbage
from generator.serve.overlay import decorate, error_document
from generator.serve.requests import LOOPBACK_HOSTS, allowed_hosts, host_allowed, is_traversal, own_origin
from generator.serve.watch import Snapshot, snapshot, watch

DEFAULT_PORT = 8000
PORT_TRIES = 20
CLIENT_SCRIPT = Path(livereload.__file__).parent / "vendors" / "livereload.js"
PROTOCOL_7 = "http://livereload.com/protocols/official-7"
VERSION_COOKIE = "timeline_build"

TYPES = {".svg": "image/svg+xml", ".webmanifest": "application/manifest+json", ".js": "text/javascript"}
"""Types this preview serves whatever the system's MIME tables say (they differ between machines)."""


class ServeError(Exception):
    """The server cannot start (busy port, bad address): one line for the user."""


class Preview:
    """The state of one preview session: the last good site, the last build's problems, the browsers."""

    def __init__(self, options: BuildOptions, allowed_hosts: frozenset[str], quiet: bool = False,
                 verbose: bool = False):
        self.options = options
        self.allowed_hosts = allowed_hosts
        self.quiet, self.verbose = quiet, verbose
        self.base_path = urlsplit(options.base_url or "/").path or "/"
        self.cache = BuildCache()
        self.files: Mapping[str, bytes] = {}
        """The last good build, each file made when first asked for; kept while the sources are broken."""
        self.problems: tuple[Problem, ...] = ()
        """Problems of the latest build; empty when it succeeded."""
        self.version = 0
        """Counts builds, so a page served before the latest one can be told to reload."""
        self.sockets: set[ReloadSocket] = set()

    def watched(self) -> list[Path]:
        """Everything a build reads, and nothing it writes (output/ is never watched)."""
        o = self.options
        return [o.seeds_dir, o.templates_dir, o.static_dir, o.config_path]

    def rebuild(self) -> None:
        """Build once; on failure keep the last good site and remember the problems."""
        started = time.perf_counter()  # the seeds' scan included: the whole rebuild is what the writer waits for
        try:
            site = build_site(self.options, self.cache)
        except BuildError as exc:
            self.problems = exc.problems
            self.version += 1
            self.say("build failed:\n" + "\n".join(str(p) for p in exc.problems))
            return
        self.files, self.problems = site.files, ()
        self.version += 1
        r = site.result
        noted = f", {len(r.warnings)} warning{'s' * (len(r.warnings) != 1)}" if r.warnings else ""
        self.say(f"built {r.entries} entr{'y' if r.entries == 1 else 'ies'}, {r.pages} pages{noted} "
                 f"in {time.perf_counter() - started:.2f} s")
        for warning in r.warnings if self.verbose else ():
            self.say(f"{warning.path}:{warning.line}: warning: {warning.message}")

    def say(self, message: str) -> None:
        if not self.quiet:
            print(f"timeline serve: {message}", file=sys.stderr, flush=True)

    def reload_browsers(self) -> None:
        message = json.dumps({"command": "reload", "path": "/", "liveCSS": False})
        for sock in list(self.sockets):
            try:
                sock.write_message(message)
            except tornado.websocket.WebSocketClosedError:
                self.sockets.discard(sock)

    def build_on_changes(self, changes: queue.Queue[list[str]], loop: asyncio.AbstractEventLoop) -> None:
        """In the main thread: rebuild after each burst of changes (those that came during the
        last build included, in one build), then reload the browsers on the event loop."""
        garbage = Garbage()
        while True:
            paths = _or_raise(garbage.wait(changes))
            while not changes.empty():
                paths += _or_raise(changes.get_nowait())
            self.say("changed: " + ", ".join(printable(name) for name in sorted(set(paths))[:5]))
            garbage.before_build()
            self.rebuild()
            loop.call_soon_threadsafe(self.reload_browsers)


class Guarded(tornado.web.RequestHandler):
    """Refuses requests whose Host is not ours before anything else runs."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def prepare(self) -> None:
        if not host_allowed(self.request.headers.get("Host"), self.preview.allowed_hosts):
            self.send_error(403, reason="Host not allowed")

    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")

    def write_error(self, status_code: int, **kwargs) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")


class SiteHandler(Guarded):
    """Serves the in-memory site like GitHub Pages: ``dir/`` -> ``dir/index.html``, missing -> 404.html."""

    async def get(self) -> None:
        self._serve(include_body=True)

    async def head(self) -> None:
        self._serve(include_body=False)

    def _serve(self, include_body: bool) -> None:
        preview = self.preview
        raw = self.request.path
        if is_traversal(raw):
            self.send_error(403, reason="Forbidden path")
            return
        path = unquote(raw)
        base = preview.base_path
        if path == "/" and base != "/":
            self.redirect(base)
            return
        if not path.startswith(base):
            self._respond(404, "404.html", include_body)
            return
        rel = path[len(base):]
        name = rel + "index.html" if rel == "" or rel.endswith("/") else rel
        if name in preview.files:
            self._respond(200, name, include_body)
        elif f"{rel}/index.html" in preview.files:
            self.redirect(raw + "/", permanent=True)
        else:
            self._respond(404, "404.html", include_body)

    def _respond(self, status: int, name: str, include_body: bool) -> None:
        preview = self.preview
        if not preview.files:  # no good build yet: the errors are the page
            status, body, kind = 500, error_document(preview.problems), "text/html; charset=utf-8"
        else:
            try:
                body = preview.files.get(name, b"<!doctype html><title>Not found</title><h1>Not found</h1>")
            except BuildError as exc:  # its template failed on data that changed since the templates last did
                status, name, body = 500, "error.html", error_document(tuple(exc.problems), "This page failed.")
            kind = _content_type(name)
            if kind.startswith("text/html"):
                body = decorate(body, preview.problems)
                self.set_cookie(VERSION_COOKIE, str(preview.version), path="/", samesite="Strict")
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self.set_header("Content-Length", str(len(body)))
        if include_body:
            self.write(body)
        self.finish()


class ScriptHandler(Guarded):
    """livereload's browser client, from the livereload package."""

    def get(self) -> None:
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "max-age=3600")  # it never changes while serving
        self.write(CLIENT_SCRIPT.read_bytes())


class ReloadSocket(tornado.websocket.WebSocketHandler):
    """The LiveReload protocol's server side: hello, then a reload after every build."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def prepare(self) -> None:
        """Only pages served by this preview may connect (no cross-site WebSocket hijacking).

        Checked here, before tornado's own check: tornado (6.6) takes an Origin whose host and
        port match the Host as same-origin whatever its scheme, and calls ``check_origin`` only
        for the others. A client that sends no Origin (not a browser) still needs our Host."""
        origin, host = self.request.headers.get("Origin"), self.request.headers.get("Host")
        if not host_allowed(host, self.preview.allowed_hosts):
            self.send_error(403, reason="Host not allowed")
        elif origin is not None and not own_origin(origin, host, self.preview.allowed_hosts):
            self.send_error(403, reason="Origin not allowed")

    def check_origin(self, origin: str) -> bool:
        return own_origin(origin, self.request.headers.get("Host"), self.preview.allowed_hosts)

    def open(self) -> None:
        self.preview.sockets.add(self)

    def on_message(self, message: str | bytes) -> None:
        try:
            data = json.loads(message)
        except (ValueError, TypeError):
            return
        if isinstance(data, dict) and data.get("command") == "hello":
            self.write_message(json.dumps({"command": "hello", "protocols": [PROTOCOL_7],
                                           "serverName": "timeline"}))
            # A page served before the latest build (it finished while the page was
            # loading) would otherwise never learn about it: reload it now.
            seen = self.get_cookie(VERSION_COOKIE)
            if seen is not None and seen != str(self.preview.version):
                self.write_message(json.dumps({"command": "reload", "path": "/", "liveCSS": False}))

    def on_close(self) -> None:
        self.preview.sockets.discard(self)


def _content_type(name: str) -> str:
    kind = TYPES.get(Path(name).suffix.lower()) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/json", "image/svg+xml", "application/xml"):
        kind += "; charset=utf-8"
    return kind


def make_app(preview: Preview) -> tornado.web.Application:
    handlers = [
        (r"/livereload", ReloadSocket, {"preview": preview}),
        (r"/livereload\.js", ScriptHandler, {"preview": preview}),
        (r".*", SiteHandler, {"preview": preview}),
    ]
    return tornado.web.Application(handlers, websocket_max_message_size=64 * 1024,
                                   websocket_ping_interval=20, compress_response=False)


def bind(host: str, port: int | None) -> tuple[list[socket.socket], int]:
    """Listening sockets on ``host``; the default port moves on to the next free one."""
    tries = [port] if port is not None else list(range(DEFAULT_PORT, DEFAULT_PORT + PORT_TRIES))
    for candidate in tries:
        try:
            return tornado.netutil.bind_sockets(candidate, address=host), candidate
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                if port is not None:
                    raise ServeError(f"port {port} on {host} is already in use; choose another with --port") from None
                continue
            raise ServeError(f"cannot listen on {host}:{candidate}: {exc.strerror or exc}") from None
    raise ServeError(f"ports {tries[0]} to {tries[-1]} on {host} are all in use; choose one with --port")


def preview_base_url(options: BuildOptions) -> str:
    """The base *path* to preview under: from --base-url, else from the config (errors show later)."""
    if options.base_url:
        return urlsplit(options.base_url).path or "/"
    try:
        return load_config(options.config_path).base_path
    except BuildError:
        return "/"


def serve(options: BuildOptions, host: str = "127.0.0.1", port: int | None = None,
          open_browser: bool = False, quiet: bool = False, verbose: bool = False, poll: bool = False) -> int:
    """Run the preview until interrupted. Returns the exit code."""
    options = replace(options, base_url=preview_base_url(options), search=False)
    preview = Preview(options, allowed_hosts(host), quiet=quiet, verbose=verbose)
    sockets, bound_port = bind(host, port)
    if port is None and bound_port != DEFAULT_PORT:
        preview.say(f"port {DEFAULT_PORT} is busy; using {bound_port}")
    if host not in LOOPBACK_HOSTS:
        preview.say(f"warning: listening on {host}, reachable from other machines")
    before = snapshot(preview.watched())  # for polling, which may also be the fallback: taken before the first build
    changes: queue.Queue[list[str]] = queue.Queue()
    started: queue.Queue[asyncio.AbstractEventLoop] = queue.Queue()
    first_built = threading.Event()
    threading.Thread(target=_loop_thread, args=(preview, sockets, changes, poll, before, started, first_built),
                     name="timeline-serve", daemon=True).start()
    loop = _or_raise(started.get())  # the watcher is running: a file saved during the first build is seen
    preview.rebuild()
    first_built.set()
    url = f"http://{f'[{host}]' if ':' in host else host}:{bound_port}{preview.base_path}"
    print(f"timeline serve: serving {url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    if open_browser:
        webbrowser.open(url)
    try:
        preview.build_on_changes(changes, loop)
    except KeyboardInterrupt:
        print("timeline serve: stopped", file=sys.stderr)
    return 0


def _or_raise(item):
    """What the event loop's thread sent, or the error that ended it, raised here."""
    if isinstance(item, BaseException):
        raise ServeError(f"the server stopped: {printable(str(item) or type(item).__name__)}")
    return item


def _loop_thread(preview: Preview, sockets: list[socket.socket], changes: queue.Queue, poll: bool, before: Snapshot,
                 started: queue.Queue, first_built: threading.Event) -> None:
    """Run the event loop; an error that ends it reaches the main thread, which waits on both queues."""
    try:
        asyncio.run(_run(preview, sockets, changes, poll, before, started, first_built))
    except BaseException as exc:  # noqa: BLE001 - whatever it was, the main thread must not wait forever
        started.put(exc)
        changes.put(exc)


async def _run(preview: Preview, sockets: list[socket.socket], changes: queue.Queue[list[str]], poll: bool,
               before: Snapshot, started: queue.Queue[asyncio.AbstractEventLoop], first_built: threading.Event) -> None:
    """The event loop's thread: watch at once, serve once the first build is done."""
    watcher = asyncio.create_task(watch(preview.watched(), changes.put, poll, preview.say, before))
    await asyncio.sleep(0)  # the watcher has started
    started.put(asyncio.get_running_loop())
    await asyncio.to_thread(first_built.wait)
    tornado.httpserver.HTTPServer(make_app(preview), xheaders=False).add_sockets(sockets)  # the loop holds it
    await watcher
