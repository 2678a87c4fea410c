"""The default theme, bundled with the package: the repository's ``templates/`` and ``static/``.

A wheel installs them as ``generator/theme/templates`` and ``generator/theme/static``
(pyproject.toml maps the two folders into the package); read through importlib.resources.
A source checkout (``pip install -e .``) has them where they are, beside the package.

A site's own ``templates/`` and ``static/`` override the theme file by file: a site that
changes only ``entry.html`` ships only that file.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

KINDS = ("templates", "static")


def folder(kind: str) -> Path:
    """The bundled theme's ``templates`` or ``static`` folder."""
    installed = Path(str(files("generator.theme") / kind))
    return installed if installed.is_dir() else Path(__file__).resolve().parents[2] / kind


def layers(own: Path, kind: str) -> tuple[Path, ...]:
    """Where a site's ``kind`` files are looked up, first match winning: its own folder (when it
    has one), then the bundled theme's."""
    bundled = folder(kind)
    mine = (own,) if own.is_dir() and own.resolve() != bundled.resolve() else ()
    return (*mine, bundled)
