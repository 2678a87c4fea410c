"""The folders a build writes, kept apart from those it reads and from each other (L9)."""

from __future__ import annotations

import os
from pathlib import Path

from generator.errors import BuildError, Problem, display_path, problem


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))  # symlinks resolved: a link into seeds/ is seeds/


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_folders(reads: dict[str, Path], writes: dict[str, Path]) -> None:
    """Refuse an output or cache folder equal to, inside or holding a folder or file the build
    reads (``reads``: what -> path), and two written folders inside one another: the next build
    would read the site as seeds, the cache would write into the sources, the site would publish
    the cache (drafts included). ``writes``: what (``--out``…) -> folder."""
    found: dict[str, Problem] = {}  # the first reason for each folder: one line says enough
    for option, folder in writes.items():
        real = _real(folder)
        for what, source in reads.items():
            source_real = _real(source)
            if option in found:
                break
            if _within(real, source_real):
                found[option] = problem(folder, 1, f"{option} is inside the {what} ({display_path(source)}), "
                                                   "which every build reads; choose a folder outside it")
            elif _within(source_real, real):
                found[option] = problem(folder, 1, f"{option} holds the {what} ({display_path(source)}), "
                                                   "which would be overwritten or deleted; choose a folder outside it")
    names = list(reversed(writes))  # the cache first: where it equals the output, the cache is misplaced
    for i, option in enumerate(names):
        for other in names[i + 1:]:
            inner, outer = (option, other) if _within(_real(writes[option]), _real(writes[other])) else \
                (other, option) if _within(_real(writes[other]), _real(writes[option])) else (None, None)
            if inner is not None and inner not in found:
                found[inner] = problem(writes[inner], 1, f"{inner} is inside {outer} "
                                                         f"({display_path(writes[outer])}); choose a folder outside it")
    if found:
        raise BuildError(list(found.values()))
