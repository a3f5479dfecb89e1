"""A launch session sees its own platform, deployment and course only."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from tests.conftest import LEARNER, TEACHER, LiveTool
from tests.landing import landing_url
from tests.lti_platform import LtiRoles, TestPlatform

UNIT = "wood-chain-of-custody"


def _launch(tool: LiveTool, platform: TestPlatform, browser: requests.Session, *, user=TEACHER,
            roles=(LtiRoles.INSTRUCTOR,), **kwargs) -> requests.Response:
    response = platform.launch(browser, login_url=tool.login_url, target_link_uri=tool.launch_url, user=user,
                               roles=list(roles), **kwargs)
    assert response.status_code == 200, response.text[:300]
    return response


def _course_pk(response: requests.Response) -> int:
    return int(urlsplit(landing_url(response)).path.rstrip("/").rsplit("/", 1)[-1])


def test_sessions_cannot_cross_platforms_deployments_or_courses(live_tool: LiveTool) -> None:
    with TestPlatform(client_id="client-a").start() as school_a, TestPlatform(client_id="client-b").start() as school_b:
        live_tool.register(school_a)
        live_tool.register(school_a, deployment_id="deployment-2")
        live_tool.register(school_b)
        same_course = {"id": "course-1", "title": "Same id, other school"}
        with requests.Session() as a, requests.Session() as a2, requests.Session() as a_other, \
                requests.Session() as b:
            course_a = _course_pk(_launch(live_tool, school_a, a, context=same_course))
            course_a_dep2 = _course_pk(_launch(live_tool, school_a, a2, context=same_course,
                                               deployment_id="deployment-2"))
            course_a_other = _course_pk(_launch(live_tool, school_a, a_other,
                                                context={"id": "course-2", "title": "Other course"}))
            course_b = _course_pk(_launch(live_tool, school_b, b, context=same_course))
            # the same LTI context id under another platform or deployment is another course
            assert len({course_a, course_a_dep2, course_a_other, course_b}) == 4
            for session, own in ((a, course_a), (a2, course_a_dep2), (a_other, course_a_other), (b, course_b)):
                assert session.get(f"{live_tool.url}/courses/{own}", timeout=5).status_code == 200
                for other in {course_a, course_a_dep2, course_a_other, course_b} - {own}:
                    answer = session.get(f"{live_tool.url}/courses/{other}", timeout=5)
                    assert answer.status_code == 403, (own, other)
                    assert "another course" in answer.text
            assert b.get(live_tool.url + "/api/me", timeout=5).json()["user"]["issuer"] == school_b.issuer


def test_learner_cannot_open_teacher_pages_or_other_units(registered: tuple[LiveTool, TestPlatform],
                                                          browser: requests.Session) -> None:
    tool, platform = registered
    with requests.Session() as teacher:
        course = _course_pk(_launch(tool, platform, teacher))
    _launch(tool, platform, browser, user=LEARNER, roles=[LtiRoles.LEARNER], custom={"unit": UNIT})
    assert browser.get(f"{tool.url}/courses/{course}", timeout=5).status_code == 403
    other_units = [u["slug"] for u in requests.get(tool.url + "/api/units", timeout=5).json()["units"]
                   if u["slug"] != UNIT]
    for slug in other_units[:2]:
        assert browser.get(f"{tool.url}/units/{slug}", timeout=5).status_code == 403


def test_pages_without_a_session_ask_to_launch_from_the_course(live_tool: LiveTool) -> None:
    page = requests.get(f"{live_tool.url}/units/{UNIT}", timeout=5)
    assert page.status_code == 401 and "Open the activity again from your course" in page.text
    api = requests.get(f"{live_tool.url}/api/me", timeout=5)
    assert api.status_code == 401 and api.json()["error"] == "no_session"
    forged = requests.get(f"{live_tool.url}/api/me", headers={"X-Launch-Session": "forged"}, timeout=5)
    assert forged.status_code == 401
