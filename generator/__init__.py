"""Timeline: a static timeline website generator.

The build is one straight pipeline, each step in its own module:
``load`` (seeds -> Entry), ``model`` (Entry -> Timeline), ``render``
(Timeline -> {path: bytes}) and ``write`` (bytes -> output/, atomically).
"""

__version__ = "0.1.0"
