"""CSP frame-ancestors: a session's pages name only the LMS that launched it; registrations take effect at once
in every worker (each process re-reads the origins when the registry generation moves, not on a timer)."""

from __future__ import annotations

import re

import requests

from lti_tool import create_app
from lti_tool.db import db
from lti_tool.runtime import current_settings
from tests.conftest import LEARNER, LiveTool
from tests.landing import landing_url
from tests.lti_platform import LtiRoles, TestPlatform

UNIT = "wood-chain-of-custody"


def ancestors(response: requests.Response) -> set[str]:
    match = re.search(r"frame-ancestors ([^;]+)", response.headers["Content-Security-Policy"])
    assert match
    return set(match.group(1).split())


def test_a_session_is_framed_only_by_the_platform_that_launched_it(live_tool: LiveTool) -> None:
    with TestPlatform(client_id="client-a").start() as school_a, TestPlatform(client_id="client-b").start() as school_b:
        live_tool.register(school_a)
        live_tool.register(school_b)
        with requests.Session() as browser:
            page = school_a.launch(browser, login_url=live_tool.login_url, target_link_uri=live_tool.launch_url,
                                   user=LEARNER, roles=[LtiRoles.LEARNER], custom={"unit": UNIT})
            assert page.status_code == 200, page.text[:300]
            assert ancestors(page) == {"'self'", school_a.issuer}
            assert ancestors(browser.get(landing_url(page), timeout=10)) == {"'self'", school_a.issuer}
        # Before a session exists (errors, login), every enabled registration may frame the page.
        assert ancestors(requests.get(live_tool.url + "/health", timeout=5)) == {
            "'self'", school_a.issuer, school_b.issuer}
        live_tool.cli("platform", "remove", "--issuer", school_b.issuer)
        assert ancestors(requests.get(live_tool.url + "/health", timeout=5)) == {"'self'", school_a.issuer}


def test_a_registration_takes_effect_at_once_in_every_worker(live_tool: LiveTool, platform: TestPlatform) -> None:
    other_worker = create_app(current_settings(live_tool.app))  # a second process on the same DB
    client = other_worker.test_client()
    assert ancestors(client.get("/health")) == {"'self'"}  # cached in that worker now
    live_tool.register(platform)  # through the first worker's CLI
    assert ancestors(client.get("/health")) == {"'self'", platform.issuer}
    live_tool.cli("platform", "update", "--issuer", platform.issuer, "--auth-login-url",
                  "https://login.example.org/auth")
    assert ancestors(client.get("/health")) == {"'self'", platform.issuer, "https://login.example.org"}
    with other_worker.app_context():
        db.engine.dispose()


def test_disabling_a_platform_closes_its_open_sessions_at_once(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    with requests.Session() as browser:
        page = platform.launch(browser, login_url=tool.login_url, target_link_uri=tool.launch_url, user=LEARNER,
                               roles=[LtiRoles.LEARNER], custom={"unit": UNIT})
        assert page.status_code == 200
        tool.cli("platform", "remove", "--issuer", platform.issuer)
        assert browser.get(landing_url(page), timeout=10).status_code == 401  # the session is closed at once
        again = platform.launch(browser, login_url=tool.login_url, target_link_uri=tool.launch_url, user=LEARNER,
                                roles=[LtiRoles.LEARNER], custom={"unit": UNIT})
        assert again.status_code == 400 and 'data-error-code="platform_disabled"' in again.text  # and says why
        tool.cli("platform", "enable", "--issuer", platform.issuer)
        assert browser.get(landing_url(page), timeout=10).status_code == 200
