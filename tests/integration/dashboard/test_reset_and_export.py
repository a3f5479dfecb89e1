"""Resetting an attempt (reason required, recorded, xAPI voided, the try given back) and the CSV exports."""

from __future__ import annotations

import csv
import io
import json
import uuid

import sqlalchemy as sa

from lti_tool.assessment.models import Attempt
from lti_tool.dashboard.models import AttemptReset
from lti_tool.db import db, utcnow
from lti_tool.launch.models import User
from lti_tool.xapi import statements as st
from lti_tool.xapi.models import StatementOutbox
from tests.conftest import LiveTool
from tests.integration.dashboard.helpers import UNIT, get, ids, launch, post_form, rows, submit_attempt
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform

LEA = PlatformUser(sub="lea", name="Lea Learner")
TEACHER = PlatformUser(sub="teach", name="Tess Teacher")
OTHER_TEACHER = PlatformUser(sub="teach-2", name="Other Teacher")


def _outbox(tool: LiveTool) -> list[dict]:
    with tool.app.app_context():
        return [json.loads(p) for p in db.session.scalars(sa.select(StatementOutbox.payload))]


def _voided_targets(tool: LiveTool) -> set[str]:
    """The statement ids the outbox's voiding statements point at."""
    return {s["object"]["id"] for s in _outbox(tool) if s["verb"]["id"].endswith("/voided")}


def _learning_record(tool: LiveTool, attempt_id: str) -> set[str]:
    """The ids of the statements about one attempt (its registration), voiding statements left out."""
    return {s["id"] for s in _outbox(tool)
            if (s.get("context") or {}).get("registration") == attempt_id and not s["verb"]["id"].endswith("/voided")}


