"""The learners' questionnaire: offered after a submitted unit, checked strictly, stored once, sent as xAPI."""

from __future__ import annotations

import json

import sqlalchemy as sa

from lti_tool.db import db
from lti_tool.pilots.models import QuestionnaireAnswer
from lti_tool.xapi.models import StatementOutbox
from tests.conftest import LEARNER, TEACHER, LiveTool
from tests.integration.dashboard.helpers import submit_attempt
from tests.integration.pilots.helpers import UNIT, launch
from tests.lti_platform import LtiRoles, TestPlatform

PATH = f"/units/{UNIT}/questionnaire"
GOOD = {"relevance": "4", "clarity": "5", "workload_hours": "12,5", "recommend": "yes", "comment": "Useful <b>x</b>"}


def _stored(tool: LiveTool) -> tuple[int, list[dict]]:
    with tool.app.app_context():
        rows = db.session.scalar(sa.select(sa.func.count(QuestionnaireAnswer.id)))
        payloads = [json.loads(p) for p in db.session.scalars(sa.select(StatementOutbox.payload))]
    return rows, [s for s in payloads if s["verb"]["id"].endswith("/responded")]


def test_answers_are_checked_stored_once_and_sent_pseudonymously(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner, page = launch(tool, platform, LEARNER)
    assert 'data-notice="questionnaire"' not in page.text  # not before the assessment is submitted
    assert learner.http.get(tool.url + PATH, timeout=30).status_code == 409
    submit_attempt(learner, {"lo1"})
    unit_page = learner.http.get(tool.url + f"/units/{UNIT}", timeout=30)
    assert 'data-notice="questionnaire"' in unit_page.text
    form = learner.http.get(tool.url + PATH, timeout=30)
    assert form.status_code == 200 and 'id="questionnaire"' in form.text
    for bad in ({"relevance": "6"}, {"clarity": "0"}, {"workload_hours": "-1"}, {"workload_hours": "201"},
                {"workload_hours": "lots"}, {"recommend": "maybe"}, {"comment": "x" * 1001}, {"relevance": ""}):
        answer = learner.http.post(tool.url + PATH, data={**GOOD, **bad, "csrf_token": learner.csrf}, timeout=30)
        assert answer.status_code == 422, bad
        assert _stored(tool) == (0, []), bad
    assert learner.http.post(tool.url + PATH, data=GOOD, timeout=30).status_code == 403  # no CSRF token
    sent = learner.http.post(tool.url + PATH, data={**GOOD, "csrf_token": learner.csrf}, timeout=30)
    assert sent.status_code == 200 and 'data-questionnaire="done"' in sent.text
    rows, statements = _stored(tool)
    assert rows == 1 and len(statements) == 1
    statement = statements[0]
    assert statement["actor"] == {"objectType": "Agent", "account": {"homePage": platform.issuer, "name": "learner-1"}}
    assert "Lea" not in json.dumps(statement) and "lea@example.org" not in json.dumps(statement)
    results = {k.rsplit("/", 1)[-1]: v for k, v in statement["result"]["extensions"].items()}
    assert results == {"relevance": 4, "clarity": 5, "workload-hours": 12.5, "recommend": True}
    assert statement["result"]["response"] == "Useful <b>x</b>"
    again = learner.http.post(tool.url + PATH, data={**GOOD, "csrf_token": learner.csrf}, timeout=30)
    assert again.status_code == 409 and _stored(tool)[0] == 1
    assert 'data-notice="questionnaire"' not in learner.http.get(tool.url + f"/units/{UNIT}", timeout=30).text


def test_teachers_do_not_answer(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    teacher, _ = launch(tool, platform, TEACHER, roles=[LtiRoles.INSTRUCTOR])
    assert teacher.http.get(tool.url + PATH, timeout=30).status_code == 403
    assert teacher.http.post(tool.url + PATH, data={**GOOD, "csrf_token": teacher.csrf}, timeout=30).status_code == 403
