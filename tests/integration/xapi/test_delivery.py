"""The worker against a real Ralph LRS: delivered once, poison dead-lettered alone, 401 and 5xx retried."""

from __future__ import annotations

import csv
import io
import logging
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from lti_tool.db import db, utcnow
from lti_tool.xapi import outbox
from lti_tool.xapi import statements as st
from lti_tool.xapi.envelope import to_json_bytes
from lti_tool.xapi.lrs_client import LrsClient, Outcome
from lti_tool.xapi.models import OutboxState, StatementOutbox
from lti_tool.xapi.profile import Profile, Verb
from lti_tool.xapi.refs import OutcomeRef, Score, SectionRef
from lti_tool.xapi.worker import Deliverer, DeliveryPolicy
from tests.integration.xapi.conftest import BASE, T0, UNIT, RecordingTransport, answered, learner, poisoned
from tests.lrs_fixtures import RalphLrs

pytestmark = pytest.mark.lrs


def states() -> dict[str, str]:
    return {str(r.statement_id): r.state for r in db.session.scalars(sa.select(StatementOutbox))}


def journey(who, attempt: uuid.UUID) -> list[dict]:
    prof, at = Profile(BASE), iter(T0.replace(minute=m) for m in range(60))
    return [
        st.unit_launched(prof, who, UNIT, next(at)),
        st.section_experienced(prof, who, UNIT, SectionRef("intro", "Intro"), next(at)),
        st.assessment_initialized(prof, who, UNIT, attempt, next(at)),
        *answered(3, attempt, who),
        st.assessment_completed(prof, who, UNIT, attempt, Score(1.0, 3, 3), next(at)),
        st.assessment_graded(prof, who, UNIT, attempt, Score(1.0, 3, 3), True, next(at)),
        st.outcome_mastered(prof, who, UNIT, attempt, OutcomeRef("lo1", "Trace wood"), Score(1.0), next(at)),
        st.unit_mastered(prof, who, UNIT, attempt, Score(1.0), next(at)),
        st.credential_earned(prof, who, UNIT, uuid.uuid5(attempt, "credential"), attempt, next(at)),
    ]


def test_delivered_statements_read_back_with_filters(app: Flask, lrs_client: LrsClient) -> None:
    who, attempt = learner(), uuid.uuid4()
    statements = journey(who, attempt)
    with app.app_context():
        outbox.enqueue(db.session, statements)
        db.session.commit()
        report = Deliverer(db.session, lrs_client, DeliveryPolicy(batch_size=5)).drain()
        assert len(report.delivered) == len(statements) and report.posts == 3 and report.stopped_by is None
        assert set(states().values()) == {OutboxState.DELIVERED.value}
        assert all(r.delivered_at is not None for r in db.session.scalars(sa.select(StatementOutbox)))
    agent = st.actor(who)
    stored = list(lrs_client.iter_statements(agent=agent))
    assert sorted(s["id"] for s in stored) == sorted(s["id"] for s in statements)
    launched = list(lrs_client.iter_statements(agent=agent, verb=Verb.LAUNCHED.value))
    assert [s["id"] for s in launched] == [statements[0]["id"]]
    unit = st.unit_iri(Profile(BASE), UNIT)
    assert {s["verb"]["id"] for s in lrs_client.iter_statements(agent=agent, activity=unit)} == {
        Verb.LAUNCHED.value, Verb.MASTERED.value}
    assert len(list(lrs_client.iter_statements(registration=attempt))) == len(statements) - 2


