"""A local HTTP server that serves a folder under a sub-path the way GitHub Pages does.

``/REPO/dir/`` -> ``dir/index.html``; ``/REPO/dir`` -> 301 to ``/REPO/dir/``; anything
missing -> the site's ``404.html`` with status 404. Real sockets, real HTTP.
"""

from __future__ import annotations

import http.server
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit


def start(folder: Path, base_path: str = "/REPO/") -> tuple[http.server.ThreadingHTTPServer, str]:
    root = folder.resolve()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = unquote(urlsplit(self.path).path)
            target = None
            if path.startswith(base_path):
                candidate = (root / path[len(base_path):]).resolve()
                if candidate == root or root in candidate.parents:
                    target = candidate
            if target is not None and target.is_dir():
                if not path.endswith("/"):
                    self.send_response(301)
                    self.send_header("Location", path + "/")
                    self.end_headers()
                    return
                target = target / "index.html"
            if target is not None and target.is_file():
                kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                self._send(200, target.read_bytes(), kind)
            else:
                self._send(404, (root / "404.html").read_bytes(), "text/html")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
