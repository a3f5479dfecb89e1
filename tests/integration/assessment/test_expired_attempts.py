"""Issue 11 H2 + M1: a timed attempt that runs out while the learner is away never locks them out.

The expired attempt is scored in its own committed transaction before the cooldown or attempt limit is
decided, so its grade, learning record and credential follow; a GET never starts an attempt; a teacher can
close or reset an attempt in progress.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from lti_tool.assessment.models import Attempt
from lti_tool.credentials.models import Credential
from lti_tool.db import db
from tests.conftest import LEARNER, LiveTool
from tests.integration.assessment.helpers import Learner, launch_learner
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform
from tests.support.catalogue import shipped_unit
from tests.unit_files import item_index, key_response

TIMED = "wood-chain-of-custody"  # 45-minute limit, 60-minute cooldown, 3 attempts, auto-scored
TEACHER = PlatformUser(sub="teach", name="Tess Teacher")


def _answer_right(learner: Learner, attempt: dict[str, Any]) -> None:
    index = item_index(shipped_unit(TIMED))
    for item in attempt["items"]:
        saved = learner.api("PUT", f"/api/attempts/{attempt['id']}/responses/{item['id']}",
                            {"response": key_response(index[item["id"]][1])})
        assert saved.status_code == 200, saved.text


def _time_runs_out(tool: LiveTool, attempt_id: str) -> None:
    with tool.app.app_context():  # the learner comes back long after the deadline
        row = db.session.get(Attempt, attempt_id)
        assert row is not None and row.deadline_at is not None
        row.deadline_at = row.deadline_at.replace(year=2001)
        db.session.commit()


def _state(tool: LiveTool, attempt_id: str) -> tuple[str, bool | None]:
    with tool.app.app_context():
        row = db.session.get(Attempt, attempt_id)
        assert row is not None
        return row.state, row.mastered


def _credentials(tool: LiveTool) -> int:
    with tool.app.app_context():
        return len(db.session.scalars(sa.select(Credential)).all())


def test_an_expired_attempt_is_scored_even_when_a_new_start_is_refused(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, TIMED, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": TIMED}).json()
    _answer_right(learner, attempt)
    _time_runs_out(tool, attempt["id"])
    # The expired attempt is scored first (committed); it mastered the unit, so a new start is refused
    # (this unit offers no practice attempts after mastery).
    again = learner.api("POST", "/api/attempts", {"unit": TIMED})
    assert again.status_code == 409 and again.json()["error"] == "mastered", again.text
    assert _state(tool, attempt["id"]) == ("submitted", True)
    assert _credentials(tool) == 1  # every answer was right: the credential follows
    [mine] = learner.api("GET", "/api/me/credentials").json()["credentials"]
    assert mine["unit"] == TIMED
    assert "sent" in tool.cli("grades", "deliver", "--once").lower()
    [score] = platform.scores  # and the grade reaches the gradebook
    assert score["scoreGiven"] == score["scoreMaximum"] and score["gradingProgress"] == "FullyGraded"
    # A second visit changes nothing: still one result, one credential.
    assert learner.api("POST", "/api/attempts", {"unit": TIMED}).status_code == 409
    assert _credentials(tool) == 1


def test_the_pages_say_the_time_ran_out(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, TIMED, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": TIMED}).json()
    _time_runs_out(tool, attempt["id"])
    page = learner.http.get(f"{tool.url}/units/{TIMED}/assessment", timeout=10)
    assert page.status_code == 200, page.text[:300]
    assert f'data-expired="{attempt["id"]}"' in page.text and "ran out while you were away" in page.text
    assert f"/units/{TIMED}/attempts/{attempt['id']}" in page.text  # a link to the results
    assert _state(tool, attempt["id"])[0] == "submitted"
    # Starting again from the page leads back to the unit page, which shows the cooldown as a state (issue 12).
    refused = learner.http.post(f"{tool.url}/units/{TIMED}/assessment", data={"csrf_token": learner.csrf},
                                timeout=10, allow_redirects=False)
    assert refused.status_code == 303 and refused.headers["Location"].split("?")[0] == f"/units/{TIMED}"
    unit_page = learner.http.get(tool.url + refused.headers["Location"], timeout=10)
    assert 'data-standing="cooldown"' in unit_page.text and "next attempt" in unit_page.text
    api = learner.api("POST", "/api/attempts", {"unit": TIMED})  # the API still answers the 409 with its code
    assert api.status_code == 409 and api.json()["error"] == "cooldown" and "try again in" in api.json()["message"]


def test_the_unit_page_shows_the_result_of_an_attempt_that_ran_out(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, TIMED, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": TIMED}).json()
    _time_runs_out(tool, attempt["id"])
    page = learner.http.get(f"{tool.url}/units/{TIMED}", timeout=10)
    assert page.status_code == 200
    assert f"/units/{TIMED}/attempts/{attempt['id']}" in page.text  # "See your results", not "…"
    assert _state(tool, attempt["id"])[0] == "submitted"


def test_a_get_never_starts_an_attempt(registered: tuple[LiveTool, TestPlatform]) -> None:
    """M1: an <img src=".../assessment"> in a forum post must not start a timed attempt."""
    tool, platform = registered
    learner = launch_learner(tool, platform, TIMED, LEARNER)
    page = learner.http.get(f"{tool.url}/units/{TIMED}/assessment", timeout=10)
    assert page.status_code == 200 and 'id="start-assessment"' in page.text and 'id="attempt"' not in page.text
    with tool.app.app_context():
        assert db.session.scalars(sa.select(Attempt)).all() == []
    no_token = learner.http.post(f"{tool.url}/units/{TIMED}/assessment", timeout=10, allow_redirects=False)
    assert no_token.status_code == 403  # a cross-site form cannot start one either
    started = learner.http.post(f"{tool.url}/units/{TIMED}/assessment", data={"csrf_token": learner.csrf},
                                timeout=10, allow_redirects=False)
    assert started.status_code == 303
    assert started.headers["Location"].split("?")[0].endswith(f"/units/{TIMED}/assessment")
    page = learner.http.get(tool.url + started.headers["Location"], timeout=10)
    assert 'id="attempt"' in page.text
    with tool.app.app_context():
        [row] = db.session.scalars(sa.select(Attempt)).all()
        assert row.state == "in_progress"
    # Posting again resumes the same attempt.
    learner.http.post(f"{tool.url}/units/{TIMED}/assessment", data={"csrf_token": learner.csrf}, timeout=10)
    with tool.app.app_context():
        assert len(db.session.scalars(sa.select(Attempt)).all()) == 1


def test_the_unit_page_starts_with_a_form_post(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, TIMED, LEARNER)
    page = learner.http.get(f"{tool.url}/units/{TIMED}", timeout=10)
    form = re.search(r'<form method="post" action="([^"]+)">\s*<input type="hidden" name="csrf_token" '
                     r'value="([^"]+)">\s*<p><button type="submit" class="button" id="start-assessment">', page.text)
    assert form and form.group(1).split("?")[0] == f"/units/{TIMED}/assessment" and form.group(2) == learner.csrf


def test_a_teacher_closes_an_attempt_in_progress(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, TIMED, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": TIMED}).json()
    _answer_right(learner, attempt)
    teacher = launch_learner(tool, platform, TIMED, TEACHER, roles=[LtiRoles.INSTRUCTOR])
    with tool.app.app_context():
        context_pk = db.session.get(Attempt, attempt["id"]).context_pk
    path = f"/courses/{context_pk}/attempts/{attempt['id']}/close"
    assert learner.http.post(tool.url + path, data={"csrf_token": learner.csrf}, timeout=10).status_code == 403
    dashboard = teacher.http.get(f"{tool.url}/courses/{context_pk}/links/"
                                 f"{_link_pk(tool, attempt['id'])}", timeout=10)
    assert f'action="{path}?ls=' in dashboard.text  # a close button for the attempt in progress
    closed = teacher.http.post(tool.url + path, data={"csrf_token": teacher.csrf}, timeout=10, allow_redirects=False)
    assert closed.status_code == 303 and f"closed={attempt['id']}" in closed.headers["Location"]
    assert _state(tool, attempt["id"]) == ("submitted", True)
    assert _credentials(tool) == 1
    again = teacher.http.post(tool.url + path, data={"csrf_token": teacher.csrf}, timeout=10, allow_redirects=False)
    assert again.status_code == 409  # closed once


def _link_pk(tool: LiveTool, attempt_id: str) -> int:
    with tool.app.app_context():
        row = db.session.get(Attempt, attempt_id)
        assert row is not None and row.resource_link_pk is not None
        return row.resource_link_pk


def test_the_sweeper_scores_an_attempt_whose_learner_never_came_back(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, TIMED, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": TIMED}).json()
    _answer_right(learner, attempt)
    _time_runs_out(tool, attempt["id"])
    assert "timed-out attempts scored: 1" in tool.cli("sweep")
    assert _state(tool, attempt["id"]) == ("submitted", True)
    assert _credentials(tool) == 1
    assert "timed-out attempts scored: 0" in tool.cli("sweep")  # once
