"""How long one seed takes to read, against its size, for each Markdown and plain-text construct.

Each construct is a short unit repeated up to a size (5, 10, 20, 40, 80, 100 KB by default) and put in
a seed, either a ``.md`` with front matter or a ``.txt`` in the wire shape; the seed goes through
``parse_seed``, the reader a build uses, so a refusal (``BuildError``) is timed as well. ``--raw``
times ``MarkdownConverter.convert`` alone instead, without the checks before it, to show how a
construct grows when nothing stops it. A construct stops growing once one size takes over
``--limit`` seconds, since the next would take four times as long if it is quadratic.

    .venv/bin/python bench/markdown_growth.py            # every construct, the reader as a build runs it
    .venv/bin/python bench/markdown_growth.py --raw -k setext -k autolink
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.errors import BuildError  # noqa: E402
from generator.load.markup import MarkdownConverter  # noqa: E402
from generator.load.registry import Registry  # noqa: E402
from generator.load.seeds import parse_seed  # noqa: E402

FRONT = "---\ntitle: T\ndate: 2024-01-01\n---\n"
WIRE = "date 2024-01-01 A lede sentence.\n\n"

# name -> (format, unit, prefix): the body is prefix + unit repeated to the size.
CONSTRUCTS: dict[str, tuple[str, str, str]] = {
    "setext =": ("md", "x\n=\n", ""),
    "setext -": ("md", "x\n-\n", ""),
    "atx same": ("md", "# a\n", ""),
    "atx h2 same": ("md", "## a\n\n", ""),
    "atx distinct": ("md", "", ""),  # filled below: "## h1\n", "## h2\n", …
    "atx _1 ids": ("md", "", ""),  # "## a_1", "## a_2" …, the ids the TOC's dedupe makes
    "autolink <http://a": ("md", "<http://a", ""),
    "autolink closed": ("md", "<http://a> ", ""),
    "<a": ("md", "<a", ""),
    "<a href=": ("md", '<a href="', ""),
    "<!--": ("md", "<!--", ""),
    "<!-- -->": ("md", "<!-- x -->\n\n", ""),
    "<div> blocks": ("md", "<div>\n", ""),
    "<div>x</div>": ("md", "<div>x</div>\n\n", ""),
    "</": ("md", "</", ""),
    "<?": ("md", "<?", ""),
    "<!": ("md", "<!", ""),
    "<![CDATA[": ("md", "<![CDATA[", ""),
    "< alone": ("md", "< ", ""),
    "[ per paragraph": ("md", "[", ""),
    "[ across paragraphs": ("md", "[[\n\n", ""),
    "![": ("md", "![", ""),
    "](": ("md", "](", ""),
    "[a](": ("md", "[a](", ""),
    "[a](b)": ("md", "[a](b) ", ""),
    "[a][b]": ("md", "[a][b] ", ""),
    "*": ("md", "*", ""),
    "* a": ("md", "*a ", ""),
    "_ a": ("md", "_a ", ""),
    "**": ("md", "**a ", ""),
    "***": ("md", "***a ", ""),
    "*a*": ("md", "*a* ", ""),
    "backtick": ("md", "`", ""),
    "`` a": ("md", "``a ", ""),
    "`a`": ("md", "`a` ", ""),
    "backslash": ("md", "\\", ""),
    "\\*": ("md", "\\*", ""),
    "&": ("md", "&", ""),
    "&amp;": ("md", "&amp;", ""),
    "&#": ("md", "&#", ""),
    "> deep": ("md", "> ", ""),  # nesting depth grows with the size
    "> lines": ("md", "> a\n", ""),
    "- nested": ("md", "", ""),  # filled below: a list one level deeper each line
    "- items": ("md", "- a\n", ""),
    "1. items": ("md", "1. a\n", ""),
    "list loose": ("md", "- a\n\n", ""),
    "table rows": ("md", "| a | b |\n", "| h | h |\n| - | - |\n"),
    "|": ("md", "|", ""),
    "| lines": ("md", "|\n", ""),
    "ref defs same": ("md", "[a]: b\n", ""),
    "ref defs distinct": ("md", "", ""),  # filled below
    "ref uses": ("md", "[a] ", "[a]: http://x\n\n"),
    "fence ```": ("md", "```\n", ""),
    "fence pairs": ("md", "```\na\n```\n", ""),
    "~~~": ("md", "~~~\n", ""),
    "``` unclosed lines": ("md", "a\n", "```\n"),
    "indented code": ("md", "    a\n", ""),
    "long line": ("md", "a ", ""),
    "long word": ("md", "a", ""),
    "lines": ("md", "a\n", ""),
    "paragraphs": ("md", "a\n\n", ""),
    "hr": ("md", "---\n\n", ""),
    "* * *": ("md", "* * *\n", ""),
    "hard breaks": ("md", "a  \n", ""),
    "=": ("md", "=\n", ""),
    "tabs": ("md", "\t", ""),
    "wire paragraphs": ("txt", "A sentence. Another one.\n\n", ""),
    "wire headings same": ("txt", "Talks\n\n", ""),
    "wire headings distinct": ("txt", "", ""),  # filled below
    "wire lede long": ("txt", "word ", ""),  # on the date line: one long lede
    "wire lede sentences": ("txt", "A b. ", ""),
    "wire lede abbreviations": ("txt", "no. 1 ", ""),
    "wire lede dots": ("txt", ".", ""),
    "wire lede !": ("txt", "!", ""),
    "wire long word": ("txt", "a", ""),
    "wire para abbreviations": ("txt", "no. 1 ", "\n\nP. "),
    "wire dateline-ish": ("txt", "DOHA ", ""),
    "wire <": ("txt", "<a", ""),
}
SEQUENCES = {
    "atx distinct": lambda i: f"## h{i}\n",
    "atx _1 ids": lambda i: f"## a_{i}\n",
    "- nested": lambda i: "  " * i + "- a\n",
    "ref defs distinct": lambda i: f"[a{i}]: b\n",
    "wire headings distinct": lambda i: f"Talks {i}\n\n",
}


def body(name: str, size: int) -> str:
    """The construct's body, about ``size`` characters long."""
    _, unit, prefix = CONSTRUCTS[name]
    if name in SEQUENCES:
        parts, length, i = [], len(prefix), 0
        while length < size:
            part = SEQUENCES[name](i)
            parts.append(part)
            length, i = length + len(part), i + 1
        return prefix + "".join(parts)
    return prefix + unit * max(1, (size - len(prefix)) // len(unit))


def seed(name: str, size: int) -> tuple[str, str]:
    """(file name, text) of a seed whose body is the construct at ``size``."""
    fmt = CONSTRUCTS[name][0]
    if fmt == "md":
        return "story.md", FRONT + body(name, size)
    if name.startswith("wire lede"):  # the whole construct on the date line
        return "story.txt", "date 2024-01-01 A lede. " + body(name, size) + "\n"
    return "story.txt", WIRE + body(name, size)


def timed(name: str, size: int, raw: bool, converter: MarkdownConverter, registry: Registry) -> tuple[float, str]:
    """(seconds, 'ok' | 'refused') for one seed."""
    file_name, text = seed(name, size)
    start = time.perf_counter()
    outcome = "ok"
    try:
        if raw and file_name.endswith(".md"):
            converter.convert(text[len(FRONT):])
        else:
            parse_seed(Path("/seeds") / file_name, Path("/seeds"), text, converter, registry)
    except BuildError:
        outcome = "refused"
    except RecursionError:
        outcome = "recursion"
    return time.perf_counter() - start, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="5,10,20,40,80,100", help="sizes in KB (default 5,10,20,40,80,100)")
    parser.add_argument("--limit", type=float, default=3.0, help="stop a construct past this many seconds")
    parser.add_argument("--raw", action="store_true", help="time the Markdown conversion alone, unchecked")
    parser.add_argument("-k", action="append", default=[], help="only constructs whose name contains this")
    args = parser.parse_args()
    sizes = [int(float(s) * 1024) for s in args.sizes.split(",")]
    converter, registry = MarkdownConverter(), Registry()
    print(f"| construct | {' | '.join(f'{s // 1024} KB' for s in sizes)} | growth |")
    print(f"| --- | {' | '.join('---' for _ in sizes)} | --- |")
    for name in CONSTRUCTS:
        if args.k and not any(k in name for k in args.k):
            continue
        cells, times = [], []
        for size in sizes:
            if times and times[-1] > args.limit:
                cells.append("-")
                continue
            seconds, outcome = timed(name, size, args.raw, converter, registry)
            times.append(seconds)
            cells.append(f"{seconds:.3f}" + ("" if outcome == "ok" else f" {outcome}"))
        # the ratio of the last two sizes timed, per doubling of the size
        growth = ""
        if len(times) >= 2 and times[-2] > 0.005:
            ratio = times[-1] / times[-2]
            doubling = sizes[len(times) - 1] / sizes[len(times) - 2]
            growth = f"x{ratio ** (math.log(2) / math.log(doubling)):.1f} per doubling"
        print(f"| `{name}` | {' | '.join(cells)} | {growth} |", flush=True)


if __name__ == "__main__":
    main()
