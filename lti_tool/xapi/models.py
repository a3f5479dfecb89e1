"""The statement outbox: each xAPI statement is stored with the domain change that caused it, then delivered.

The row keeps the exact JSON bytes that were validated, so every (re)send is byte-identical and an LRS
answers a resend of a stored statement as already stored instead of a 409 conflict.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.db import Base, utcnow


class OutboxState(StrEnum):
    """Where a statement is on its way to the LRS."""

    PENDING = "pending"  # waiting to be sent (or to be retried at next_try_at)
    DELIVERED = "delivered"  # the LRS holds it
    CONFLICT = "conflict"  # 409: the LRS holds another statement under this id; kept with its reason
    DEAD = "dead"  # the LRS refused this statement (400/422); kept with its answer until requeued


class StatementOutbox(Base):
    """One statement waiting for, or done with, delivery to the LRS."""

    __tablename__ = "xapi_statement_outbox"
    __table_args__ = (sa.Index("ix_xapi_statement_outbox_due", "state", "next_try_at", "id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    statement_id: so.Mapped[uuid.UUID] = so.mapped_column(sa.Uuid(), unique=True)
    # The LTI platform issuer of the actor, so an administrator sees only their own platform's rows.
    issuer: so.Mapped[str] = so.mapped_column(sa.String(255), default="", index=True)
    # With the issuer, the tenant an administrator sees (read from the statement's context, issue 11 M6).
    client_id: so.Mapped[str] = so.mapped_column(sa.String(255), default="", server_default="")
    deployment_id: so.Mapped[str] = so.mapped_column(sa.String(255), default="", server_default="")
    payload: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary())
    state: so.Mapped[str] = so.mapped_column(sa.String(16), default=OutboxState.PENDING.value)
    tries: so.Mapped[int] = so.mapped_column(default=0)
    next_try_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    last_status: so.Mapped[int | None] = so.mapped_column()
    last_error: so.Mapped[str] = so.mapped_column(sa.Text(), default="")
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    delivered_at: so.Mapped[dt.datetime | None] = so.mapped_column()
