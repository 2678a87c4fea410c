"""The preview's additions to a served page: the live-reload client, and an overlay of the
latest build's problems over the last good page while the sources are broken."""

from __future__ import annotations

import html

from generator.errors import Problem


def _overlay(problems: tuple[Problem, ...]) -> str:
    lines = "\n".join(html.escape(str(p)) for p in problems)
    return (
        '<div id="timeline-build-error" role="alert" style="position:sticky;top:0;z-index:2147483647;'
        "margin:0;padding:1rem 1.25rem;background:#7a0b0b;color:#fff;font:15px/1.45 system-ui,sans-serif;"
        'box-shadow:0 2px 8px rgba(0,0,0,.4)"><strong>The site did not build.</strong> '
        "Showing the last good version. Fix the file and save: this page reloads by itself."
        f'<pre style="white-space:pre-wrap;margin:.6rem 0 0;font:14px/1.4 ui-monospace,monospace">{lines}</pre>'
        "</div>"
    )


def decorate(body: bytes, problems: tuple[Problem, ...]) -> bytes:
    """Add the live-reload client, and the build errors when the latest build failed."""
    text = body.decode("utf-8")
    script = '<script src="/livereload.js"></script>'
    text = text.replace("</body>", f"{script}\n</body>", 1) if "</body>" in text else text + script
    if problems:
        head, sep, rest = text.partition("<body")
        if sep:
            tag_end = rest.index(">") + 1
            text = head + sep + rest[:tag_end] + _overlay(problems) + rest[tag_end:]
        else:
            text = _overlay(problems) + text
    return text.encode("utf-8")


def error_document(problems: tuple[Problem, ...], said: str = "Nothing has been built yet.") -> bytes:
    page = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title>"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head><body>"
            f"<main><h1>Build failed</h1><p>{said}</p></main></body></html>")
    return decorate(page.encode("utf-8"), problems or (Problem("?", 1, "no site built yet"),))
