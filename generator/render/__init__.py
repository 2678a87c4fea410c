"""Render: Timeline + Config -> {site path: bytes}. The site map (pages), Jinja2 (site), feeds,
exports and the search index, dates for templates, and the digests that let a rebuild skip
a page whose inputs did not change. Nothing here writes a file."""
