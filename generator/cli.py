"""The ``timeline`` command. Exit codes: 0 built, 1 content/config/template errors, 2 usage errors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator import __version__
from generator.build import BuildOptions, build
from generator.config import normalise_base_url
from generator.errors import BuildError, display_path

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _base_url(value: str) -> str:
    try:
        return normalise_base_url(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="timeline",
        description="Build a static timeline website from dated articles.",
    )
    parser.add_argument("--version", action="version", version=f"timeline {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    build_cmd = commands.add_parser("build", help="build the site into output/",
                                    description="Read seeds/, render templates/, copy static/, write output/.")
    build_cmd.add_argument("--seeds", type=Path, default=Path("seeds"), metavar="DIR",
                           help="folder of seed articles (default: seeds)")
    build_cmd.add_argument("--out", type=Path, default=Path("output"), metavar="DIR",
                           help="folder to write the site to (default: output)")
    build_cmd.add_argument("--config", type=Path, default=Path("timeline.toml"), metavar="FILE",
                           help="site config (default: timeline.toml)")
    build_cmd.add_argument("--templates", type=Path, default=Path("templates"), metavar="DIR",
                           help="Jinja2 templates (default: templates)")
    build_cmd.add_argument("--static", type=Path, default=Path("static"), metavar="DIR",
                           help="assets copied as they are (default: static)")
    build_cmd.add_argument("--base-url", type=_base_url, metavar="URL",
                           help="where the site is hosted, e.g. https://user.github.io/repo/ (overrides the config)")
    build_cmd.add_argument("--drafts", action="store_true", help="include entries marked draft: true")
    build_cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")
    loudness = build_cmd.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    loudness.add_argument("-v", "--verbose", action="store_true", help="also list ignored files")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)  # exits 2 on usage errors
    options = BuildOptions(
        seeds_dir=args.seeds, templates_dir=args.templates, static_dir=args.static,
        out_dir=args.out, config_path=args.config, base_url=args.base_url,
        drafts=args.drafts, strict=args.strict,
    )
    try:
        result = build(options)
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
    for warning in result.warnings:
        print(f"{warning.path}:{warning.line}: warning: {warning.message}", file=sys.stderr)
    if args.verbose:
        for name in result.ignored:
            print(f"ignored: {display_path(args.seeds / name)}", file=sys.stderr)
    if not args.quiet:
        print(f"timeline: built {result.entries} entries, {result.pages} pages "
              f"({result.files} files) in {result.seconds:.2f} s -> {display_path(args.out)}/")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
