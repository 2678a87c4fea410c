"""Problems found in the inputs, reported as ``path:line: message``."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path


UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Control characters (a newline forges a second message line, an escape sequence rewrites the
terminal) and the bidirectional controls that reorder the text around them (U+202E: L11)."""
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` with every ``UNSAFE`` character shown as its escape (``\\n``, ``\\u202e``), so
    what a file name or a quoted line holds is seen, never obeyed."""
    if not UNSAFE.search(text):
        return text
    return UNSAFE.sub(lambda m: _SHORT.get(m[0]) or (f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100
                                                     else f"\\u{ord(m[0]):04x}"), text)


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

    def __post_init__(self) -> None:
        # Escaped once, here, so that wherever a problem is printed (the command line, the
        # preview's log and error page, the cache) a name or quoted line cannot forge another (L11).
        object.__setattr__(self, "path", printable(self.path))
        object.__setattr__(self, "message", printable(self.message))

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
    """A path as the user should read it: relative to the cwd when below it, POSIX slashes,
    control and bidirectional characters escaped (``printable``)."""
    return printable(_relative(path))


def _relative(path: Path) -> str:
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
