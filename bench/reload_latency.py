"""Edit-to-reload latency of ``timeline serve``, and its rebuild time next to ``hugo server``'s.

Runs the real server and headless Chromium (Playwright, /usr/bin/chromium). For each
corpus size it edits one article's title several times and times, for each edit,
the moment the reloaded page shows the new title: its first contentful paint, read from the
browser's own clock (the test driver's poll for the title, also given, notices it later). It also reads the rebuild time the
server reports for each edit ("built … in X s": from the change seen to the new site
in memory, the seeds' scan included), and runs the shared kit's
``peers/watch_rebuild.py hugo N`` for the rebuild time ``hugo server`` reports for a
one-article edit of the same corpus (needs ``peers.sh setup`` and the Hugo corpus,
which ``build_bench.py`` makes). Prints a Markdown table.

    .venv/bin/python bench/reload_latency.py [--sizes 100 1000] [--edits 15]
"""

from __future__ import annotations

import argparse
import queue
import re
import socket
import subprocess
import sys
import threading
import time

from common import REPO, SHARED, USER_ENV, WORK, machine, make_site, median, mixed_corpus

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


BUILT = re.compile(r"built \d+ entries, \d+ pages(?:, \d+ warnings?)? in ([\d.]+) s")
"""The server's line for each rebuild; it counts warnings when there are any (the corpus has no sources)."""


def measure(count: int, edits: int, browser) -> tuple[list[float], list[float], list[float]]:
    """Edit-to-reload latencies (to the reloaded page's first paint, and to the test driver seeing
    its new title) and the server's own rebuild times, one of each per edit."""
    site = make_site(f"reload-{count}", mixed_corpus(count))
    target = sorted((site / "seeds").glob("*.md"))[count // 4]
    text = target.read_text()
    slug = re.search(r"^slug: (.+)$", text, re.M).group(1).strip()
    day = re.search(r"^date: (\d{4})-(\d{2})-(\d{2})$", text, re.M).groups()
    title_line = re.search(r"^title: .+$", text, re.M).group(0)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", str(port)],
                              cwd=site, stderr=subprocess.PIPE, text=True, env=USER_ENV)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stderr], daemon=True).start()

    def rebuilt() -> float:
        while True:
            found = BUILT.search(lines.get(timeout=120))
            if found:
                return float(found.group(1))

    try:
        while "serving http://" not in lines.get(timeout=600):
            pass
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/{'/'.join(day)}/{slug}/")
        page.wait_for_timeout(500)
        latencies, seen, rebuilds = [], [], []
        while not lines.empty():
            lines.get()
        for n in range(edits):
            marker = f"Benchmark edit {n}"
            started, wall = time.perf_counter(), time.time()
            target.write_text(text.replace(title_line, f'title: "{marker}"'))
            page.wait_for_function(f"document.querySelector('h1') && document.querySelector('h1')"
                                   f".textContent === {marker!r}", timeout=60000, polling="raf")
            seen.append(time.perf_counter() - started)
            # Shown: the reloaded document's first contentful paint, which holds its h1, on the
            # browser's own clock; the test driver's poll above notices it 80-100 ms later.
            painted = page.evaluate("() => performance.timeOrigin + "
                                    "performance.getEntriesByName('first-contentful-paint')[0].startTime")
            latencies.append(painted / 1000 - wall)
            rebuilds.append(rebuilt())
            page.wait_for_timeout(300)
        page.close()
        return latencies, seen, rebuilds
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
            latencies, seen, rebuilds = measure(count, args.edits, browser)
            latencies.sort()
            rows.append((count, median(latencies), latencies[int(len(latencies) * 0.9) - 1], latencies[-1],
                         median(seen), median(rebuilds), hugo_server(count)))
            print(f"{count} entries: median {rows[-1][1]:.3f} s, rebuild {rows[-1][5]:.3f} s", file=sys.stderr)
        browser.close()
    print(f"Edit-to-reload latency of `timeline serve` ({machine()}; {args.edits} edits per size). "
          "Rebuild: the median time the server reports for an edit (ours: from the change seen to the new "
          "site in memory; Hugo's: `hugo server`'s own figure, from the shared kit's watch_rebuild.py, "
          "5 edits of one article).\n")
    print("| entries | edit to reload (first paint): median | p90 | max | seen by the test driver: median "
          "| rebuild in `timeline serve` | rebuild in `hugo server` |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for count, med, p90, worst, seen, rebuild, hugo in rows:
        theirs = f"{hugo:.3f} s" if hugo is not None else "not measured (peers not set up)"
        print(f"| {count:,} | {med:.3f} s | {p90:.3f} s | {worst:.3f} s | {seen:.3f} s | {rebuild:.3f} s | {theirs} |")


def hugo_server(count: int) -> float | None:
    """``hugo server``'s median rebuild for a one-article edit, from the shared kit's script."""
    script = SHARED / "bench" / "peers" / "watch_rebuild.py"
    if not (WORK / f"corpus/hugo-{count}").is_dir() or not script.is_file():
        return None
    run = subprocess.run([sys.executable, str(script), "hugo", str(count)], capture_output=True, text=True)
    found = re.search(r"median rebuild: (\d+) ms", run.stdout)
    if not found:
        print(f"watch_rebuild.py hugo {count} failed: {run.stdout[-300:]} {run.stderr[-300:]}", file=sys.stderr)
        return None
    return int(found.group(1)) / 1000


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
