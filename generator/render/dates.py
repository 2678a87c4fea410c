"""Locale-free date text: the same output in every locale and time zone."""

from __future__ import annotations

import datetime as dt

from generator.model import Entry

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")


def isodate(day: dt.date) -> str:
    """``2024-03-21``: for ``<time datetime>`` and machine-readable places."""
    return day.isoformat()


def longdate(day: dt.date) -> str:
    """``21 March 2024``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def monthname(month: int) -> str:
    """``3`` -> ``March``."""
    return MONTHS[month - 1]


def entry_date_text(entry: Entry) -> str:
    """How an entry's date is shown: its ``date_display``, "July 2024" when only the month is known,
    else the long date."""
    if entry.date_display:
        return entry.date_display
    if entry.month_only:
        return f"{MONTHS[entry.date.month - 1]} {entry.date.year}"
    return longdate(entry.date)


def entry_datetime(entry: Entry) -> str:
    """The ``<time datetime>`` value: ``2024-07`` for a month, else ``2024-07-05``."""
    return f"{entry.date:%Y-%m}" if entry.month_only else entry.date.isoformat()
