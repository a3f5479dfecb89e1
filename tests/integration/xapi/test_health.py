"""/health reports each outbox's backlog and says "degraded" (200, with a reason) when rows wait and no worker runs."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from flask import Flask

from lti_tool.db import db, utcnow
from lti_tool.operations.models import WorkerHeartbeat
from lti_tool.runtime import current_settings, replace_settings, runtime
from lti_tool.xapi import outbox
from lti_tool.xapi.lrs import LrsProbe
from lti_tool.xapi.models import StatementOutbox
from tests.integration.xapi.conftest import answered


def _health(app: Flask) -> dict:
    response = app.test_client().get("/health")
    assert response.status_code == 200
    return response.get_json()


def test_an_empty_outbox_is_ok_and_reported(app: Flask) -> None:
    body = _health(app)
    assert body["status"] == "ok" and body["reasons"] == []
    assert body["outboxes"]["xapi"] == {"pending": 0, "oldest_pending_seconds": None, "last_status": None,
                                        "tries": 0, "worker_seen_seconds_ago": None}
    assert body["outboxes"]["grades"]["pending"] == 0


def test_rows_waiting_without_a_worker_make_the_tool_degraded_until_a_worker_runs(lrs_app: Flask) -> None:
    with lrs_app.app_context():
        outbox.record_statements(db.session, answered(3, uuid.uuid4()))
        db.session.commit()
    body = _health(lrs_app)
    assert body["status"] == "degraded"
    assert body["outboxes"]["xapi"]["pending"] == 3
    assert body["outboxes"]["xapi"]["oldest_pending_seconds"] >= 0
    [reason] = body["reasons"]
    assert "3 xapi row(s) wait" in reason and "`xapi deliver` has never run" in reason

    result = lrs_app.test_cli_runner().invoke(args=["xapi", "deliver", "--once"])
    assert result.exit_code == 0, result.output
    body = _health(lrs_app)
    assert body["status"] == "ok" and body["outboxes"]["xapi"]["pending"] == 0
    assert body["outboxes"]["xapi"]["worker_seen_seconds_ago"] < 30


def test_a_worker_that_cannot_reach_the_lrs_keeps_the_rows_and_health_says_since_when(app: Flask) -> None:
    settings = current_settings(app).model_copy(update={"lrs_url": "http://127.0.0.1:9/xAPI/"})
    replace_settings(app, settings)
    runtime(app).parts.lrs_probe = LrsProbe(settings)
    with app.app_context():
        outbox.record_statements(db.session, answered(2, uuid.uuid4()))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["xapi", "deliver", "--once"])
    assert result.exit_code != 0 and "the LRS did not take every statement" in result.output
    body = _health(app)
    assert body["status"] == "ok", "the worker runs: the rows wait for the LRS, not for a worker"
    assert body["outboxes"]["xapi"]["pending"] == 2 and body["lrs"] == "unreachable"

    assert body["outboxes"]["xapi"]["tries"] == 1
    for _ in range(2):  # the LRS stays down: after three tries /health says so
        with app.app_context():
            db.session.execute(sa.update(StatementOutbox).values(next_try_at=utcnow()))
            db.session.commit()
        app.test_cli_runner().invoke(args=["xapi", "deliver", "--once"])
    body = _health(app)
    assert body["status"] == "degraded" and body["outboxes"]["xapi"]["tries"] == 3
    assert body["reasons"] == ["2 xapi row(s) wait: the oldest was tried 3 times, the LRS gave no answer; they are "
                               "kept and retried."]

    with app.app_context():  # the worker stopped a while ago
        db.session.execute(sa.update(WorkerHeartbeat).values(beat_at=utcnow() - dt.timedelta(minutes=5)))
        db.session.commit()
    body = _health(app)
    assert body["status"] == "degraded"
    assert "`xapi deliver` last ran 300 s ago" in body["reasons"][0]
