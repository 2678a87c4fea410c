"""Today, as the build takes it (``--clock``, SOURCE_DATE_EPOCH or the clock), the entries dated after
it (left out until their day), and dates so far from the rest that they look like typos."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.errors import BuildError, Problem, problem
from generator.model import Entry


def today(clock: dt.date | None, timezone: str) -> dt.date:
    """The day taken as today: ``--clock``, else SOURCE_DATE_EPOCH (reproducible builds), else
    the system clock; in the site's time zone, where its dates are."""
    if clock is not None:
        return clock
    moment = _source_date_epoch() or dt.datetime.now(dt.UTC)
    try:
        return moment.astimezone(ZoneInfo(timezone)).date()
    except (ValueError, KeyError):  # a bad zone is reported by the config's own check
        return moment.date()


def _source_date_epoch() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as a moment, None when unset or empty; a value that is not a whole
    number of seconds from 1970 to 9999 is an error, never silently the system clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    if epoch.isascii() and epoch.isdigit() and int(epoch) <= LAST_EPOCH:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    raise BuildError([Problem("SOURCE_DATE_EPOCH", 0, f"{epoch[:40]!r} is not a time: give whole seconds since "
                              f"1970-01-01 UTC, from 0 to {LAST_EPOCH} (9999-12-31)")])


LAST_EPOCH = int(dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC).timestamp())


def far_apart(entries: tuple[Entry, ...], seeds_dir: Path) -> tuple[Problem, ...]:
    """A warning for each of at most ``FAR_GROUP`` entries at an end of the timeline that lie
    more than ``FAR_YEARS`` years and more than the whole span of the others away from them:
    likely a typo (0224 for 2024)."""
    dates = sorted(e.date for e in entries)
    if len(dates) < 2:
        return ()
    gaps = [(dates[i + 1] - dates[i]).days for i in range(len(dates) - 1)]
    widest = max(range(len(gaps)), key=gaps.__getitem__)
    before, after = dates[:widest + 1], dates[widest + 1:]
    small, large = (before, after) if len(before) <= len(after) else (after, before)
    if len(small) > FAR_GROUP or gaps[widest] <= max(FAR_YEARS * 365.25, (large[-1] - large[0]).days):
        return ()
    message = (f"{round(gaps[widest] / 365.25):,} years {'before' if small is before else 'after'} every other "
               f"entry ({large[0].isoformat()} to {large[-1].isoformat()}): a typo?")
    return tuple(problem(seeds_dir / e.source_path, date_line(seeds_dir / e.source_path),
                         f"dated {e.date.isoformat()}, {message}")
                 for e in entries if small[0] <= e.date <= small[-1])


FAR_YEARS, FAR_GROUP = 10, 3


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
