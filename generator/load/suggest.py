"""Unknown keys: the known key a typo most likely meant, so its message says how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

CUTOFF = 0.6
"""difflib's similarity ratio a known key needs to be suggested: 'tag' -> 'tags' (0.86) and
'sumary' -> 'summary' (0.92) are, 'via' -> 'date' (0.29) is not."""


def nearest(key: str, known: Sequence[str]) -> str | None:
    """The known key closest to ``key``, case ignored, or None when none is close."""
    by_folded = {name.casefold(): name for name in known}
    found = difflib.get_close_matches(key.casefold(), list(by_folded), n=1, cutoff=CUTOFF)
    return by_folded[found[0]] if found else None


def unknown_key(what: str, key: str, known: Sequence[str]) -> str:
    """``unknown <what> 'tag': did you mean 'tags'?``; the allowed keys when none is close."""
    match = nearest(key, known)
    if match is not None:
        return f"unknown {what} {key!r}: did you mean {match!r}?"
    return f"unknown {what} {key!r} (allowed: {', '.join(known)})"
