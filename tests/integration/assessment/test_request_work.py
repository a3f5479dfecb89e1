"""What an autosave and a submit cost in database work (issue 16): the statements they send, not their time.

Their speed is measured in bench/assessment.py (a timed assertion would fail on a loaded machine); what a test
pins down is the work: no re-read of the unit document, no read-before-write of a response, no reload after
the commit, ~30 statements queued with one INSERT.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager

import sqlalchemy as sa

from lti_tool.assessment.models import Attempt, AttemptResponse
from lti_tool.db import db
from lti_tool.xapi.models import StatementOutbox
from tests.conftest import LEARNER, LiveTool
from tests.integration.assessment.helpers import launch_learner
from tests.lti_platform import PlatformUser, TestPlatform
from tests.support.catalogue import shipped_unit
from tests.support.sql_log import request_statements
from tests.unit_files import item_index, key_response

UNIT = "manufacturing-circular-design"  # fully auto-scored


def statements_sent(tool: LiveTool) -> AbstractContextManager[list[str]]:
    """The SQL statements the tool's requests send inside the block."""
    return request_statements(tool.app)


def outbox_rows(tool: LiveTool) -> int:
    with tool.app.app_context():
        count = int(db.session.scalar(sa.select(sa.func.count()).select_from(StatementOutbox)) or 0)
        db.session.remove()
    return count


def test_autosave_and_submit_do_only_the_work_they_need(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    index = item_index(shipped_unit(UNIT))
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    first, *rest = attempt["items"]
    path = f"/api/attempts/{attempt['id']}/responses/{first['id']}"
    learner.api("PUT", path, {"response": key_response(index[first["id"]][1])})
    with statements_sent(tool) as sent:  # the same item again: an update, the same single statement
        saved = learner.api("PUT", path, {"response": key_response(index[first["id"]][1])})
    assert saved.status_code == 200, saved.text
    # The registrations' generation (one row: is the cached registry still current?) with the launch session in
    # one statement (lti_tool.launch.services.session_and_generation), and one upsert that checks the attempt's
    # owner, placement, state and deadline itself (the attempt's fixed facts were cached by the first autosave).
    work = [" ".join(s.split()[:4]) for s in sent if not s.startswith(("SAVEPOINT", "RELEASE"))]
    assert [w.split()[0] for w in work] == ["SELECT", "INSERT"], sent
    assert "registry_generation" in sent[0] and "launch_session.token_hash =" in sent[0], sent[0]
    assert not any("unit.document" in s for s in sent), "the unit document is parsed once per process"
    assert "ON CONFLICT" in sent[-1] and "EXISTS" in sent[-1] and "attempt.state" in sent[-1], sent[-1]
    for item in rest:
        learner.api("PUT", f"/api/attempts/{attempt['id']}/responses/{item['id']}",
                    {"response": key_response(index[item["id"]][1])})
    queued_before = outbox_rows(tool)
    with statements_sent(tool) as sent:
        result = learner.api("POST", f"/api/attempts/{attempt['id']}/submit")
    assert result.status_code == 200 and result.json()["mastered"] is True, result.text
    outbox_inserts = [s for s in sent if s.startswith("INSERT INTO xapi_statement_outbox")]
    # The attempt's ~20 statements in one INSERT, the credential's "earned" (its own event) in another.
    assert len(outbox_inserts) <= 2, outbox_inserts
    assert outbox_rows(tool) - queued_before >= len(attempt["items"])  # an answer each, and more
    assert sum("launch_session.token_hash =" in s for s in sent) == 1, "no reload after the commit"
    assert not any("unit.document" in s for s in sent)
    # Mastered and right: the saved answers come back as stored, in the next autosave's response too.
    again = learner.api("GET", f"/api/attempts/{attempt['id']}").json()
    assert again["responses"][first["id"]] == key_response(index[first["id"]][1])


def test_the_one_statement_autosave_refuses_what_the_full_one_refuses(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    """Once an attempt's facts are cached, every refusal is still the one the full path gives, and nothing is
    written: another learner's attempt, an answer that does not fit, a passed deadline, a submitted attempt."""
    tool, platform = registered
    index = item_index(shipped_unit(UNIT))
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    item = next(i for i in attempt["items"] if i["type"] == "single_choice")
    path = f"/api/attempts/{attempt['id']}/responses/{item['id']}"
    right = key_response(index[item["id"]][1])
    assert learner.api("PUT", path, {"response": right}).status_code == 200  # caches the attempt's facts
    with statements_sent(tool) as sent:
        assert learner.api("PUT", path, {"response": right}).status_code == 200
    assert sum(s.startswith("INSERT INTO attempt_response") for s in sent) == 1
    assert not any(s.startswith("SELECT attempt.") for s in sent), "the fast path reads no attempt row"

    other = launch_learner(tool, platform, UNIT, PlatformUser(sub="learner-fast-2", name="Other"))
    foreign = other.api("PUT", path, {"response": right})
    assert foreign.status_code == 404 and foreign.json()["error"] == "not_found", foreign.text
    bad = learner.api("PUT", path, {"response": "no-such-option"})
    assert bad.status_code == 422 and set(bad.json()) == {"error", "message"}, bad.text
    missing = learner.api("PUT", f"/api/attempts/{attempt['id']}/responses/not-drawn", {"response": "a"})
    assert missing.status_code == 404, missing.text

    with tool.app.app_context():  # the deadline moves into the past behind the cache's back
        row = db.session.get(Attempt, attempt["id"])
        assert row is not None
        kept_deadline = row.deadline_at
        row.deadline_at = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)
        db.session.commit()
    late = learner.api("PUT", path, {"response": right})
    assert late.status_code == 409 and late.json()["error"] == "time_limit_passed", late.text
    with tool.app.app_context():
        row = db.session.get(Attempt, attempt["id"])
        assert row is not None
        row.deadline_at = kept_deadline
        db.session.commit()

    assert learner.api("POST", f"/api/attempts/{attempt['id']}/submit").status_code == 200
    after = learner.api("PUT", path, {"response": right})
    assert after.status_code == 409 and after.json()["error"] == "submitted", after.text
    with tool.app.app_context():
        saved = db.session.scalars(sa.select(AttemptResponse).where(AttemptResponse.attempt_id == attempt["id"]))
        assert [(r.item_id, r.response) for r in saved] == [(item["id"], right)]