def test_a_poisoned_statement_is_dead_lettered_and_its_batch_delivered(app: Flask, lrs_client: LrsClient,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    good = answered(9, registration := uuid.uuid4())
    bad = poisoned()
    with app.app_context():
        outbox.enqueue(db.session, good[:4])
        # Bypass our validation (test only): store bytes Ralph refuses, in the middle of the batch.
        db.session.add(StatementOutbox(statement_id=uuid.UUID(bad["id"]), payload=to_json_bytes(bad)))
        db.session.flush()
        outbox.enqueue(db.session, good[4:])
        db.session.commit()
        # The worker's own validation off: the LRS alone judges the bytes (its refusal path is under test).
        report = Deliverer(db.session, lrs_client, DeliveryPolicy(batch_size=100, validate=False)).drain()
        assert (len(report.delivered), len(report.failed), report.stopped_by) == (9, 1, None)
        row = db.session.scalar(sa.select(StatementOutbox).where(StatementOutbox.statement_id == uuid.UUID(bad["id"])))
        assert row.state == OutboxState.DEAD.value and row.last_status == 422
        assert "verb" in row.last_error and "Field required" in row.last_error  # the LRS's own answer
    assert sorted(s["id"] for s in lrs_client.iter_statements(registration=registration)) == sorted(
        s["id"] for s in good)
    assert "refused by the LRS (HTTP 422)" in caplog.text


def test_an_invalid_statement_is_dead_lettered_before_it_is_sent(app: Flask, ralph_lrs: RalphLrs,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    # The request path checks only the envelope; Ralph's models run in the worker, before the POST.
    good = answered(5, registration := uuid.uuid4())
    bad = {**poisoned(), "timestamp": "2026-11-23T09:00:00.000Z"}  # an envelope that passes, no verb
    transport = RecordingTransport()
    with app.app_context(), LrsClient(ralph_lrs.url, ralph_lrs.username, ralph_lrs.password,
                                      transport=transport) as client:
        assert outbox.enqueue(db.session, [*good[:2], bad, *good[2:]]) == 6
        db.session.commit()
        report = Deliverer(db.session, client, DeliveryPolicy(batch_size=3)).drain()
        assert (len(report.delivered), len(report.failed), report.stopped_by) == (5, 1, None)
        row = db.session.scalar(sa.select(StatementOutbox).where(StatementOutbox.statement_id == uuid.UUID(bad["id"])))
        assert row.state == OutboxState.DEAD.value and row.last_status is None
        assert row.last_error.startswith("invalid statement, not sent") and "verb" in row.last_error
        assert sorted(s["id"] for s in client.iter_statements(registration=registration)) == sorted(
            s["id"] for s in good)
    assert bad["id"] not in transport.posted and sorted(transport.posted) == sorted(s["id"] for s in good)
    assert "is not valid, kept as dead" in caplog.text


def test_wrong_credentials_wait_and_are_logged_without_the_secret(app: Flask, ralph_lrs: RalphLrs,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    statements = answered(3, uuid.uuid4())
    secret = "wrong-" + uuid.uuid4().hex
    with app.app_context(), LrsClient(ralph_lrs.url, ralph_lrs.username, secret, timeout=5) as client:
        outbox.enqueue(db.session, statements)
        db.session.commit()
        caplog.set_level(logging.ERROR)
        report = Deliverer(db.session, client).drain()
        assert report.stopped_by is Outcome.AUTH_FAILED and len(report.retrying) == 3
        rows = list(db.session.scalars(sa.select(StatementOutbox)))
        assert {(r.state, r.tries, r.last_status) for r in rows} == {(OutboxState.PENDING.value, 1, 401)}
        assert all(r.next_try_at > utcnow() for r in rows)
    assert "refused our credentials" in caplog.text and secret not in caplog.text


def test_500_is_retried_and_an_already_stored_batch_counts_as_delivered(app: Flask, ralph_lrs: RalphLrs,
                                                          lrs_client: LrsClient) -> None:
    # Ralph stores a batch and then answers 500 when it cannot write its history file (DESIGN.md §6).
    history = Path(ralph_lrs.home) / "history.json"
    saved = history.with_suffix(".saved")
    statements = answered(4, registration := uuid.uuid4())
    with app.app_context():
        outbox.enqueue(db.session, statements)
        db.session.commit()
        policy = DeliveryPolicy(batch_size=10, base_delay_s=0.01, max_delay_s=0.01)
        if history.exists():
            shutil.move(history, saved)
        history.mkdir()  # unwritable for Ralph, even as root
        try:
            first = Deliverer(db.session, lrs_client, policy).drain()
        finally:
            history.rmdir()
            if saved.exists():
                shutil.move(saved, history)
        assert first.stopped_by is Outcome.RETRYABLE and len(first.retrying) == 4
        assert first.errors[0].startswith("HTTP 500")
        # As if Ralph had stored them before its 500 (as root we cannot make the history file read-only
        # for the store-then-fail variant): the same bytes are already in the LRS when the retry comes.
        with LrsClient(ralph_lrs.url, ralph_lrs.username, ralph_lrs.password) as fresh:
            assert fresh.post_batch([(s["id"], to_json_bytes(s)) for s in statements]).outcome is Outcome.DELIVERED
        outbox.requeue(db.session)
        db.session.commit()
        second = Deliverer(db.session, lrs_client, policy).drain()
        assert len(second.delivered) == 4 and set(states().values()) == {OutboxState.DELIVERED.value}
    assert sorted(s["id"] for s in lrs_client.iter_statements(registration=registration)) == sorted(
        s["id"] for s in statements)


def test_cli_deliver_status_requeue_and_export(lrs_app: Flask, tmp_path: Path) -> None:
    runner = lrs_app.test_cli_runner()
    assert runner.invoke(args=["content", "load"]).exit_code == 0
    who, attempt = learner(), uuid.uuid4()
    bad = poisoned()
    with lrs_app.app_context():
        outbox.enqueue(db.session, journey(who, attempt))
        db.session.add(StatementOutbox(statement_id=uuid.UUID(bad["id"]), payload=to_json_bytes(bad)))
        db.session.commit()
    result = runner.invoke(args=["xapi", "deliver", "--once"])
    assert result.exit_code == 0, result.output
    assert "delivered 11, conflicts 0, dead 1" in result.output
    status = runner.invoke(args=["xapi", "status"]).output
    assert "delivered 11" in status and "dead 1" in status and bad["id"] in status and "Field required" in status
    assert "requeued 1" in runner.invoke(args=["xapi", "requeue", "--dead"]).output
    assert "pending 1" in runner.invoke(args=["xapi", "status"]).output

    out = tmp_path / "pilots.csv"
    result = runner.invoke(args=["xapi", "export", "--since", "2026-11-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = [r for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))) if r["platform"] == who.issuer]
    expected = {"learners": "1", "attempts": "1", "outcomes_met": "1", "units_mastered": "1",
                "credentials_issued": "1", "credentials_revoked": "0"}
    assert [r["sector"] for r in rows] == ["wood", "all"]
    for row in rows:
        assert {k: row[k] for k in expected} == expected
