"""Today, as the build takes it, and the entries dated after it (left out until their day)."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.errors import Problem, problem
from generator.model import Entry


def today(clock: dt.date | None, timezone: str) -> dt.date:
    """The day taken as today: ``--clock``, else SOURCE_DATE_EPOCH (reproducible builds), else
    the system clock; in the site's time zone, where its dates are."""
    if clock is not None:
        return clock
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch.isdigit() else dt.datetime.now(dt.UTC)
    try:
        return moment.astimezone(ZoneInfo(timezone)).date()
    except (ValueError, KeyError):  # a bad zone is reported by the config's own check
        return moment.date()


def until(entries: tuple[Entry, ...], day: dt.date, seeds_dir: Path) -> tuple[tuple[Entry, ...], tuple[Problem, ...]]:
    """The entries dated up to ``day``, and a warning for each one left out (E3)."""
    kept, later = [], []
    for entry in entries:
        if entry.date <= day:
            kept.append(entry)
        else:
            later.append(problem(seeds_dir / entry.source_path, date_line(seeds_dir / entry.source_path),
                                 f"dated {entry.date.isoformat()}, after today ({day.isoformat()}): left out "
                                 f"until then (--future includes it)"))
    return tuple(kept), tuple(later)


def date_line(path: Path) -> int:
    """The line of a seed's date (front matter ``date:`` or the wire's ``date`` line), else 1."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    return next((n for n, line in enumerate(lines[:200], start=1) if re.match(r"date[: ]", line)), 1)
