"""Headless Chromium from Debian, driven by Playwright (no browser download)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling out, which this closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM} (install Debian's chromium)")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        yield playwright


# Playwright waits 30 s for an action by default; on a loaded 2-core CI machine with parallel test workers a
# screenshot or a navigation sometimes needed longer. A slow machine is not a failure of the page.
ACTION_TIMEOUT_MS = 90_000


class PatientBrowser:
    """The Browser, whose new contexts and pages wait ACTION_TIMEOUT_MS for each action."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser

    def new_context(self, **options: Any) -> BrowserContext:
        context = self._browser.new_context(**options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        return context

    def new_page(self, **options: Any) -> Page:
        page = self._browser.new_page(**options)
        page.set_default_timeout(ACTION_TIMEOUT_MS)
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def chromium(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield PatientBrowser(browser)  # type: ignore[misc]  # the Browser's interface, with longer waits
    browser.close()
