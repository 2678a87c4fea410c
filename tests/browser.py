"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, for what a reader sees,
and the one rule for every test tool that a machine may lack (``need``).

Outside CI a machine without the tool skips those tests; under CI=true a missing
tool fails them, so CI can never pass without running them.
"""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def need(available: bool, message: str) -> None:
    """A test tool is missing: fail under CI=true (CI must run every test), skip elsewhere."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)  # only outside CI, where a developer may lack the tool


@pytest.fixture(scope="session")
def browser():
    need(os.path.exists(CHROMIUM), f"{CHROMIUM} not found: install Debian's chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()
