"""The transactional outbox: statements enter in the caller's transaction; status and requeue for admins.

`record_statements` is what domain services call (launch recorded, response saved, attempt submitted,
credential issued...): it checks the envelope (id, timestamps), then inserts into the outbox on the caller's
session without committing and without any network, so the statement exists if and only if the domain change
commits. The full xAPI validation runs in the worker, before the statement is sent (see validation.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.dialects import postgresql, sqlite

from lti_tool.db import as_utc, note_write, queue_insert, table_of, utcnow
from lti_tool.xapi.envelope import to_json_bytes
from lti_tool.xapi.models import OutboxState, StatementOutbox
from lti_tool.xapi.profile import Extension
from lti_tool.xapi.validation import StatementValidationError, check_envelope


def _issuer(statement: Mapping[str, Any]) -> str:
    account = (statement.get("actor") or {}).get("account") or {}
    return str(account.get("homePage") or "")[:255]


def _tenant(statement: Mapping[str, Any]) -> dict[str, str]:
    """client_id and deployment_id from the statement's context extensions ("" when it has none)."""
    extensions = (statement.get("context") or {}).get("extensions") or {}
    found = {"client_id": "", "deployment_id": ""}
    for key, value in extensions.items():
        if key.endswith("/extensions/" + Extension.LTI_CLIENT.value):
            found["client_id"] = str(value)[:255]
        elif key.endswith("/extensions/" + Extension.LTI_DEPLOYMENT.value):
            found["deployment_id"] = str(value)[:255]
    return found


def outbox_rows(statements: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Check statements and turn them into outbox rows; raises StatementValidationError, stores nothing."""
    rows: dict[str, dict[str, Any]] = {}
    now = utcnow()
    for statement in statements:
        check_envelope(statement)
        sid = str(uuid.UUID(str(statement["id"])))
        payload = to_json_bytes(dict(statement))
        if sid in rows:
            if rows[sid]["payload"] != payload:  # one event built twice must give the same statement
                raise StatementValidationError(sid, ["id: used twice in one call with different content"])
            continue
        rows[sid] = {"statement_id": uuid.UUID(sid), "issuer": _issuer(statement), **_tenant(statement),
                     "payload": payload,
                     "state": OutboxState.PENDING.value, "tries": 0, "next_try_at": now, "last_error": "",
                     "created_at": now}
    return list(rows.values())


@functools.cache
def _insert_ignoring_duplicates(dialect: str) -> sa.Insert | None:
    # Built once per dialect: constructing it costs as much as the insert itself.
    table = table_of(StatementOutbox)
    if dialect not in ("sqlite", "postgresql"):
        return None
    insert = sqlite.insert(table) if dialect == "sqlite" else postgresql.insert(table)
    # RETURNING lists only the rows really inserted (executemany rowcounts differ by driver).
    return insert.on_conflict_do_nothing(index_elements=["statement_id"]).returning(table.c.id)


def enqueue(session: so.Session, statements: Sequence[Mapping[str, Any]]) -> int:
    """Check and add statements to the outbox in the caller's transaction; returns how many were new.

    A statement id already in the outbox (the same event recorded again) is skipped, not an error.
    """
    rows = outbox_rows(statements)
    if not rows:
        return 0
    connection = session.connection()  # the caller's transaction; Core is enough for plain rows
    insert = _insert_ignoring_duplicates(connection.dialect.name)
    if insert is not None:
        note_write(session)  # a Core statement: the request boundary would not see it otherwise
        if queue_insert(session, insert, rows):
            return len(rows)  # sent with the caller's next statement (a launch's session): not known yet
        return len(connection.execute(insert, rows).all())
    table = table_of(StatementOutbox)
    added = 0
    for row in rows:  # any other database: one savepoint per row keeps the caller's transaction alive
        try:
            with session.begin_nested():
                session.execute(sa.insert(table), [row])
            added += 1
        except sa.exc.IntegrityError:
            continue
    return added


def record_statements(session: so.Session, statements: Sequence[Mapping[str, Any]]) -> int:
    """Record the statements of a domain event in the same transaction as the event (see module doc)."""
    return enqueue(session, statements)


@dataclass(frozen=True, slots=True)
class Backlog:
    """Counts by state and the age of the oldest statement not yet delivered."""

    counts: dict[str, int]
    due_now: int
    oldest_pending: dt.datetime | None
    next_try_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Tenant:
    """One registration's deployment: what an administrator launched from, and all they may see (issue 11 M6)."""

    issuer: str
    client_id: str
    deployment_id: str


def _conditions(issuer: str | None, tenant: Tenant | None) -> list[sa.ColumnElement[bool]]:
    where = [] if issuer is None else [StatementOutbox.issuer == issuer]
    if tenant is not None:
        where += [StatementOutbox.issuer == tenant.issuer, StatementOutbox.client_id == tenant.client_id,
                  StatementOutbox.deployment_id == tenant.deployment_id]
    return where


def backlog(session: so.Session, issuer: str | None = None, tenant: Tenant | None = None) -> Backlog:
    """The outbox's backlog (optionally for one platform issuer, or one tenant, only)."""
    scope = _conditions(issuer, tenant)
    by_state = sa.select(StatementOutbox.state, sa.func.count()).where(*scope).group_by(StatementOutbox.state)
    counts = {state.value: 0 for state in OutboxState} | {s: n for s, n in session.execute(by_state)}
    pending = sa.select(sa.func.min(StatementOutbox.created_at), sa.func.min(StatementOutbox.next_try_at)).where(
        *scope, StatementOutbox.state == OutboxState.PENDING.value)
    oldest, next_try = session.execute(pending).one()
    due = sa.select(sa.func.count()).where(
        *scope, StatementOutbox.state == OutboxState.PENDING.value, StatementOutbox.next_try_at <= utcnow())
    return Backlog(counts, int(session.scalar(due) or 0), as_utc(oldest), as_utc(next_try))


def problems(session: so.Session, issuer: str | None = None, limit: int = 100,
             tenant: Tenant | None = None) -> list[StatementOutbox]:
    """Dead letters and conflicts, newest first, with the LRS's answer in `last_error`."""
    query = sa.select(StatementOutbox).where(
        *_conditions(issuer, tenant), StatementOutbox.state.in_([OutboxState.DEAD.value, OutboxState.CONFLICT.value]))
    return list(session.scalars(query.order_by(StatementOutbox.id.desc()).limit(limit)))


def requeue(
    session: so.Session,
    *,
    dead: bool = False,
    ids: Sequence[uuid.UUID] = (),
    issuer: str | None = None,
    tenant: Tenant | None = None,
) -> int:
    """Make rows due now: given ids (any state but delivered), all dead letters, or else all pending rows."""
    if ids:
        where = [StatementOutbox.statement_id.in_(list(ids)), StatementOutbox.state != OutboxState.DELIVERED.value]
    elif dead:
        where = [StatementOutbox.state == OutboxState.DEAD.value]
    else:  # e.g. after fixing LRS credentials: no need to wait for the backoff
        where = [StatementOutbox.state == OutboxState.PENDING.value]
    where += _conditions(issuer, tenant)
    done = session.execute(
        sa.update(StatementOutbox).where(*where).values(
            state=OutboxState.PENDING.value, tries=0, next_try_at=utcnow(), last_error="", last_status=None
        ).execution_options(synchronize_session=False)
    )
    return int(done.rowcount)  # type: ignore[attr-defined]
