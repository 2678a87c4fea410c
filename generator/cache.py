"""The on-disk parse cache of the command line: parsed seeds, kept between runs in ``.timeline-cache/``.

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
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from generator import __version__

CACHE_FILE = "entries.pickle"
MAGIC = b"timeline-cache\n"


def identity() -> bytes:
    """Everything besides a seed's own text that its parsed form depends on."""
    parts = [__version__, sys.version.split()[0]]
    for package in ("markdown", "nh3", "pyyaml", "python-slugify", "python-frontmatter"):
        try:
            parts.append(f"{package}={version(package)}")
        except PackageNotFoundError:
            parts.append(f"{package}=?")
    return "|".join(parts).encode()


def load(folder: Path) -> dict:
    """The cached parses, or {} when there is no usable cache."""
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
        entries = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - any unreadable cache is simply rebuilt
        return {}
    return entries if isinstance(entries, dict) else {}


def save(folder: Path, entries: dict) -> None:
    """Write the cache atomically; a cache that cannot be written is skipped, never an error."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        payload = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
        blob = MAGIC + hashlib.blake2b(identity()).digest() + hashlib.blake2b(payload, digest_size=32).digest()
        fd, tmp = tempfile.mkstemp(prefix=".entries-", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob + payload)
        os.replace(tmp, folder / CACHE_FILE)
    except OSError:
        pass
