"""The outbox on SQLite and PostgreSQL: statements enter with the caller's transaction, validated, once."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from flask import Flask

from lti_tool.db import db, utcnow
from lti_tool.xapi import outbox
from lti_tool.xapi import statements as st
from lti_tool.xapi.models import OutboxState, StatementOutbox
from lti_tool.xapi.validation import StatementValidationError
from tests.integration.xapi.conftest import answered, poisoned


def rows() -> list[StatementOutbox]:
    return list(db.session.scalars(sa.select(StatementOutbox).order_by(StatementOutbox.id)))


def test_enqueue_joins_the_callers_transaction(app: Flask) -> None:
    statements = answered(3, uuid.uuid4())
    with app.app_context():
        assert outbox.enqueue(db.session, statements) == 3
        db.session.rollback()  # the domain change failed: its statements go with it
        assert rows() == []
        outbox.record_statements(db.session, statements)
        db.session.commit()
        stored = rows()
    assert [str(r.statement_id) for r in stored] == [s["id"] for s in statements]
    assert [r.payload for r in stored] == [st.to_json_bytes(s) for s in statements]  # the exact bytes
    assert {r.state for r in stored} == {OutboxState.PENDING.value}
    assert {r.issuer for r in stored} == {statements[0]["actor"]["account"]["homePage"]}


def test_the_same_event_recorded_again_is_a_no_op(app: Flask) -> None:
    statements = answered(2, uuid.uuid4())
    with app.app_context():
        outbox.enqueue(db.session, statements)
        db.session.commit()
        assert outbox.enqueue(db.session, [*statements, *statements]) == 0  # a resend, even twice in one call
        db.session.commit()
        assert len(rows()) == 2


def test_a_broken_envelope_raises_and_nothing_is_stored(app: Flask) -> None:
    # The request path checks id and timestamps only; Ralph's models run in the worker (test_delivery.py).
    good = answered(2, uuid.uuid4())
    naive = {**good[0], "id": str(uuid.uuid4()), "timestamp": "2026-11-23T09:00:00"}
    changed = {**good[1], "timestamp": "2026-11-23T10:00:00.000Z"}
    with app.app_context():
        with pytest.raises(StatementValidationError, match="timestamp: missing"):
            outbox.enqueue(db.session, [good[0], poisoned()])
        with pytest.raises(StatementValidationError, match="not a UUID"):
            outbox.enqueue(db.session, [{**good[0], "id": "launch-1"}])
        with pytest.raises(StatementValidationError, match="naive"):
            outbox.enqueue(db.session, [naive])
        with pytest.raises(StatementValidationError, match="different content"):
            outbox.enqueue(db.session, [good[1], changed])
        db.session.commit()
        assert rows() == []


def test_backlog_problems_and_requeue(app: Flask) -> None:
    statements = answered(4, uuid.uuid4())
    issuer = statements[0]["actor"]["account"]["homePage"]
    with app.app_context():
        outbox.enqueue(db.session, statements)
        first, second = rows()[:2]
        first.state, first.last_error = OutboxState.DEAD.value, "HTTP 422: no verb"
        second.next_try_at = utcnow() + dt.timedelta(hours=1)
        db.session.commit()
        backlog = outbox.backlog(db.session, issuer)
        assert backlog.counts == {"pending": 3, "delivered": 0, "conflict": 0, "dead": 1}
        assert backlog.due_now == 2 and backlog.oldest_pending is not None
        assert outbox.backlog(db.session, "https://other.example.org").counts["pending"] == 0
        assert [p.last_error for p in outbox.problems(db.session, issuer)] == ["HTTP 422: no verb"]
        assert outbox.problems(db.session, "https://other.example.org") == []
        assert outbox.requeue(db.session, dead=True, issuer="https://other.example.org") == 0
        assert outbox.requeue(db.session, ids=[first.statement_id]) == 1
        assert outbox.requeue(db.session) == 4  # every pending row is due now
        db.session.commit()
        assert outbox.backlog(db.session).due_now == 4


def test_enqueue_is_one_insert_per_call_whatever_the_batch_size(app: Flask) -> None:
    # Issue 5: the outbox must stay cheap on the request path. Its cost is measured in bench/xapi.py (a timed
    # assertion here would fail on a loaded machine); what a test can pin down is the work it does: one INSERT
    # for a whole batch, no read, no per-statement round trip.
    statements = answered(200, uuid.uuid4())
    executed: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:  # noqa: ANN001
        executed.append(statement.split(None, 1)[0].upper())

    with app.app_context():
        outbox.enqueue(db.session, statements[:1])  # the connection and transaction are open from here on
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert outbox.enqueue(db.session, statements[1:]) == 199
            assert outbox.enqueue(db.session, statements[1:]) == 0  # the same events recorded again
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        db.session.commit()
        assert outbox.backlog(db.session).counts.get("pending") == 200
    assert executed == ["INSERT", "INSERT"], executed
