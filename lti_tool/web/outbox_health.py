"""What /health says about the two outboxes: backlog, age of the oldest waiting row, and whether a worker runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.db import utcnow
from lti_tool.lms.models import GradeSync, SyncState
from lti_tool.operations.heartbeat import last_beats
from lti_tool.xapi.models import OutboxState, StatementOutbox

# A worker that has not been through its loop for this long while rows wait is taken as not running
# (workers beat every 5 s; a drain of the outbox commits between batches, so a minute is generous).
WORKER_STALE_SECONDS = 60
# The oldest waiting row has failed this often: the LMS or the LRS keeps refusing or cannot be reached.
FAILING_TRIES = 3


@dataclass(frozen=True)
class OutboxHealth:
    """One outbox: rows waiting, the oldest one's age and last answer, and the worker's last heartbeat."""

    name: str
    worker: str  # the command that drains it
    pending: int
    oldest_pending_seconds: float | None
    last_status: int | None  # the HTTP status of the oldest waiting row's last try (None: no answer or no try)
    tries: int  # how often the oldest waiting row was tried
    worker_seen_seconds_ago: float | None

    @property
    def problem(self) -> str | None:
        """Why this outbox makes the tool degraded, or None."""
        if not self.pending:
            return None
        seen = self.worker_seen_seconds_ago
        if seen is None or seen > WORKER_STALE_SECONDS:
            when = "has never run" if seen is None else f"last ran {round(seen)} s ago"
            return (f"{self.pending} {self.name} row(s) wait and the worker `{self.worker}` {when}: "
                    "start it (make run starts it for you).")
        if self.tries >= FAILING_TRIES:
            answer = f"HTTP {self.last_status}" if self.last_status else "no answer"
            target = "LMS" if self.name == "grades" else "LRS"
            return (f"{self.pending} {self.name} row(s) wait: the oldest was tried {self.tries} times, the {target} "
                    f"gave {answer}; they are kept and retried.")
        return None

    def as_json(self) -> dict[str, Any]:
        """The JSON /health shows."""
        return {
            "pending": self.pending,
            "oldest_pending_seconds": _round(self.oldest_pending_seconds),
            "last_status": self.last_status,
            "tries": self.tries,
            "worker_seen_seconds_ago": _round(self.worker_seen_seconds_ago),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _age(moment: Any, now: dt.datetime) -> float | None:
    if moment is None:
        return None
    if isinstance(moment, str):  # aggregates bypass the UTCDateTime type on SQLite
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return max((now - moment).total_seconds(), 0.0)


def _outbox(session: so.Session, table: Any, pending_state: str) -> tuple[int, Any, int | None, int]:
    waiting = table.state == pending_state
    count, oldest = session.execute(sa.select(sa.func.count(), sa.func.min(table.created_at)).where(waiting)).one()
    status, tries = None, 0
    if count:
        status, tries = session.execute(sa.select(table.last_status, table.tries).where(waiting)
                                        .order_by(table.id).limit(1)).one()
    return int(count or 0), oldest, status, int(tries or 0)


def outbox_health(session: so.Session, now: dt.datetime | None = None) -> list[OutboxHealth]:
    """The grade outbox and the statement outbox, as /health reports them."""
    now = now or utcnow()
    beats = last_beats(session)
    report = []
    for name, worker, beat, table, state in (
        ("grades", "grades deliver", "grades", GradeSync, SyncState.PENDING.value),
        ("xapi", "xapi deliver", "xapi", StatementOutbox, OutboxState.PENDING.value),
    ):
        pending, oldest, status, tries = _outbox(session, table, state)
        seen = beats.get(beat)
        report.append(OutboxHealth(name, worker, pending, _age(oldest, now), status, tries,
                                   _age(seen.beat_at, now) if seen else None))
    return report