def test_reset_needs_a_reason_is_recorded_and_gives_the_attempt_back(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    lea = launch(tool, platform, LEA)
    results = [submit_attempt(lea, set()) for _ in range(3)]  # max_attempts is 3
    assert lea.api("POST", "/api/attempts", {"unit": UNIT}).status_code == 409  # no attempts left
    teacher = launch(tool, platform, TEACHER, teacher=True)
    context_pk, link_pk = ids(tool)
    first = results[0]["attempt_id"]
    assert _voided_targets(tool) == set()
    path = f"/courses/{context_pk}/attempts/{first}/reset"

    page = get(teacher, f"/courses/{context_pk}/links/{link_pk}")
    assert rows(page.text)["lea"].cells["attempts"].strip() == "3"
    assert f'href="{path}?' in page.text  # a link per submitted attempt to a page that asks first
    confirm = get(teacher, path)
    assert confirm.status_code == 200 and 'data-confirm="reset"' in confirm.text
    assert f'action="{path}?' in confirm.text and "Lea Learner" in confirm.text
    assert "Circular" in confirm.text  # the unit is named
    assert post_form(teacher, path, {"reason": ""}).status_code == 422
    assert post_form(teacher, path, {"reason": "   "}).status_code == 422
    assert teacher.api("POST", path, {}).status_code == 422
    assert post_form(teacher, path, {"reason": "Fire alarm"}, csrf=False).status_code == 403
    assert post_form(lea, path, {"reason": "I want another go"}).status_code == 403  # learners cannot reset

    done = post_form(teacher, path, {"reason": "Fire alarm during the attempt"})
    assert done.status_code == 303 and f"/links/{link_pk}?reset={first}" in done.headers["Location"]
    page = get(teacher, done.headers["Location"])
    assert f'data-reset="{first}"' in page.text
    row = rows(page.text)["lea"]
    assert row.cells["attempts"].strip() == "2" and row.status == "submitted"
    assert post_form(teacher, path, {"reason": "again"}).status_code == 409  # already reset

    with tool.app.app_context():
        attempt = db.session.get(Attempt, first)
        record = db.session.scalar(sa.select(AttemptReset).where(AttemptReset.attempt_id == first))
        assert attempt.state == "reset" and record is not None
        assert record.reason == "Fire alarm during the attempt" and record.previous_state == "submitted"
        assert record.previous_result == {k: v for k, v in results[0].items() if k != "attempt_id"}
        assert db.session.get(User, record.reset_by_pk).sub == TEACHER.sub
        assert (utcnow() - record.reset_at).total_seconds() < 60
        voiding = db.session.scalar(sa.select(StatementOutbox).where(
            StatementOutbox.statement_id == uuid.UUID(st.statement_id("voided", st.statement_id("initialized",
                                                                                              uuid.UUID(first))))))
        assert voiding is not None and TEACHER.sub.encode() in voiding.payload  # the teacher is the actor
    # The learning record the assessment hooks queued for the attempt is voided, all of it and nothing else.
    record_ids = _learning_record(tool, first)
    assert {st.statement_id("initialized", uuid.UUID(first)), st.statement_id("completed", uuid.UUID(first)),
            st.statement_id("failed", uuid.UUID(first))} <= record_ids
    assert _voided_targets(tool) == record_ids

    again = lea.api("POST", "/api/attempts", {"unit": UNIT})
    assert again.status_code == 201, again.text  # the reset gave one try back
    assert again.json()["number"] == 4
    in_progress = again.json()["id"]
    page = get(teacher, f"/courses/{context_pk}/links/{link_pk}")
    assert rows(page.text)["lea"].status == "in_progress"
    # An attempt in progress can be reset too (issue 11 H2: a learner stuck in one starts again).
    stuck = post_form(teacher, f"/courses/{context_pk}/attempts/{in_progress}/reset", {"reason": "Lost the tab"})
    assert stuck.status_code == 303
    with tool.app.app_context():
        record = db.session.scalar(sa.select(AttemptReset).where(AttemptReset.attempt_id == in_progress))
        assert record is not None and record.previous_state == "in_progress" and record.previous_result is None
    assert lea.api("POST", "/api/attempts", {"unit": UNIT}).json()["number"] == 5


def test_another_courses_teacher_cannot_reset(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    lea = launch(tool, platform, LEA)
    attempt_id = submit_attempt(lea, {"lo1"})["attempt_id"]
    other = launch(tool, platform, OTHER_TEACHER, teacher=True, other_course=True)
    context_pk, _ = ids(tool)
    context_2, _ = ids(tool, "course-2", "rl-2")
    assert post_form(other, f"/courses/{context_pk}/attempts/{attempt_id}/reset", {"reason": "x"}).status_code == 403
    assert post_form(other, f"/courses/{context_2}/attempts/{attempt_id}/reset", {"reason": "x"}).status_code == 404
    assert post_form(other, f"/courses/{context_2}/attempts/not-a-uuid/reset", {"reason": "x"}).status_code == 404
    with tool.app.app_context():
        assert db.session.get(Attempt, attempt_id).state == "submitted"


NASTY = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+SUM(1,2)", "-2+3", "@cmd", "Zoë Ünïcode"]


def test_csv_exports_have_bom_header_and_escaped_formulas(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    lea = launch(tool, platform, LEA)
    submit_attempt(lea, {"lo1", "lo3"})
    teacher = launch(tool, platform, TEACHER, teacher=True)
    platform.members = [{"user_id": f"n{i}", "name": name, "roles": [LtiRoles.LEARNER]} for i, name in enumerate(NASTY)]
    platform.members += [{"user_id": "lea", "name": "Lea Learner", "roles": [LtiRoles.LEARNER]}]
    context_pk, link_pk = ids(tool)

    answer = get(teacher, f"/courses/{context_pk}/links/{link_pk}/export.csv")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=") and disposition.endswith('.csv"')
    assert UNIT in disposition
    raw = answer.content
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header, body = table[0], table[1:]
    assert header[:4] == ["learner", "LTI user id", "on LMS roster", "status"]
    assert [h for h in header if h.startswith("outcome ")] == ["outcome lo1", "outcome lo2", "outcome lo3"]
    by_id = {line[1]: dict(zip(header, line, strict=True)) for line in body}
    assert len(body) == 6
    assert by_id["lea"]["status"] == "submitted"
    assert [by_id["lea"][f"outcome lo{n}"] for n in (1, 2, 3)] == ["met", "not met", "met"]
    assert by_id["n0"]["learner"] == "'" + NASTY[0] and by_id["n1"]["learner"] == "'+SUM(1,2)"
    assert by_id["n2"]["learner"] == "'-2+3" and by_id["n3"]["learner"] == "'@cmd"
    assert by_id["n4"]["learner"] == "Zoë Ünïcode" and by_id["n4"]["status"] == "not started"
    assert raw.count(b"\r\n") == len(table)

    course_csv = get(teacher, f"/courses/{context_pk}/dashboard/export.csv")
    assert course_csv.status_code == 200 and course_csv.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(course_csv.content.decode("utf-8-sig"), newline="")))
    assert lines[0][:5] == ["learner", "LTI user id", "on LMS roster", "activity", "unit"]
    assert "outcomes" in lines[0] and lines[0].count("status") == 1  # the header once per file
    lea_line = dict(zip(lines[0], next(line for line in lines if line[1] == "lea"), strict=True))
    assert lea_line["unit"] == UNIT and lea_line["outcomes"] == "lo1: met; lo2: not met; lo3: met"
    assert len(lines) == 7 and {line[0] for line in lines[1:]} >= {"'@cmd", "Lea Learner"}
