"""Serve: the live-reloading preview. It calls ``build.build_site`` and nothing below it."""
