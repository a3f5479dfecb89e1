"""`report --lrs URL` against the real Ralph LRS: the same figures as the dashboard, figure for figure."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from lti_tool.credentials.models import Credential
from lti_tool.db import db, utcnow
from lti_tool.pilots import db_facts
from lti_tool.pilots import figures as fg
from tests.conftest import LiveTool
from tests.integration.assessment.test_learning_record import _point_at
from tests.integration.dashboard.helpers import ids, submit_attempt
from tests.integration.pilots.helpers import UNIT, create_pilot, launch, make_coordinator, sign_in
from tests.lrs_fixtures import RalphLrs
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform

COURSE_B = {"id": "course-b", "label": "B", "title": "Course B",
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection"]}
COURSE_C = {**COURSE_B, "id": "course-c", "title": "Course C"}
ANSWERS = [("5", "4", "20", "yes", "Very practical"), ("4", "4", "25,5", "yes", ""), ("3", "2", "40", "no", "Too long"),
           ("4", "5", "22", "yes", ""), ("2", "3", "30", "no", "Hard maths"), ("5", "5", "18", "yes", "")]


def _journeys(tool: LiveTool, platform: TestPlatform) -> None:
    """Two pilots, three courses, eleven learners: mastery, failure, retries, a reset, a revocation, answers."""
    create_pilot(tool, "it-manu-1", target=40)
    create_pilot(tool, "fi-manu-2", country="FI", target=15, starts="2025-01-01", ends="2025-12-31")
    people = [PlatformUser(sub=f"p{n:02d}", name=f"Person {n}") for n in range(11)]
    learners = []
    for n, person in enumerate(people[:7]):
        learners.append(launch(tool, platform, person, custom={"pilot": "it-manu-1"})[0])
    for person in people[7:9]:
        learners.append(launch(tool, platform, person, context=COURSE_B, resource_link={"id": "rl-b", "title": "B"},
                               custom={"pilot": "it-manu-1"})[0])
    for person in people[9:]:
        learners.append(launch(tool, platform, person, context=COURSE_C, resource_link={"id": "rl-c", "title": "C"},
                               custom={"pilot": "fi-manu-2"})[0])
    plans = [[{"lo1", "lo2", "lo3"}], [{"lo1"}, {"lo1", "lo2", "lo3"}], [{"lo1", "lo2"}], [{"lo2"}],
             [{"lo1", "lo2", "lo3"}], [set(), {"lo1"}, {"lo1", "lo2", "lo3"}], [],
             [{"lo1", "lo2", "lo3"}], [{"lo3"}], [{"lo1", "lo2", "lo3"}], [{"lo1"}]]
    results: list[list[dict[str, Any]]] = []
    for learner, plan in zip(learners, plans, strict=True):
        results.append([submit_attempt(learner, outcomes) for outcomes in plan])
    for learner, (relevance, clarity, hours, recommend, comment) in zip(learners[:6], ANSWERS, strict=True):
        answer = learner.http.post(tool.url + f"/units/{UNIT}/questionnaire", timeout=30, data={
            "relevance": relevance, "clarity": clarity, "workload_hours": hours, "recommend": recommend,
            "comment": comment, "csrf_token": learner.csrf})
        assert answer.status_code == 200, answer.text[:300]
    # The teacher resets p03's only attempt (its statements are voided in the LRS) …
    teacher, _ = launch(tool, platform, PlatformUser(sub="t1", name="Teacher"), roles=[LtiRoles.INSTRUCTOR])
    context_pk, _ = ids(tool)
    reset = teacher.http.post(tool.url + f"/courses/{context_pk}/attempts/{results[3][0]['attempt_id']}/reset",
                              data={"reason": "wrong unit", "csrf_token": teacher.csrf}, timeout=30,
                              allow_redirects=False)
    assert reset.status_code == 303, reset.text[:300]
    # … reads the roster (NRPS: the 7 learners of course 1 and 5 who never came) …
    platform.members = [{"user_id": p.sub, "status": "Active", "name": p.name, "roles": [LtiRoles.LEARNER]}
                        for p in people[:7]] + [
        {"user_id": f"absent{n}", "status": "Active", "name": "A", "roles": [LtiRoles.LEARNER]} for n in range(5)]
    assert teacher.http.get(tool.url + f"/courses/{context_pk}/dashboard", timeout=30).status_code == 200
    # … and an administrator revokes p00's credential.
    with tool.app.app_context():
        credential_id = db.session.scalar(sa.select(Credential.id).join(Credential.user).where(
            sa.text("lti_user.sub = 'p00'")))
    tool.cli("credentials", "revoke", credential_id, "--reason", "issued in error")


def _dashboard_figures(tool: LiveTool, today: dt.date) -> dict[str, Any]:
    with tool.app.app_context():
        figures = fg.compute(db_facts.load(db.session, "en"), today)
    return json.loads(json.dumps(figures.as_dict(), ensure_ascii=False, default=str))


def test_the_lrs_report_reproduces_the_dashboard(registered: tuple[LiveTool, TestPlatform], ralph_lrs: RalphLrs,
                                                 tmp_path: Path) -> None:
    tool, platform = registered
    _point_at(tool, ralph_lrs)
    _journeys(tool, platform)
    make_coordinator(tool)
    http, _ = sign_in(tool)
    page = http.get(tool.url + "/pilots", timeout=60)  # reports each course's enrolment to the LRS
    assert page.status_code == 200
    tool.cli("xapi", "deliver", "--once")
    today = utcnow().date()
    out = tool.cli("report", "--lrs", ralph_lrs.url, "--username", ralph_lrs.username, "--password",
                   ralph_lrs.password, "--out", str(tmp_path), "--today", today.isoformat())
    assert "2 pilots" in out, out
    name = f"mastery-pilots-lrs-{today.isoformat()}"
    from_lrs = json.loads((tmp_path / f"{name}.json").read_text())
    from_db = _dashboard_figures(tool, today)
    assert from_lrs == from_db
    rows = {(r[0], r[1]): r[3] for r in from_db["rows"]}
    pilot = rows[("pilot", "it-manu-1")]
    # 7 roster learners + 5 absent in course 1, 2 learners in course B.
    assert (pilot["enrolled"], pilot["launched"], pilot["attempted"], pilot["mastered"]) == (14, 9, 7, 5)
    assert (pilot["credentials_issued"], pilot["credentials_revoked"]) == (5, 1)
    assert pilot["attempts_to_mastery"] == 1.6  # p00 1, p01 2, p04 1, p05 3, p07 1 (p03's reset attempt is gone)
    assert pilot["respondents"] == 6 and pilot["relevance"] == 3.83 and pilot["recommend"] == 66.7
    assert rows[("pilot", "fi-manu-2")]["running"] is False and from_db["targets"]["pilots_running"] == 1
    assert from_db["comments"][UNIT] == ["Hard maths", "Too long", "Very practical"]
    for ext in ("csv", "xlsx", "pdf"):
        assert (tmp_path / f"{name}.{ext}").stat().st_size > 500


def test_an_unreachable_or_unauthorised_lrs_is_one_line_and_a_failure(registered: tuple[LiveTool, TestPlatform],
                                                                      ralph_lrs: RalphLrs, tmp_path: Path) -> None:
    tool, _ = registered
    tmp_path = tmp_path / "out"
    runner = tool.app.test_cli_runner()
    wrong = runner.invoke(args=["report", "--lrs", ralph_lrs.url, "--username", ralph_lrs.username,
                                "--password", "not-the-password", "--out", str(tmp_path)])
    assert wrong.exit_code != 0 and "refused the credentials (HTTP 401)" in wrong.output
    assert len(wrong.output.strip().splitlines()) == 1
    closed = runner.invoke(args=["report", "--lrs", "http://127.0.0.1:9/xAPI/", "--out", str(tmp_path)])
    assert closed.exit_code != 0 and "unreachable" in closed.output
    assert len(closed.output.strip().splitlines()) == 1
    assert not tmp_path.exists()  # nothing written
