"""The launch answers with its landing page (no 303 and third request): each kind of landing, in the launch's
answer, is the page its own URL shows, with the launch's session, cookie, role and tenant checks."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from lti_tool.db import db
from lti_tool.launch.models import Context, LaunchSession
from tests.conftest import LEARNER, TEACHER, LiveTool
from tests.landing import landing_url
from tests.lti_platform import LtiRoles, MessageType, PlatformUser, TestPlatform

UNIT = "wood-chain-of-custody"


def _launch(tool: LiveTool, platform: TestPlatform, http: requests.Session, **login: Any) -> requests.Response:
    login.setdefault("user", LEARNER)
    login.setdefault("roles", [LtiRoles.LEARNER])
    return platform.launch(http, login_url=tool.login_url, target_link_uri=tool.launch_url, **login)


def _sessions(tool: LiveTool) -> int:
    with tool.app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(LaunchSession)) or 0


def _course_pk(tool: LiveTool, context_id: str = "course-1") -> int:
    with tool.app.app_context():
        return db.session.scalar(sa.select(Context.id).where(Context.context_id == context_id))


def _token(page: requests.Response) -> str:
    found = re.search(r'<meta name="launch-session" content="([^"]+)"', page.text)
    assert found is not None, page.text[:300]
    return found.group(1)


LANDINGS = {  # name: (login arguments, the landing's path (a function of the course's pk), what its page shows)
    "learner-unit": ({"custom": {"unit": UNIT}}, lambda pk: f"/units/{UNIT}", f'data-unit="{UNIT}"'),
    "teacher-unit": ({"user": TEACHER, "roles": [LtiRoles.INSTRUCTOR], "custom": {"unit": UNIT}},
                     lambda pk: f"/units/{UNIT}", "Teacher view"),
    "course-page": ({"user": TEACHER, "roles": [LtiRoles.INSTRUCTOR], "resource_link": {"id": "rl-none"}},
                    lambda pk: f"/courses/{pk}", "MASTERY units in"),
    "nothing-placed": ({"resource_link": {"id": "rl-none"}}, lambda pk: "/nothing-placed",
                       "No MASTERY unit is set for this activity yet"),
    "picker": ({"user": TEACHER, "roles": [LtiRoles.INSTRUCTOR], "message_type": MessageType.DEEP_LINKING_REQUEST,
                "resource_link": None}, lambda pk: "/lti/deep-linking", 'id="deep-link-select"'),
}


@pytest.mark.parametrize("kind", list(LANDINGS))
def test_each_landing_is_the_launch_s_answer(registered: tuple[LiveTool, TestPlatform], kind: str) -> None:
    tool, platform = registered
    login, path, shows = LANDINGS[kind]
    with requests.Session() as http:
        answer = _launch(tool, platform, http, **login)
        assert answer.status_code == 200 and not answer.history, (answer.status_code, answer.text[:300])
        assert urlsplit(answer.url).path == "/lti/launch"  # one answer: no redirect to follow
        assert shows in answer.text
        assert answer.headers["Cache-Control"] == "no-store"
        assert "mastery_session" in answer.headers["Set-Cookie"]
        assert re.search(r'<script src="/static/js/landing\.js[^"]*" defer>', answer.text)
        landing = landing_url(answer)
        assert urlsplit(landing).path == path(_course_pk(tool))
        token = _token(answer)
        assert parse_qs(urlsplit(landing).query)["ls"] == [token]
        # The landing URL shows the same page again (what a reload asks for, after js/landing.js).
        again = http.get(landing, timeout=10)
        assert again.status_code == 200 and shows in again.text and _token(again) == token
        assert requests.get(landing, timeout=10).status_code == 200  # by its token alone (two tabs stay apart)
        assert 'name="landing-url"' not in again.text  # only the launch's answer replaces its history entry
    assert _sessions(tool) == 1


def test_a_learner_landing_where_a_teacher_may_is_refused_and_the_launch_stands(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    """A learner sent to the unit picker (a Deep Linking launch): the picker's own role check answers 403 in the
    launch's answer; the launch is recorded, so its page's URL refuses the same way."""
    tool, platform = registered
    with requests.Session() as http:
        answer = _launch(tool, platform, http, message_type=MessageType.DEEP_LINKING_REQUEST, resource_link=None)
        assert answer.status_code == 403 and 'data-error-code="not_teacher"' in answer.text
        assert "Traceback" not in answer.text
        assert _sessions(tool) == 1
        assert http.get(landing_url(answer), timeout=10).status_code == 403


def test_a_landing_on_a_unit_not_in_the_catalogue_says_so_and_the_launch_stands(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    with requests.Session() as http:
        learner = _launch(tool, platform, http, custom={"unit": "no-such-unit"})
        assert learner.status_code == 404 and "no-such-unit" in learner.text
    with requests.Session() as http:
        teacher = _launch(tool, platform, http, user=TEACHER, roles=[LtiRoles.INSTRUCTOR],
                          custom={"unit": "no-such-unit"})
        assert teacher.status_code == 404 and 'data-error-code="unknown_unit"' in teacher.text
        assert UNIT in teacher.text  # the units the teacher could name instead
        assert http.get(landing_url(teacher), timeout=10).status_code == 404
    assert _sessions(tool) == 2


def test_the_course_page_landing_is_the_launch_s_own_course(registered: tuple[LiveTool, TestPlatform]) -> None:
    """A teacher's launch from another course lands on that course only; the first course's page refuses it."""
    tool, platform = registered
    with requests.Session() as first:
        assert _launch(tool, platform, first, user=TEACHER, roles=[LtiRoles.INSTRUCTOR],
                       resource_link={"id": "rl-none"}).status_code == 200
    with requests.Session() as http:
        other = _launch(tool, platform, http, user=PlatformUser(sub="teacher-2"), roles=[LtiRoles.INSTRUCTOR],
                        context={"id": "course-2", "title": "Second course"}, resource_link={"id": "rl-none-2"})
        assert other.status_code == 200 and "Second course" in other.text
        assert urlsplit(landing_url(other)).path == f"/courses/{_course_pk(tool, 'course-2')}"
        refused = http.get(f"{tool.url}/courses/{_course_pk(tool)}", timeout=10)
        assert refused.status_code == 403


def test_a_launch_in_the_learner_s_language_answers_in_it(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    with requests.Session() as http:
        answer = _launch(tool, platform, http, user=PlatformUser(sub="learner-it", locale="it"),
                         custom={"unit": UNIT})
        assert answer.status_code == 200 and '<html lang="it"' in answer.text
        csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', answer.text)
        assert csrf is not None and csrf.group(1)  # the session's, as its page's own request would have it
        with tool.app.app_context():
            assert db.session.scalar(sa.select(LaunchSession.csrf_token)) == csrf.group(1)
