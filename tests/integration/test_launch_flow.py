"""Real HTTP launches from the independent platform: learner and teacher land on the unit."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import requests

from tests.conftest import LEARNER, TEACHER, LiveTool
from tests.landing import landing_url
from tests.lti_platform import LtiRoles, TestPlatform

UNIT = "wood-chain-of-custody"


def _unit_title(tool: LiveTool) -> str:
    units = requests.get(tool.url + "/api/units", timeout=5).json()["units"]
    return next(u["title"] for u in units if u["slug"] == UNIT)


def test_learner_launch_shows_the_placed_unit(registered: tuple[LiveTool, TestPlatform],
                                              browser: requests.Session) -> None:
    tool, platform = registered
    response = platform.launch(browser, login_url=tool.login_url, target_link_uri=tool.launch_url,
                               user=LEARNER, roles=[LtiRoles.LEARNER], custom={"unit": UNIT})
    assert response.status_code == 200, response.text[:500]
    assert urlsplit(landing_url(response)).path.endswith(f"/units/{UNIT}")
    assert re.search(rf"<h1[^>]*>{re.escape(_unit_title(tool))}</h1>", response.text)
    assert 'data-role="learner"' in response.text
    assert "Teacher view" not in response.text
    me = browser.get(tool.url + "/api/me", timeout=5).json()
    assert me["user"] == {"issuer": platform.issuer, "sub": LEARNER.sub, "name": LEARNER.name}
    assert me["roles"] == ["learner"]
    assert me["context"]["id"] == "course-1"


def test_instructor_launch_shows_the_teacher_view(registered: tuple[LiveTool, TestPlatform],
                                                  browser: requests.Session) -> None:
    tool, platform = registered
    response = platform.launch(browser, login_url=tool.login_url, target_link_uri=tool.launch_url,
                               user=TEACHER, roles=[LtiRoles.INSTRUCTOR], custom={"unit": UNIT})
    assert response.status_code == 200, response.text[:500]
    assert 'data-role="instructor"' in response.text
    assert "Teacher view" in response.text
    assert "mastery thresholds" in response.text


def test_first_launches_into_a_new_course_at_once_all_succeed(registered: tuple[LiveTool, TestPlatform]) -> None:
    """Six learners open a brand-new course's activity at the same moment: one course and link, six sessions."""
    import threading

    from tests.lti_platform import PlatformUser

    tool, platform = registered
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def one(n: int) -> None:
        with requests.Session() as http:
            params = platform.login_params(target_link_uri=tool.launch_url, user=PlatformUser(sub=f"racer-{n}"),
                                           roles=[LtiRoles.LEARNER], custom={"unit": UNIT},
                                           context={"id": "brand-new-course"}, resource_link={"id": "brand-new-link"})
            barrier.wait()
            from tests.lti_platform.browser import run_launch

            statuses.append(run_launch(http, login_url=tool.login_url, login_params=params, login_method="POST",
                                       auth_url=platform.auth_login_url).status_code)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 6
