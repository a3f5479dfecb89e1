"""A learner driving the learner JSON API over real HTTP after a launch from the independent platform."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import requests

from tests.conftest import LiveTool
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform


@dataclass
class Learner:
    tool: LiveTool
    http: requests.Session
    csrf: str

    def api(self, method: str, path: str, json: Any = None) -> requests.Response:
        return self.http.request(method, self.tool.url + path, json=json, timeout=10,
                                 headers={"X-CSRFToken": self.csrf})


def launch_learner(tool: LiveTool, platform: TestPlatform, unit: str, user: PlatformUser,
                   http: requests.Session | None = None, roles: list[str] | None = None, **kwargs: Any) -> Learner:
    """Launch from the platform into the unit and read the page's CSRF token."""
    http = http or requests.Session()
    page = platform.launch(http, login_url=tool.login_url, target_link_uri=tool.launch_url, user=user,
                           roles=roles or [LtiRoles.LEARNER], custom={"unit": unit}, **kwargs)
    assert page.status_code == 200, page.text[:300]
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert match, "the unit page carries a CSRF token"
    return Learner(tool, http, match.group(1))
