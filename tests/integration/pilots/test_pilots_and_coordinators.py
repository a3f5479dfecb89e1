"""Pilots made by CLI and page, courses attached by pilot=<code> at a launch, coordinators and who may see what."""

from __future__ import annotations

import sqlalchemy as sa

from lti_tool.db import db
from lti_tool.pilots.models import Coordinator, Pilot, PilotCourse
from tests.conftest import LEARNER, TEACHER, LiveTool
from tests.integration.pilots.helpers import PASSWORD, create_pilot, csrf_of, launch, make_coordinator, sign_in
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform

ADMIN = PlatformUser(sub="admin-1", name="Ada Admin")


def _courses(tool: LiveTool, code: str) -> list[str]:
    with tool.app.app_context():
        pilot = db.session.scalar(sa.select(Pilot).where(Pilot.code == code))
        return [] if pilot is None else [link.context.context_id for link in pilot.courses]


def test_a_course_joins_its_pilot_at_the_first_launch(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    assert "Created pilot it-manu-1" in create_pilot(tool)
    launch(tool, platform, LEARNER, custom={"pilot": " IT-Manu-1 "})
    assert _courses(tool, "it-manu-1") == ["course-1"]
    launch(tool, platform, LEARNER, custom={"pilot": "it-manu-1"})  # a second launch changes nothing
    with tool.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PilotCourse.id))) == 1


