"""Timeline: a static timeline website generator.

The build is one straight pipeline, each step in its own module:
``load`` (seeds -> Entry), ``model`` (Entry -> Timeline), ``render``
(Timeline -> {path: bytes}) and ``write`` (bytes -> output/, atomically).

Used as a library::

    from generator import BuildOptions, build
    result = build(BuildOptions(seeds_dir=Path("seeds"), out_dir=Path("output")))
"""

__version__ = "0.2.0"
"""The one version number: the package's (pyproject.toml reads it), ``--version``'s and the pages' generator tag."""
DISTRIBUTION = "sourced-timeline"
"""The name to install it by (``pip install sourced-timeline``); the import package is ``generator``."""

from generator.build import BuildOptions, BuildResult, build, build_site  # noqa: E402 - after the version
from generator.errors import BuildError, Problem  # noqa: E402

__all__ = ["DISTRIBUTION", "BuildError", "BuildOptions", "BuildResult", "Problem", "__version__", "build",
           "build_site"]
