"""Write: {site path: bytes} -> output/, atomically. The only step that writes ``output/``.

``site.py`` stages the new site beside ``output/`` and swaps it in (and keeps the site it
replaces as the next stage, where the caller gives a spare folder); ``files.py`` makes the
stage's files without ever writing through a file of the live site. Nothing here knows
entries or pages: only bytes and folders.
"""

from generator.write.files import KEEP, MARKER, safe_relative
from generator.write.site import (Content, Record, WriteReport, as_written, cannot_write, check_output_folder,
                                  leftovers, one_build_at_a_time, recover_leftovers, write_site)

__all__ = ["KEEP", "MARKER", "Content", "Record", "WriteReport", "as_written", "cannot_write", "check_output_folder",
           "leftovers", "one_build_at_a_time", "recover_leftovers", "safe_relative", "write_site"]
