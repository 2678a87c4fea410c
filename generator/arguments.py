"""The command line's argument types: each turns one option's text into its value, or refuses it
with a one-line reason that argparse prints after the usage line (exit status 2)."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.config import normalise_base_url


def base_url(value: str) -> str:
    try:
        return normalise_base_url(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 1 to 65535, not {number}")
    return number


def jobs(value: str) -> int:
    """``-j N``: a whole number of processes, 0 for one per core (the build caps it by the cores
    and the work either way: ``build._jobs``)."""
    if not re.fullmatch(r"[+-]?\d{1,9}", value.strip(), re.ASCII):
        raise argparse.ArgumentTypeError(f"not a whole number of processes: {value!r} (0: one per CPU core)")
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (one per CPU core) or more, not {number}")
    return number


def zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"unknown time zone {value!r} (use an IANA name like 'Europe/Paris')") from None
    return value


def day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, re.ASCII) else _bad_day(text)
    except ValueError:
        return _bad_day(text)


def _bad_day(text: str) -> dt.date:
    raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD")
