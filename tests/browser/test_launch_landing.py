"""The launch answers with its landing page in one response, and the page takes its own address in the history
(js/landing.js): in Chromium, a reload or Back/Forward asks for the page again with a GET, never the used id_token."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Response

from tests.browser.learner import launch_in_tab
from tests.conftest import LEARNER, LiveTool
from tests.lti_platform import TestPlatform

pytestmark = pytest.mark.browser

UNIT = "wood-chain-of-custody"
UNIT_PATH = f"/units/{UNIT}"


def _served(tool: LiveTool, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every request the tool's server answers from now on, as (method, path)."""
    seen: list[tuple[str, str]] = []
    inner = tool.app.wsgi_app

    def recording(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        seen.append((str(environ["REQUEST_METHOD"]), str(environ["PATH_INFO"])))
        return inner(environ, start_response)

    monkeypatch.setattr(tool.app, "wsgi_app", recording)
    return seen


def _on_landing(page: Page) -> None:
    page.wait_for_url(lambda url: urlsplit(url).path == UNIT_PATH)
    page.wait_for_selector(f'article.unit[data-unit="{UNIT}"]')


def test_the_launch_page_reloads_and_goes_back_and_forward_without_posting_again(
        registered: tuple[LiveTool, TestPlatform], chromium: Browser, monkeypatch: pytest.MonkeyPatch) -> None:
    tool, platform = registered
    served = _served(tool, monkeypatch)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    answers: list[Response] = []
    context.on("response", lambda response: answers.append(response))
    page = context.new_page()
    page.goto(tool.url + "/api/units")  # where the browser was before the launch
    page = launch_in_tab(context, tool, platform, unit=UNIT, user=LEARNER, page=page)
    # One answer to the id_token POST: the unit page itself, with the session cookie; no request for the page.
    [launch] = [a for a in answers if urlsplit(a.url).path == "/lti/launch"]
    headers = launch.all_headers()
    assert launch.status == 200 and headers["cache-control"] == "no-store"
    assert "mastery_session=" in headers["set-cookie"]
    assert served.count(("POST", "/lti/launch")) == 1 and ("GET", UNIT_PATH) not in served
    # The page's address is its landing URL, with the launch's own token (as its links carry it).
    _on_landing(page)
    token = page.locator('meta[name="launch-session"]').get_attribute("content")
    assert parse_qs(urlsplit(page.url).query)["ls"] == [token]

    page.reload()  # a GET of the landing URL
    _on_landing(page)
    assert served.count(("POST", "/lti/launch")) == 1 and served.count(("GET", UNIT_PATH)) == 1
    assert page.locator('meta[name="launch-session"]').get_attribute("content") == token  # the same launch

    page.click("#nav-my-credentials")  # another page of the tool, then Back and Forward
    page.wait_for_url(lambda url: urlsplit(url).path == "/me/credentials")
    page.go_back()
    _on_landing(page)
    page.go_forward()
    page.wait_for_url(lambda url: urlsplit(url).path == "/me/credentials")
    page.go_back()
    _on_landing(page)
    assert page.locator("[data-error-code]").count() == 0
    page.go_back()  # out of the tool to the page before the launch, and Forward into it again
    page.wait_for_url(lambda url: urlsplit(url).path == "/api/units")
    page.go_forward()
    _on_landing(page)
    assert page.locator("[data-error-code]").count() == 0
    assert served.count(("POST", "/lti/launch")) == 1
    assert served.count(("GET", UNIT_PATH)) >= 3  # the reload, the Backs and the Forward (Chromium keeps no-store
    # pages out of its back/forward cache, so each asks the server)
    context.close()
