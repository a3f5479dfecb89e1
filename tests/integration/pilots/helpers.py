"""Pilot test helpers: a pilot made through the CLI, launches carrying pilot=<code>, a signed-in coordinator."""

from __future__ import annotations

import re
from typing import Any

import requests

from tests.conftest import LiveTool
from tests.integration.assessment.helpers import Learner
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform

UNIT = "manufacturing-circular-design"
PASSWORD = "correct horse battery staple"


def create_pilot(tool: LiveTool, code: str = "it-manu-1", *, sector: str = "manufacturing", country: str = "IT",
                 starts: str = "2026-01-01", ends: str = "2027-12-31", target: int = 10) -> str:
    return tool.cli("pilot", "create", "--code", code, "--name", f"Pilot {code}", "--country", country,
                    "--sector", sector, "--partner", "Partner Org", "--starts", starts, "--ends", ends,
                    "--target", str(target))


def launch(tool: LiveTool, platform: TestPlatform, user: PlatformUser, *, roles: list[str] | None = None,
           custom: dict[str, Any] | None = None, context: dict[str, Any] | None = None,
           unit: str | None = UNIT, resource_link: dict[str, Any] | None = None) -> tuple[Learner, requests.Response]:
    """A launch from the independent platform; the person's HTTP session and the landing page."""
    http = requests.Session()
    extra: dict[str, Any] = {}
    if context is not None:
        extra["context"] = context
    if resource_link is not None:
        extra["resource_link"] = resource_link
    page = platform.launch(http, login_url=tool.login_url, target_link_uri=tool.launch_url, user=user,
                           roles=roles or [LtiRoles.LEARNER],
                           custom={**({"unit": unit} if unit else {}), **(custom or {})}, **extra)
    assert page.status_code == 200, page.text[:500]
    match = re.search(r'<meta name="csrf-token" content="([^"]*)"', page.text)
    return Learner(tool, http, match.group(1) if match else ""), page


def make_coordinator(tool: LiveTool, username: str = "coord", locale: str = "") -> None:
    runner = tool.app.test_cli_runner()
    args = ["coordinator", "create", username, "--name", "Coordinator C", "--password", PASSWORD]
    if locale:
        args += ["--locale", locale]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output


def sign_in(tool: LiveTool, username: str = "coord", password: str = PASSWORD,
            http: requests.Session | None = None) -> tuple[requests.Session, requests.Response]:
    http = http or requests.Session()
    answer = http.post(tool.url + "/coordinator/sign-in", data={"username": username, "password": password},
                       allow_redirects=False, timeout=30)
    return http, answer


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has a form with its CSRF token"
    return match.group(1)
