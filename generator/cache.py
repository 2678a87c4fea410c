"""The on-disk cache of the command line, kept between runs in ``.timeline-cache/``: parsed seeds
and the last search bundle.

Content-addressed: an entry is reused only for the same file path, the same text, the
same actors file, and the same versions of this generator and of the libraries that
shape its output. A cache that is missing, corrupt, truncated or written by another
version is ignored and rebuilt, never trusted: the build is the same without it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

import frontmatter
import markdown
import nh3
import slugify
import yaml

from generator import __version__

CACHE_FILE = "entries.pickle"
MAGIC = b"timeline-cache\n"


def identity() -> bytes:
    """Everything besides a seed's own text that its parsed form depends on."""
    parts = [__version__, sys.version.split()[0]]
    for module in (markdown, nh3, yaml, slugify, frontmatter):  # their own attribute: importlib.metadata costs 70 ms
        parts.append(f"{module.__name__}={getattr(module, '__version__', '?')}")
    return "|".join(parts).encode()


def load(folder: Path) -> dict:
    """The cached data (``entries``, ``search``), or {} when there is no usable cache."""
    try:
        data = (folder / CACHE_FILE).read_bytes()
    except OSError:
        return {}
    head = MAGIC + hashlib.blake2b(identity()).digest()
    if not data.startswith(head) or len(data) < len(head) + 32:
        return {}
    digest, payload = data[len(head):len(head) + 32], data[len(head) + 32:]
    if hashlib.blake2b(payload, digest_size=32).digest() != digest:
        return {}  # truncated or corrupt
    try:
        data = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - any unreadable cache is simply rebuilt
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("entries"), dict) else {}


def save(folder: Path, data: dict) -> None:
    """Write the cache atomically; a cache that cannot be written is skipped, never an error."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        blob = MAGIC + hashlib.blake2b(identity()).digest() + hashlib.blake2b(payload, digest_size=32).digest()
        fd, tmp = tempfile.mkstemp(prefix=".entries-", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob + payload)
        os.replace(tmp, folder / CACHE_FILE)
    except OSError:
        pass
