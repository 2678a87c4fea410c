"""Edit-to-reload latency of ``timeline serve``: from the file write to the browser showing the change.

Runs the real server and headless Chromium (Playwright, /usr/bin/chromium). For each
corpus size it edits one article's title several times and times, for each edit,
the moment the reloaded page shows the new title. Prints a Markdown table.

    .venv/bin/python bench/reload_latency.py [--sizes 100 1000] [--edits 15]
"""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import sys
import time

from common import REPO, machine, make_site, median, mixed_corpus

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(count: int, edits: int, browser) -> list[float]:
    site = make_site(f"reload-{count}", mixed_corpus(count))
    target = sorted((site / "seeds").glob("*.md"))[count // 4]
    text = target.read_text()
    slug = re.search(r"^slug: (.+)$", text, re.M).group(1).strip()
    day = re.search(r"^date: (\d{4})-(\d{2})-(\d{2})$", text, re.M).groups()
    title_line = re.search(r"^title: .+$", text, re.M).group(0)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", str(port), "-q"],
                              cwd=site, stderr=subprocess.PIPE, text=True)
    try:
        while "serving http://" not in server.stderr.readline():
            pass
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/{'/'.join(day)}/{slug}/")
        page.wait_for_timeout(500)
        latencies = []
        for n in range(edits):
            marker = f"Benchmark edit {n}"
            started = time.perf_counter()
            target.write_text(text.replace(title_line, f'title: "{marker}"'))
            page.wait_for_function(f"document.querySelector('h1') && document.querySelector('h1')"
                                   f".textContent === {marker!r}", timeout=60000, polling="raf")
            latencies.append(time.perf_counter() - started)
            page.wait_for_timeout(300)
        page.close()
        return latencies
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--edits", type=int, default=15)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for count in args.sizes:
            latencies = sorted(measure(count, args.edits, browser))
            rows.append((count, median(latencies), latencies[int(len(latencies) * 0.9) - 1], latencies[-1]))
            print(f"{count} entries: median {rows[-1][1]:.3f} s", file=sys.stderr)
        browser.close()
    print(f"Edit-to-reload latency of `timeline serve` ({machine()}; {args.edits} edits per size)\n")
    print("| entries | median | p90 | max |")
    print("| ---: | ---: | ---: | ---: |")
    for count, med, p90, worst in rows:
        print(f"| {count:,} | {med:.3f} s | {p90:.3f} s | {worst:.3f} s |")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
