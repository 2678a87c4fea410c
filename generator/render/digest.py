"""Stable digests of model values: what lets a rebuild skip a page whose inputs did not change.

A page's digest covers exactly what its template receives (every field of every
dataclass reached from its context, recursively), so equal digests mean equal
inputs, in this process or a later one: unlike ``hash()``, it does not depend on
PYTHONHASHSEED or object identity. A type it does not know is an error, never a
guess: a silently incomplete digest would serve stale pages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import pickle
from pathlib import PurePath


from generator.model import Chain, EntryPage, Facet, Month, Run, Step, Timeline, Year

SIZE = 16
WALKED = (Timeline, Year, Month, Run, Facet, EntryPage, Chain, Step)
"""The dataclasses that hold entries: walked field by field, so that each entry is digested
once per build however many pages list it. Every other dataclass is digested whole."""


def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


class Digester:
    """Digests values, remembering each dataclass instance's digest for the life of one build
    (a 10,000-entry site reaches the same Entry from its page, its month, its tags…)."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[object, bytes]] = {}

    def remember(self, value: object, fingerprint: str) -> None:
        """Digest ``value`` (a dataclass) as ``fingerprint`` from now on: a digest of everything it
        was made from, which only equal values share (a parsed seed's cache key), instead of its
        serialised fields. Only this very object is matched."""
        self._known[id(value)] = (value, hashlib.blake2b(fingerprint.encode("utf-8", "surrogatepass"),
                                                         digest_size=SIZE).digest())

    def of(self, value: object) -> bytes:
        """The digest of one dataclass value, as the digests of values holding it use it: for a
        value met before (an entry, an era), looked up rather than made again."""
        known = self._known.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        return self._instance(value)

    def digest(self, *values: object) -> bytes:
        h = hashlib.blake2b(digest_size=SIZE)
        for value in values:
            self._feed(h, value)
        return h.digest()

    def _feed(self, h, value: object) -> None:  # noqa: C901 - one branch per kind of value
        known = self._known.get(id(value))  # first: most values fed are entries digested before
        if known is not None and known[0] is value:
            h.update(known[1])
            return
        kind = type(value)
        if kind is str or isinstance(value, str):  # the commonest first, and str subclasses
            data = value.encode("utf-8", "surrogatepass")
            h.update(b"s%d:" % len(data) + data)
        elif hasattr(kind, "__dataclass_fields__"):
            h.update(self._instance(value))
        elif kind is tuple or kind is list:
            h.update(b"l%d:" % len(value))
            known_items = self._known
            for item in value:  # inline for known values: a month or a tag lists thousands of entries
                known = known_items.get(id(item))
                if known is not None and known[0] is item:
                    h.update(known[1])
                else:
                    self._feed(h, item)
        elif kind is dict:
            h.update(b"d%d:" % len(value))
            for key, item in value.items():  # insertion order: the order templates see
                self._feed(h, key)
                self._feed(h, item)
        elif value is None or isinstance(value, (bool, int, float)):
            h.update(b"%s:%r;" % (kind.__name__.encode(), value))
        elif isinstance(value, bytes):
            h.update(b"b%d:" % len(value) + value)
        elif isinstance(value, (dt.date, dt.time)):  # datetime is a date
            h.update(b"t:" + value.isoformat().encode() + b";")
        elif isinstance(value, (tuple, list)):
            self._feed(h, list(value))
        elif isinstance(value, PurePath):
            self._feed(h, value.as_posix())
        else:
            raise TypeError(f"cannot digest a {type(value).__name__}")

    def _instance(self, value: object) -> bytes:
        h = hashlib.blake2b(type(value).__qualname__.encode(), digest_size=SIZE)
        if isinstance(value, WALKED):
            known_items = self._known
            for name in _field_names(type(value)):
                field = getattr(value, name)
                known = known_items.get(id(field))  # inline, as for tuples: 10,000 entry pages
                if known is not None and known[0] is field:
                    h.update(known[1])
                else:
                    self._feed(h, field)
        else:
            # Entries, page metadata and the small records hold only text, numbers, dates,
            # tuples and dicts, never a set: their pickle is a complete, deterministic
            # encoding, made in C, 20 times faster than walking them. (An object shared
            # differently would pickle differently: a needless render, never a stale one.)
            h.update(pickle.dumps(value, protocol=5))
        result = h.digest()
        self._known[id(value)] = (value, result)  # keeps value alive, so its id is never reused
        return result
