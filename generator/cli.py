"""The ``timeline`` command. Exit codes: 0 built, 1 content/config/template errors, 2 usage errors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

from generator import __version__, arguments, progress, scaffold
from generator.build import BuildOptions, build, build_site
from generator.check import check_site, read_folder
from generator.config import load_config
from generator.errors import BuildError, display_path, printable
from generator.progress import TerminalProgress

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


SITE_HELP = "the site's folder: where timeline.toml, seeds/, templates/, static/ and output/ are (default: the config's folder, else here)"


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="timeline",
        description="Build a static timeline website from dated articles.",
    )
    parser.add_argument("--version", action="version", version=f"timeline {__version__}")
    parser.add_argument("-C", "--site", dest="site_first", type=Path, metavar="DIR", help=SITE_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("-C", "--site", type=Path, metavar="DIR", help=SITE_HELP)
    where.add_argument("--config", type=Path, metavar="FILE",
                       help="site config (default: timeline.toml in the site's folder); its folder is the site's")
    sources = argparse.ArgumentParser(add_help=False, parents=[where])
    sources.add_argument("--seeds", type=Path, metavar="DIR", help="folder of seed articles (default: seeds)")
    sources.add_argument("--templates", type=Path, metavar="DIR",
                         help="templates over the bundled theme's, file by file (default: templates)")
    sources.add_argument("--static", type=Path, metavar="DIR",
                         help="assets over the bundled theme's, copied as they are (default: static)")
    sources.add_argument("--base-url", type=arguments.base_url, metavar="URL",
                         help="where the site is hosted, e.g. https://user.github.io/repo/ (overrides the config)")
    sources.add_argument("--drafts", action="store_true", help="include entries marked draft: true")
    sources.add_argument("--future", action="store_true", help="include entries dated after today")
    sources.add_argument("--clock", type=arguments.day, metavar="YYYY-MM-DD",
                         help="the day taken as today (default: SOURCE_DATE_EPOCH if set, else the system clock)")

    build_cmd = commands.add_parser("build", parents=[sources], help="build the site into output/",
                                    description="Read seeds/, render templates/, copy static/, write output/.")
    build_cmd.add_argument("--out", type=Path, metavar="DIR", help="folder to write the site to (default: output)")
    build_cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build_cmd.add_argument("--cache-dir", type=Path, metavar="DIR",
                           help="where parsed seeds are kept between builds (default: .timeline-cache)")
    build_cmd.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    build_cmd.add_argument("--no-search", action="store_true",
                           help="skip the full-text search index (also: search = false in the config)")
    build_cmd.add_argument("-j", "--jobs", type=arguments.jobs, default=0, metavar="N",
                           help="processes for parsing many seeds at once (default, or 0: one per CPU core; "
                                "never more than the cores or the work)")
    loudness = build_cmd.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    loudness.add_argument("-v", "--verbose", action="store_true", help="also list ignored files")

    _site_commands(commands, sources)
    _scaffolding(commands, where)
    return parser


def _site_commands(commands, sources: argparse.ArgumentParser) -> None:
    check_cmd = commands.add_parser("check", parents=[sources], help="check the built site",
                                    description="Build the site in memory (or read --dir) and check every internal "
                                                "link and #anchor, titles and descriptions, HTML parsing, the feed "
                                                "and that every entry cites a source.")
    check_cmd.add_argument("--dir", type=Path, metavar="DIR",
                           help="check this already built folder (e.g. output) instead of building")
    check_loudness = check_cmd.add_mutually_exclusive_group()
    check_loudness.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    check_loudness.add_argument("-v", "--verbose", action="store_true", help="also print the build's warnings")

    serve_cmd = commands.add_parser("serve", parents=[sources], help="preview the site with live reload",
                                    description="Build in memory, serve on 127.0.0.1, rebuild and reload the "
                                                "browser on every change to seeds/, templates/, static/ or the config.")
    serve_cmd.add_argument("--host", default="127.0.0.1",
                           help="address to listen on (default: 127.0.0.1, this machine only)")
    serve_cmd.add_argument("--port", type=arguments.port, default=None,
                           help="port (default: 8000, or the next free one)")
    serve_cmd.add_argument("--open", action="store_true", help="open the site in a web browser")
    serve_cmd.add_argument("--poll", action="store_true",
                           help="look for changes by polling instead of file events (for file systems that send none)")
    serve_loudness = serve_cmd.add_mutually_exclusive_group()
    serve_loudness.add_argument("-q", "--quiet", action="store_true", help="print only the address and errors")
    serve_loudness.add_argument("-v", "--verbose", action="store_true", help="also print each build's warnings")


def _scaffolding(commands, where: argparse.ArgumentParser) -> None:
    init_cmd = commands.add_parser("init", help="start a new site in a folder",
                                   description="Write a working site: timeline.toml, seeds/ with two example "
                                               "entries, .gitignore and a GitHub Pages workflow.")
    init_cmd.add_argument("folder", nargs="?", type=Path, default=None, metavar="DIR",
                          help="where to start it (default: the site's folder, else here)")
    init_cmd.add_argument("-C", "--site", type=Path, metavar="DIR", help=SITE_HELP)
    init_cmd.add_argument("--title", default="My Timeline", help="the site's title")
    init_cmd.add_argument("--base-url", type=arguments.base_url, default="/", metavar="URL", help="where it will be hosted")
    init_cmd.add_argument("--timezone", type=arguments.zone, default="UTC", help="IANA zone the dates are local to")
    init_cmd.add_argument("--force", action="store_true", help="in a folder with files: add only the missing ones")
    _loudness(init_cmd, "also list the files kept as they were")
    new_cmd = commands.add_parser("new", parents=[where], help="add an entry to seeds/",
                                  description="Write seeds/<date>-<slug>.md (or .txt) for a new entry and print its path.")
    new_cmd.add_argument("title", help="the entry's headline")
    new_cmd.add_argument("--date", type=arguments.day, metavar="YYYY-MM-DD", help="its date (default: today in the site's zone)")
    shape = new_cmd.add_mutually_exclusive_group()
    shape.add_argument("--md", dest="markdown", action="store_true", default=True, help="Markdown (the default)")
    shape.add_argument("--txt", dest="markdown", action="store_false", help="plain text, as the news wire gives it")
    new_cmd.add_argument("--seeds", type=Path, metavar="DIR", help="folder of seed articles (default: seeds)")
    _loudness(new_cmd, "also say which day it is dated and why")
    theme_cmd = commands.add_parser("theme", parents=[where], help="show or copy the bundled theme",
                                    description="List the theme's files the site overrides; with --copy, copy the "
                                                "whole theme into templates/ and static/ to change it freely.")
    theme_cmd.add_argument("--copy", action="store_true", help="copy the files the site does not have yet")
    _loudness(theme_cmd, "also list each file copied")


def _loudness(command: argparse.ArgumentParser, verbose: str) -> None:
    group = command.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    group.add_argument("-v", "--verbose", action="store_true", help=verbose)


def resolve(args: argparse.Namespace) -> argparse.Namespace:
    """Every path against the site's folder: ``-C DIR``, else the folder of ``--config``, else
    here. Options given explicitly stay as typed (relative to here)."""
    site = getattr(args, "site", None) or args.site_first
    config = getattr(args, "config", None)
    root = site or (config.parent if config is not None else Path("."))
    args.root = root
    args.config = (root / config if site and not config.is_absolute() else config) if config else root / "timeline.toml"
    for name, default in (("seeds", "seeds"), ("templates", "templates"), ("static", "static"), ("out", "output"),
                          ("cache_dir", ".timeline-cache")):
        if hasattr(args, name) and getattr(args, name) is None:
            setattr(args, name, root / default)
    return args


def main(argv: list[str] | None = None) -> int:
    """Run a command; its exit status."""
    args = resolve(make_parser().parse_args(argv))  # exits 2 on usage errors
    runners = {"serve": run_serve, "check": run_check, "init": run_init, "new": run_new, "theme": run_theme}
    try:
        return runners.get(args.command, run_build)(args)
    except scaffold.ScaffoldError as exc:
        print(f"timeline {args.command}: {printable(str(exc))}", file=sys.stderr)
        return EXIT_ERRORS


def run_init(args: argparse.Namespace) -> int:
    folder = args.folder if args.folder is not None else args.root
    done = scaffold.init(folder, args.title, args.base_url, args.timezone, args.force)
    if not args.quiet:
        for path in done.made:
            print(f"made {display_path(path)}")
        for path in done.kept if args.verbose else ():
            print(f"kept {display_path(path)}")
        print(f"timeline init: a site in {display_path(folder)}/ ({len(done.made)} files made, {len(done.kept)} kept); "
              f"next: `timeline -C {display_path(folder)} serve`, then `timeline new \"Title\"`")
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    today = scaffold.site_today(args.config)  # and a site must be there
    day = args.date or today
    path = scaffold.new_entry(args.seeds, args.title, day, args.markdown)
    if not args.quiet:
        print(display_path(path))
    if args.verbose:
        print(f"dated {day.isoformat()}: " + ("as --date gave" if args.date else "today in the site's time zone"))
    return EXIT_OK


def run_theme(args: argparse.Namespace) -> int:
    if args.copy:
        done = scaffold.copy_theme(args.root)
        for path in done.made if args.verbose else ():
            print(f"copied {display_path(path)}")
        if not args.quiet:
            print(f"timeline theme: {len(done.made)} files copied, {len(done.kept)} of the site's own kept")
        return EXIT_OK
    for kind in ("templates", "static"):
        bundled, own = scaffold.theme.folder(kind), args.root / kind
        mine = sorted(p.relative_to(own).as_posix() for p in own.rglob("*") if p.is_file()) if own.is_dir() else []
        print(f"{kind}: bundled theme at {bundled}; the site overrides {', '.join(mine) or 'none'}")
    return EXIT_OK


def run() -> NoReturn:
    """The ``timeline`` command."""
    sys.exit(main())


def run_check(args: argparse.Namespace) -> int:
    options = BuildOptions(seeds_dir=args.seeds, templates_dir=args.templates, static_dir=args.static,
                           config_path=args.config, base_url=args.base_url, drafts=args.drafts, search=False)
    try:
        if args.dir is not None:
            if not args.dir.is_dir():
                print(f"{display_path(args.dir)}: no such folder", file=sys.stderr)
                return EXIT_ERRORS
            files, where = read_folder(args.dir), display_path(args.dir)
            base_path = urlsplit(args.base_url).path if args.base_url else _config_base_path(args.config)
        else:
            site = build_site(options)
            files, where = site.files, "output"
            base_path = load_config(args.config, args.base_url).base_path
            if args.verbose:
                print_warnings(site.result.warnings)
    except BuildError as exc:
        for found in exc.problems:
            print(found, file=sys.stderr)
        return EXIT_ERRORS
    problems = check_site(files, base_path, where)
    for found in problems:
        print(found, file=sys.stderr)
    pages = sum(1 for name in files if name.endswith(".html"))
    if not args.quiet or problems:
            print(f"timeline check: {pages} pages, {len(files)} files, {len(problems)} problem{'s' * (len(problems) != 1)}")
    return EXIT_ERRORS if problems else EXIT_OK


SAME_WARNING_SHOWN = 5


def print_warnings(warnings) -> None:
    """Each warning as ``path:line: warning: message``; a message repeated in many files is shown
    a few times, then counted, so a thousand files without sources make five lines, not a thousand."""
    seen: dict[str, int] = {}
    for warning in warnings:
        seen[warning.message] = seen.get(warning.message, 0) + 1
        if seen[warning.message] <= SAME_WARNING_SHOWN:
            print(f"{warning.path}:{warning.line}: warning: {warning.message}", file=sys.stderr)
    for message, count in seen.items():
        if count > SAME_WARNING_SHOWN:
            print(f"timeline: warning: {count - SAME_WARNING_SHOWN} more files: {message}", file=sys.stderr)


def _config_base_path(config_path: Path) -> str:
    """The base path to check a written folder under: the config's, or / without a usable config."""
    try:
        return load_config(config_path).base_path
    except BuildError:
        return "/"


