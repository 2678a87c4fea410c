"""Problems found in the inputs, reported as ``path:line: message``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file, located as precisely as we can."""

    path: str
    """Where the problem is, relative to the working directory when inside it."""
    line: int
    """1-based line in that file; 1 when the problem concerns the whole file; 0 for a built
    file, which is reported as ``path: message``."""
    message: str
    """What is wrong and, where it helps, how to fix it. One line."""

    def __str__(self) -> str:
        if self.line == 0:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class BuildError(Exception):
    """The build cannot go on; carries every problem found so far, in order."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # survives the trip back from a worker process whole
        return (BuildError, (self.problems,))


def display_path(path: Path) -> str:
    """A path as the user should read it: relative to the cwd when below it, POSIX slashes."""
    text = os.fspath(path)
    if os.sep == "/" and text and not text.startswith("/") and ".." not in text.split("/"):
        return os.path.normpath(text)  # relative, below the cwd already: what relpath gives, 4x sooner
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()
    if rel.startswith(".."):
        return Path(path).as_posix()
    return Path(rel).as_posix()


def problem(path: Path, line: int, message: str) -> Problem:
    """Build a Problem for a file given as a Path."""
    return Problem(display_path(path), max(1, line), message)


def site_problem(where: str, path: str, message: str) -> Problem:
    """A problem in a built file, located by its site path under ``where`` (output/, or the build)."""
    return Problem(f"{where.rstrip('/')}/{path}" if where else path, 0, message)
