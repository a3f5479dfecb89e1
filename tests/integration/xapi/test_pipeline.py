"""The pipelined worker keeps the delivery rules while one batch is out and the next is claimed (real Ralph).

Each test stops the worker at one exact moment, without sleeps: the transport runs a check while a POST is out
(Ralph has answered, the worker has not seen the answer yet), once the worker has claimed the next batch.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator

import httpx
import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import orm as so

from lti_tool.db import db, utcnow
from lti_tool.xapi import outbox, worker
from lti_tool.xapi.lrs_client import LrsClient, Outcome
from lti_tool.xapi.models import OutboxState, StatementOutbox
from lti_tool.xapi.worker import Deliverer, DeliveryPolicy
from tests.integration.xapi.conftest import answered
from tests.lrs_fixtures import RalphLrs

pytestmark = pytest.mark.lrs
BATCH = 10
WAIT_S = 60.0  # only a broken worker ever waits this long


class Scripted(httpx.BaseTransport):
    """The real HTTP transport to Ralph, noting each POST's statement ids.

    `during[n]` runs while POST n is out, after Ralph has answered it; `status[n]` then replaces Ralph's answer.
    """

    def __init__(self, during: dict[int, Callable[[], None]] | None = None,
                 status: dict[int, int] | None = None) -> None:
        self.inner = httpx.HTTPTransport()
        self.batches: list[list[str]] = []
        self.during = during or {}
        self.status = status or {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST":
            return self.inner.handle_request(request)
        self.batches.append([s["id"] for s in json.loads(request.content)])
        number = len(self.batches)
        response = self.inner.handle_request(request)
        if number in self.during:
            self.during[number]()
        if number not in self.status:
            return response
        response.read()
        response.close()
        return httpx.Response(self.status[number], text="scripted answer", request=request)

    def close(self) -> None:
        self.inner.close()


class Claims:
    """The batches the worker under test claims (its own thread only), with a wait for the n-th one."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.batches: list[list[int]] = []
        self._changed = threading.Condition()
        self._thread = threading.get_ident()
        real = worker.claim

        def counting(session: so.Session, limit: int, *args: object, **kwargs: object) -> list:
            rows = real(session, limit, *args, **kwargs)  # type: ignore[arg-type]
            if threading.get_ident() == self._thread and rows:
                with self._changed:
                    self.batches.append([r.pk for r in rows])
                    self._changed.notify_all()
            return rows

        monkeypatch.setattr(worker, "claim", counting)

    def wait_for(self, count: int) -> list[int]:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.batches) >= count, timeout=WAIT_S), \
                f"the worker claimed {len(self.batches)} batches, not {count}"
            return self.batches[count - 1]


@pytest.fixture
def claims(monkeypatch: pytest.MonkeyPatch) -> Claims:
    return Claims(monkeypatch)


@pytest.fixture
def client_for(ralph_lrs: RalphLrs) -> Iterator[Callable[[Scripted], LrsClient]]:
    opened: list[LrsClient] = []

    def open_one(transport: Scripted) -> LrsClient:
        opened.append(LrsClient(ralph_lrs.url, ralph_lrs.username, ralph_lrs.password, transport=transport))
        return opened[-1]

    yield open_one
    for client in opened:
        client.close()


def enqueue(app: Flask, count: int) -> tuple[list[dict], dict[str, int], uuid.UUID]:
    """`count` statements in the outbox; returns them, their row ids by statement id, and their registration."""
    statements = answered(count, registration := uuid.uuid4())
    with app.app_context():
        outbox.enqueue(db.session, statements)
        db.session.commit()
        pks = {str(sid): pk for sid, pk in db.session.execute(sa.select(StatementOutbox.statement_id,
                                                                        StatementOutbox.id))}
    return statements, pks, registration


def unlocked_due_rows(engine: sa.Engine) -> set[int]:
    """What any other worker could claim right now (PostgreSQL: due rows nobody holds)."""
    with so.Session(bind=engine) as probe:
        found = {row.pk for row in worker.claim(probe, 10_000)}
        probe.rollback()
    return found


def rows_by_pk() -> dict[int, StatementOutbox]:
    db.session.expire_all()
    return {r.id: r for r in db.session.scalars(sa.select(StatementOutbox))}


