"""Delivery of the outbox to the LRS: claim due rows in batches, POST their exact bytes, record the outcome.

Rules (issue 5, DESIGN.md §6 "The Ralph LRS"):
- 200/204 → delivered (a resend of a stored statement is answered as stored, so "stored, then 500"
  becomes delivered on the retry);
- 409 or 400/422 for a batch → the batch is split in halves and resent until the one statement the LRS
  refuses is found: it alone becomes `conflict` (409) or `dead` (400/422) with the LRS's answer;
- 401/403 → the batch waits (exponential backoff) and the error is logged loudly, without secrets;
- 5xx, timeouts, refused connections → the batch waits with exponential backoff and jitter, forever:
  nothing is ever dropped for being undeliverable *now*.
On PostgreSQL rows are claimed with `FOR UPDATE SKIP LOCKED` and stay locked until their outcome is
committed, so several workers never send the same row; on SQLite one worker runs (cli.py holds a lock file).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.db import utcnow
from lti_tool.xapi.lrs_client import BatchResult, LrsClient, Outcome
from lti_tool.xapi.models import OutboxState, StatementOutbox

log = logging.getLogger(__name__)
MAX_BATCH = 500
_ERROR_CHARS = 4000  # the LRS's answer kept with a dead letter (Ralph's 422 lists every field error)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """Batch size and retry timing of the worker."""

    batch_size: int = 250
    base_delay_s: float = 2.0
    max_delay_s: float = 300.0

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_BATCH:
            raise ValueError(f"batch size must be within 1..{MAX_BATCH}, got {self.batch_size}")

    def delay(self, tries: int, rng: random.Random) -> float:
        """Seconds to wait after the `tries`-th failure: exponential, capped, with jitter (half to full)."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** max(tries - 1, 0))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass
class DeliveryReport:
    """What one drain of the outbox did."""

    delivered: int = 0
    conflicts: int = 0
    dead: int = 0
    deferred: int = 0
    posts: int = 0
    stopped_by: Outcome | None = None  # RETRYABLE (LRS down) or AUTH_FAILED ended the drain early
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Row:
    pk: int
    statement_id: uuid.UUID
    payload: bytes
    tries: int


def claim(session: so.Session, limit: int, now: dt.datetime | None = None) -> list[_Row]:
    """Lock and return up to `limit` due pending rows, oldest first (skipping rows other workers hold)."""
    t = StatementOutbox
    query = (
        sa.select(t.id, t.statement_id, t.payload, t.tries)
        .where(t.state == OutboxState.PENDING.value, t.next_try_at <= (now or utcnow()))
        .order_by(t.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=t)
    return [_Row(*row) for row in session.execute(query)]


class Deliverer:
    """Sends claimed rows with one LRS client and writes each row's outcome on the session."""

    def __init__(self, session: so.Session, client: LrsClient, policy: DeliveryPolicy | None = None,
                 rng: random.Random | None = None) -> None:
        self.session = session
        self.client = client
        self.policy = policy or DeliveryPolicy()
        self.rng = rng or random.Random()

    def drain(self, *, max_batches: int | None = None) -> DeliveryReport:
        """Deliver due rows batch by batch (each committed) until none is due or the LRS cannot take more."""
        report = DeliveryReport()
        batches = 0
        while max_batches is None or batches < max_batches:
            rows = claim(self.session, self.policy.batch_size)
            if not rows:
                self.session.commit()  # end the read transaction
                break
            self._send(rows, report)
            self.session.commit()
            batches += 1
            if report.stopped_by is not None:
                break
        return report

    def _send(self, rows: list[_Row], report: DeliveryReport) -> None:
        result = self.client.post_batch([(str(r.statement_id), r.payload) for r in rows])
        report.posts += 1
        if result.outcome is Outcome.DELIVERED:
            self._mark(rows, OutboxState.DELIVERED, result)
            report.delivered += len(rows)
        elif result.outcome in (Outcome.CONFLICT, Outcome.REJECTED):
            if len(rows) > 1:  # find the statement(s) the LRS refuses; the others get stored
                half = len(rows) // 2
                self._send(rows[:half], report)
                self._send(rows[half:], report)
                return
            state = OutboxState.CONFLICT if result.outcome is Outcome.CONFLICT else OutboxState.DEAD
            self._mark(rows, state, result)
            log.warning("xAPI statement %s refused by the LRS (HTTP %s), kept as %s: %s", rows[0].statement_id,
                        result.status_code, state.value, result.body[:500])
            if state is OutboxState.CONFLICT:
                report.conflicts += 1
            else:
                report.dead += 1
        else:
            if result.outcome is Outcome.AUTH_FAILED:
                # Loud, but never the credentials themselves: only the URL and the status.
                log.error("The LRS at %s refused our credentials (HTTP %s): check LRS_USERNAME/LRS_PASSWORD. "
                          "%d statements wait and will be retried.", self.client.base_url, result.status_code,
                          len(rows))
            else:
                log.warning("LRS unavailable (%s); %d statements will be retried later",
                            result.status_code or result.body[:200], len(rows))
            self._defer(rows, result)
            report.deferred += len(rows)
            report.stopped_by = result.outcome
            report.errors.append(_reason(result))

    def _mark(self, rows: list[_Row], state: OutboxState, result: BatchResult) -> None:
        values: dict[str, Any] = {"state": state.value, "last_status": result.status_code}
        if state is OutboxState.DELIVERED:
            values |= {"delivered_at": utcnow(), "last_error": ""}
        else:
            values |= {"last_error": _reason(result), "tries": StatementOutbox.tries + 1}
        self.session.execute(
            sa.update(StatementOutbox).where(StatementOutbox.id.in_([r.pk for r in rows])).values(**values)
            .execution_options(synchronize_session=False)
        )

    def _defer(self, rows: list[_Row], result: BatchResult) -> None:
        now, reason = utcnow(), _reason(result)
        updates = [
            {"id": r.pk, "tries": r.tries + 1, "last_status": result.status_code, "last_error": reason,
             "next_try_at": now + dt.timedelta(seconds=self.policy.delay(r.tries + 1, self.rng))}
            for r in rows
        ]
        self.session.execute(sa.update(StatementOutbox), updates)  # ORM bulk UPDATE by primary key


def _reason(result: BatchResult) -> str:
    head = f"HTTP {result.status_code}" if result.status_code is not None else "no answer"
    return f"{head}: {result.body}"[:_ERROR_CHARS]


def next_due(session: so.Session) -> dt.datetime | None:
    """When the next pending row becomes due (None when nothing is pending)."""
    value = session.scalar(sa.select(sa.func.min(StatementOutbox.next_try_at))
                           .where(StatementOutbox.state == OutboxState.PENDING.value))
    session.commit()
    if value is None:
        return None
    if isinstance(value, str):  # SQLite aggregates skip the column type
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