def test_an_unknown_code_lets_the_launch_proceed_and_the_teacher_sees_a_notice(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    _, learner_page = launch(tool, platform, LEARNER, custom={"pilot": "es-wood-9"})
    assert 'data-notice="unknown-pilot"' not in learner_page.text  # learners are not bothered
    _, teacher_page = launch(tool, platform, TEACHER, roles=[LtiRoles.INSTRUCTOR], custom={"pilot": "es-wood-9"})
    assert 'data-notice="unknown-pilot"' in teacher_page.text and "es-wood-9" in teacher_page.text
    # Created afterwards, the pilot takes the course that asked for it; the notice goes away.
    assert "1 course(s) attached" in create_pilot(tool, "es-wood-9", sector="wood", country="ES")
    assert _courses(tool, "es-wood-9") == ["course-1"]
    _, again = launch(tool, platform, TEACHER, roles=[LtiRoles.INSTRUCTOR])
    assert 'data-notice="unknown-pilot"' not in again.text


def test_cli_refuses_bad_pilots_and_attaches_a_seen_course(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    result = tool.app.test_cli_runner().invoke(args=[
        "pilot", "create", "--code", "x", "--name", "", "--country", "Italy", "--sector", "wood", "--partner", "P",
        "--starts", "2026-05-01", "--ends", "2026-04-01", "--target", "many"])
    assert result.exit_code != 0
    for field in ("code:", "name:", "country:", "ends:", "target:"):
        assert field in result.output, field
    create_pilot(tool)
    assert tool.app.test_cli_runner().invoke(args=["pilot", "create", "--code", "it-manu-1", "--name", "N",
                                                   "--country", "IT", "--sector", "wood", "--partner", "P",
                                                   "--starts", "2026-01-01", "--ends", "2026-02-01",
                                                   "--target", "3"]).exit_code != 0  # duplicate code
    launch(tool, platform, LEARNER)
    tool.cli("pilot", "attach", "it-manu-1", "--issuer", platform.issuer, "--deployment-id", platform.deployment_id,
             "--context-id", "course-1")
    assert _courses(tool, "it-manu-1") == ["course-1"]
    assert "it-manu-1\tIT\tmanufacturing" in tool.cli("pilot", "list")
    assert tool.cli("pilot", "sync").startswith("1 course enrolment figure(s) queued")
    assert tool.cli("pilot", "sync").startswith("0 course")  # unchanged: nothing new for the LRS


def test_coordinator_signs_in_creates_a_pilot_and_attaches_a_course(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    make_coordinator(tool)
    with tool.app.app_context():
        stored = db.session.scalar(sa.select(Coordinator.password_hash))
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
    launch(tool, platform, LEARNER)
    http, answer = sign_in(tool)
    assert answer.status_code == 303 and "mastery_coordinator=" in answer.headers["Set-Cookie"]
    assert "HttpOnly" in answer.headers["Set-Cookie"]
    form_page = http.get(tool.url + "/pilots/new", timeout=30)
    assert form_page.status_code == 200
    fields = {"code": "fi-build-1", "name": "Rakentaminen", "country": "fi", "sector": "building",
              "partner": "Omnia", "starts_on": "2026-02-01", "ends_on": "2026-06-30", "target_learners": "12"}
    refused = http.post(tool.url + "/pilots/new", data=fields, allow_redirects=False, timeout=30)
    assert refused.status_code == 403  # no CSRF token
    bad = http.post(tool.url + "/pilots/new", data={**fields, "target_learners": "-1",
                                                    "csrf_token": csrf_of(form_page.text)}, timeout=30)
    assert bad.status_code == 422 and "target:" in bad.text
    created = http.post(tool.url + "/pilots/new", data={**fields, "csrf_token": csrf_of(form_page.text)},
                        allow_redirects=False, timeout=30)
    assert created.status_code == 303 and created.headers["Location"].endswith("/pilots/fi-build-1")
    page = http.get(tool.url + "/pilots/fi-build-1", timeout=30)
    assert page.status_code == 200 and "Rakentaminen" in page.text
    with tool.app.app_context():
        context_pk = db.session.scalar(sa.text("select id from context where context_id = 'course-1'"))
    attached = http.post(tool.url + "/pilots/fi-build-1/courses",
                         data={"context": str(context_pk), "csrf_token": csrf_of(page.text)}, timeout=30)
    assert attached.status_code == 200 and 'data-context="course-1"' in attached.text
    overview = http.get(tool.url + "/pilots", timeout=30)
    assert overview.status_code == 200 and 'data-pilot="fi-build-1"' in overview.text
    narrow = http.get(tool.url + "/pilots/fi-build-1/charts/learners.svg?size=narrow", timeout=30)
    assert narrow.status_code == 200 and 'viewBox="0 0 360 ' in narrow.text  # the phone's drawing
    unknown = http.get(tool.url + "/pilots/charts/targets.svg?size=huge", timeout=30)
    assert unknown.status_code == 404 and "size=narrow" in unknown.text  # a clear answer, not a 5xx


def test_launch_sessions_of_learners_and_teachers_get_403_everywhere(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    create_pilot(tool)
    learner, _ = launch(tool, platform, LEARNER)
    teacher, _ = launch(tool, platform, TEACHER, roles=[LtiRoles.INSTRUCTOR])
    paths = ["/pilots", "/pilots/new", "/pilots/it-manu-1", "/pilots/export.csv", "/pilots/export.xlsx",
             "/pilots/export.pdf", "/pilots/it-manu-1/export.csv", "/pilots/charts/targets.svg"]
    for person in (learner, teacher):
        for path in paths:
            assert person.http.get(tool.url + path, timeout=30, allow_redirects=False).status_code == 403, path
        posted = person.http.post(tool.url + "/pilots/new", data={"csrf_token": person.csrf}, timeout=30)
        assert posted.status_code == 403
    anonymous = __import__("requests").get(tool.url + "/pilots", allow_redirects=False, timeout=30)
    assert anonymous.status_code == 302 and "/coordinator/sign-in" in anonymous.headers["Location"]


def test_a_platform_administrator_sees_their_platforms_pilots_only(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    create_pilot(tool, "it-manu-1")
    create_pilot(tool, "be-agro-1", sector="agrofood", country="BE")  # no course on this platform
    launch(tool, platform, LEARNER, custom={"pilot": "it-manu-1"})
    admin, landing = launch(tool, platform, ADMIN, roles=[LtiRoles.ADMIN, LtiRoles.INSTRUCTOR])
    assert "/pilots" in landing.text  # the link to the platform's pilots
    page = admin.http.get(tool.url + "/pilots", timeout=30)
    assert page.status_code == 200
    assert 'data-pilot="it-manu-1"' in page.text and 'data-pilot="be-agro-1"' not in page.text
    assert admin.http.get(tool.url + "/pilots/be-agro-1", timeout=30).status_code == 404


def test_wrong_passwords_lock_the_account_and_the_address_is_rate_limited(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, _ = registered
    make_coordinator(tool)
    for _ in range(5):
        _, answer = sign_in(tool, password="wrong password!")
        assert answer.status_code == 401 and 'data-error-code="signin_failed"' in answer.text
    _, locked = sign_in(tool)  # the right password, but locked
    assert locked.status_code == 423
    tool.cli("coordinator", "set-password", "coord", "--password", "another long password")
    _, ok = sign_in(tool, password="another long password")
    assert ok.status_code == 303
    # RATE_LIMIT_SIGNIN (lti_tool.bounds): 10 sign-in requests per minute per client address.
    statuses = [sign_in(tool, username=f"nobody{n}", password="guess guess guess")[1].status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]