def run_serve(args: argparse.Namespace) -> int:
    from generator.serve.server import ServeError, serve  # tornado and livereload load only for the preview

    options = BuildOptions(seeds_dir=args.seeds, templates_dir=args.templates, static_dir=args.static,
                           config_path=args.config, base_url=args.base_url, drafts=args.drafts,
                           future=args.future, clock=args.clock)
    try:
        return serve(options, host=args.host, port=args.port, open_browser=args.open, quiet=args.quiet,
                     verbose=args.verbose, poll=args.poll)
    except ServeError as exc:
        print(f"timeline serve: {exc}", file=sys.stderr)
        return EXIT_ERRORS


def run_build(args: argparse.Namespace) -> int:
    options = BuildOptions(
        seeds_dir=args.seeds, templates_dir=args.templates, static_dir=args.static,
        out_dir=args.out, config_path=args.config, base_url=args.base_url,
        drafts=args.drafts, future=args.future, clock=args.clock, strict=args.strict, jobs=args.jobs,
        search=not args.no_search,
        cache_dir=None if args.no_cache else args.cache_dir,
    )
    bar = TerminalProgress() if progress.wanted(args.quiet) else None
    try:
        result = build(options, progress=bar or progress.quiet)
    except BuildError as exc:
        for found in exc.problems:
            print(f"{found}", file=sys.stderr)
        count = len(exc.problems)
        print(f"timeline: build failed with {count} error{'s' * (count != 1)}; "
              f"{display_path(args.out)}/ left as it was", file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        print("timeline: interrupted; output left as it was", file=sys.stderr)
        return 130
    finally:
        if bar is not None:
            bar.close()
    if not args.quiet:
        print_warnings(result.warnings)
    if args.verbose:
        for name in result.ignored:
            print(f"ignored: {display_path(args.seeds / name)}", file=sys.stderr)
        print(f"rendered {result.rendered} of {result.files} files", file=sys.stderr)
    if not args.quiet:
        w = result.written
        print(f"timeline: built {result.entries} entr{'y' if result.entries == 1 else 'ies'}, {result.pages} pages "
              f"({result.files} files) in {result.seconds:.2f} s -> {display_path(args.out)}/ "
              f"({w.written} written, {w.unchanged} unchanged, {w.removed} removed)")
    return EXIT_OK


if __name__ == "__main__":
    run()
