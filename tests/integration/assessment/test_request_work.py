"""What an autosave and a submit cost in database work (issue 16): the statements they send, not their time.

Their speed is measured in bench/assessment.py (a timed assertion would fail on a loaded machine); what a test
pins down is the work: no re-read of the unit document, no read-before-write of a response, no reload after
the commit, ~30 statements queued with one INSERT.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from lti_tool.db import db
from lti_tool.xapi.models import StatementOutbox
from tests.conftest import LEARNER, LiveTool
from tests.integration.assessment.helpers import launch_learner
from tests.lti_platform import TestPlatform
from tests.support.catalogue import shipped_unit
from tests.unit_files import item_index, key_response

UNIT = "manufacturing-circular-design"  # fully auto-scored


@contextmanager
def statements_sent(tool: LiveTool) -> Iterator[list[str]]:
    """The SQL statements the tool sends inside the block (the live server runs in this process)."""
    sent: list[str] = []

    def note(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:  # noqa: ANN001
        sent.append(" ".join(statement.split()))

    with tool.app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


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
    # The registrations' generation (one row: is the cached registry still current?), the launch session, the
    # attempt with its unit row, one upsert.
    work = [" ".join(s.split()[:4]) for s in sent if not s.startswith(("SAVEPOINT", "RELEASE"))]
    assert [w.split()[0] for w in work] == ["SELECT", "SELECT", "SELECT", "INSERT"], sent
    assert "registry_generation" in work[0] and "launch_session" in work[1] and "attempt" in work[2], work
    assert not any("unit.document" in s for s in sent), "the unit document is parsed once per process"
    assert "ON CONFLICT" in sent[-1]
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
    assert sum("WHERE launch_session.token_hash" in s for s in sent) == 1, "no reload after the commit"
    assert not any("unit.document" in s for s in sent)
    # Mastered and right: the saved answers come back as stored, in the next autosave's response too.
    again = learner.api("GET", f"/api/attempts/{attempt['id']}").json()
    assert again["responses"][first["id"]] == key_response(index[first["id"]][1])