def test_a_batch_that_fails_while_the_next_is_claimed_loses_nothing(
        app: Flask, ralph_lrs: RalphLrs, client_for: Callable[[Scripted], LrsClient], claims: Claims) -> None:
    statements, pks, registration = enqueue(app, 4 * BATCH)
    with app.app_context():
        engine = db.engine  # the checks below run in the worker's POST thread, outside the app context
        postgresql = engine.dialect.name == "postgresql"
        seen: dict[str, set[int]] = {}

        def while_batch_2_is_out() -> None:
            first, second, third = (set(claims.wait_for(n)) for n in (1, 2, 3))
            assert not first & second and not second & third
            if postgresql:  # the batch in flight and the one claimed next stay locked
                seen["unlocked"] = unlocked_due_rows(engine)

        transport = Scripted(during={2: while_batch_2_is_out}, status={2: 503})
        report = Deliverer(db.session, client_for(transport), DeliveryPolicy(batch_size=BATCH)).drain()

        first, second, third = (set(claims.batches[n]) for n in range(3))
        rest = set(pks.values()) - first - second
        assert report.stopped_by is Outcome.RETRYABLE and len(transport.batches) == 2
        assert set(report.delivered) == first and set(report.retrying) == second
        if postgresql:
            assert seen["unlocked"] == rest - third and len(seen["unlocked"]) == BATCH
        rows, now = rows_by_pk(), utcnow()
        assert {rows[pk].state for pk in first} == {OutboxState.DELIVERED.value}
        assert all(rows[pk].state == OutboxState.PENDING.value and rows[pk].tries == 1
                   and rows[pk].last_status == 503 and rows[pk].next_try_at > now for pk in second)
        # claimed (the third batch) or not, never sent: untouched, due at once, no try counted
        assert all(rows[pk].state == OutboxState.PENDING.value and rows[pk].tries == 0
                   and rows[pk].last_status is None and rows[pk].next_try_at <= now for pk in rest)

        outbox.requeue(db.session)  # the 503's backoff, skipped
        db.session.commit()
        again = Scripted()
        report = Deliverer(db.session, client_for(again), DeliveryPolicy(batch_size=BATCH)).drain()
        assert len(report.delivered) == 3 * BATCH and report.stopped_by is None
        assert {r.state for r in rows_by_pk().values()} == {OutboxState.DELIVERED.value}

    sent = Counter(sid for batch in transport.batches + again.batches for sid in batch)
    refused = {sid for sid, pk in pks.items() if pk in second}
    assert {sid for sid, n in sent.items() if n == 2} == refused  # only the refused batch went twice
    assert set(sent) == {s["id"] for s in statements} and max(sent.values()) == 2
    with LrsClient(ralph_lrs.url, ralph_lrs.username, ralph_lrs.password) as reader:
        stored = [s["id"] for s in reader.iter_statements(registration=registration)]
    assert sorted(stored) == sorted(s["id"] for s in statements)


def test_a_second_worker_takes_only_what_the_pipelined_worker_does_not_hold(
        app: Flask, ralph_lrs: RalphLrs, client_for: Callable[[Scripted], LrsClient], claims: Claims) -> None:
    statements, pks, registration = enqueue(app, 6 * BATCH)
    with app.app_context():
        engine = db.engine  # the second worker runs in the first one's POST thread, outside the app context
        if engine.dialect.name != "postgresql":
            pytest.skip("several workers need PostgreSQL's FOR UPDATE SKIP LOCKED (SQLite runs one)")
        other = Scripted()
        taken: dict[str, list[int]] = {}

        def second_worker_while_batch_2_is_out() -> None:
            claims.wait_for(3)  # batch 2 out, batch 3 claimed: the other worker drains all it can
            with so.Session(bind=engine) as session:
                report = Deliverer(session, client_for(other), DeliveryPolicy(batch_size=BATCH)).drain()
            taken["delivered"] = report.delivered

        mine = Scripted(during={2: second_worker_while_batch_2_is_out})
        report = Deliverer(db.session, client_for(mine), DeliveryPolicy(batch_size=BATCH)).drain()

        held = {pk for batch in claims.batches[:3] for pk in batch}
        assert len(claims.batches) == 3 and set(report.delivered) == held
        assert set(taken["delivered"]) == set(pks.values()) - held and len(other.batches) == 3
        assert {r.state for r in rows_by_pk().values()} == {OutboxState.DELIVERED.value}

    sent = Counter(sid for batch in mine.batches + other.batches for sid in batch)
    assert set(sent) == {s["id"] for s in statements} and max(sent.values()) == 1  # none sent twice
    with LrsClient(ralph_lrs.url, ralph_lrs.username, ralph_lrs.password) as reader:
        stored = [s["id"] for s in reader.iter_statements(registration=registration)]
    assert sorted(stored) == sorted(sent)
