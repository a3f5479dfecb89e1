"""An LRS outage mid-delivery loses and doubles nothing; two PostgreSQL workers never send a row twice."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import pytest
import sqlalchemy as sa
from flask import Flask

from lti_tool.db import db
from lti_tool.xapi import outbox
from lti_tool.xapi.lrs_client import LrsClient
from lti_tool.xapi.models import OutboxState, StatementOutbox
from lti_tool.xapi.worker import Deliverer, DeliveryPolicy
from tests.integration.xapi.conftest import RecordingTransport, answered
from tests.lrs_fixtures import RalphLrs

pytestmark = [pytest.mark.lrs, pytest.mark.slow]
FAST_RETRY = DeliveryPolicy(batch_size=100, base_delay_s=0.05, max_delay_s=0.5)


def delivered_count(app: Flask) -> int:
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).where(
            StatementOutbox.state == OutboxState.DELIVERED.value).select_from(StatementOutbox))
        db.session.remove()
        return int(count or 0)


def work(app: Flask, client: LrsClient, until: threading.Event, deadline: float) -> None:
    """A worker loop: drain, and when the LRS fails or nothing is due, wait a little and go again."""
    with app.app_context():
        worker = Deliverer(db.session, client, FAST_RETRY)
        while not until.is_set() and time.monotonic() < deadline:
            report = worker.drain()
            if report.stopped_by is not None or not report.posts:
                time.sleep(0.05)
        db.session.remove()


def test_lrs_killed_mid_delivery_of_5000_every_statement_arrives_exactly_once(
    app: Flask, ralph_lrs: RalphLrs, lrs_client: LrsClient
) -> None:
    statements = answered(5000, registration := uuid.uuid4())
    with app.app_context():
        outbox.enqueue(db.session, statements)
        db.session.commit()
    done = threading.Event()
    with LrsClient(ralph_lrs.url, ralph_lrs.username, ralph_lrs.password, timeout=5, connect_timeout=1) as client:
        worker = threading.Thread(target=work, args=(app, client, done, time.monotonic() + 240))
        worker.start()
        try:
            while delivered_count(app) < 1000:
                time.sleep(0.02)
            ralph_lrs.stop()  # mid-delivery: the worker sees refused connections and backs off
            stopped_at = delivered_count(app)
            time.sleep(1.0)
            assert delivered_count(app) == stopped_at < 5000
            ralph_lrs.start()
            deadline = time.monotonic() + 180
            while delivered_count(app) < 5000 and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            ralph_lrs.start()
            done.set()
            worker.join(timeout=60)
    assert delivered_count(app) == 5000
    stored = [s["id"] for s in lrs_client.iter_statements(registration=registration, limit=1000)]
    assert len(stored) == 5000 and set(stored) == {s["id"] for s in statements}  # each once, none missing


def test_two_workers_on_postgresql_never_send_a_row_twice(app: Flask, ralph_lrs: RalphLrs,
                                                         lrs_client: LrsClient) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("several workers need PostgreSQL's FOR UPDATE SKIP LOCKED (SQLite runs one)")
        statements = answered(2000, registration := uuid.uuid4())
        outbox.enqueue(db.session, statements)
        db.session.commit()
    transports = [RecordingTransport(), RecordingTransport()]
    start = threading.Barrier(2)

    def one_worker(transport: RecordingTransport) -> None:
        with LrsClient(ralph_lrs.url, ralph_lrs.username, ralph_lrs.password, transport=transport) as client, \
                app.app_context():
            start.wait()
            Deliverer(db.session, client, DeliveryPolicy(batch_size=100)).drain()
            db.session.remove()

    threads = [threading.Thread(target=one_worker, args=(t,)) for t in transports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    first, second = (t.posted for t in transports)
    assert first and second, "both workers should have taken a share"
    sent = Counter(first + second)
    assert sent.most_common(1)[0][1] == 1 and set(sent) == {s["id"] for s in statements}
    assert delivered_count(app) == 2000
    stored = [s["id"] for s in lrs_client.iter_statements(registration=registration, limit=1000)]
    assert sorted(stored) == sorted(sent)
