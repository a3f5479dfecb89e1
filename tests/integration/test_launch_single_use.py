"""The login state and nonce are taken by one DELETE … RETURNING: the same launch posted at once by several clients
(a replay racing the real one) opens exactly one session, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs, urlsplit

import requests
import sqlalchemy as sa

from lti_tool.db import db
from lti_tool.launch.models import LaunchSession, LoginState
from tests.conftest import LiveTool
from tests.lti_platform import Claim, LtiRoles, TestPlatform


def _signed_launch(tool: LiveTool, platform: TestPlatform, http: requests.Session) -> dict[str, str]:
    login = http.post(tool.login_url, data={"iss": platform.issuer, "login_hint": "u1",
                                            "client_id": platform.client_id, "target_link_uri": tool.launch_url,
                                            "lti_deployment_id": platform.deployment_id},
                      allow_redirects=False, timeout=10)
    assert login.status_code == 302, login.text[:300]
    query = parse_qs(urlsplit(login.headers["Location"]).query)
    now = int(time.time())
    token = platform.build_id_token({
        "iss": platform.issuer, "aud": platform.client_id, "sub": "u1", "iat": now, "exp": now + 60,
        "nonce": query["nonce"][0], str(Claim.VERSION): "1.3.0", str(Claim.MESSAGE_TYPE): "LtiResourceLinkRequest",
        str(Claim.DEPLOYMENT_ID): platform.deployment_id, str(Claim.TARGET_LINK_URI): tool.launch_url,
        str(Claim.ROLES): [LtiRoles.LEARNER], str(Claim.RESOURCE_LINK): {"id": "rl-1"},
        str(Claim.CONTEXT): {"id": "course-1"}, str(Claim.CUSTOM): {"unit": "wood-chain-of-custody"},
    })
    return {"id_token": token, "state": query["state"][0]}


def test_the_same_launch_posted_at_once_opens_one_session(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    with requests.Session() as http:
        form = _signed_launch(tool, platform, http)
        cookies = http.cookies.get_dict()
    barrier = threading.Barrier(6)
    answers: list[requests.Response] = []

    def post() -> None:
        with requests.Session() as browser:
            browser.cookies.update(cookies)
            barrier.wait()
            answers.append(browser.post(tool.launch_url, data=form, allow_redirects=False, timeout=30))

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200, 400, 400, 400, 400, 400]  # the page, 5 refusals
    assert all('data-error-code="unknown_state"' in a.text for a in answers if a.status_code == 400)
    with tool.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LaunchSession)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginState)) == 0


def test_a_token_for_another_login_is_refused_and_that_login_still_works(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    """A nonce that does not match the state's: refused, and the state it named is not consumed."""
    tool, platform = registered
    with requests.Session() as http:
        first = _signed_launch(tool, platform, http)
        second = _signed_launch(tool, platform, http)
        crossed = http.post(tool.launch_url, data={"id_token": second["id_token"], "state": first["state"]},
                            allow_redirects=False, timeout=10)
        assert crossed.status_code == 400 and 'data-error-code="invalid_nonce"' in crossed.text
        assert http.post(tool.launch_url, data=first, allow_redirects=False, timeout=10).status_code == 200
