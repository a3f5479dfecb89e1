"""Tables of the LTI service clients: the shared access-token cache, the grade outbox, the roster cache."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.db import Base, utcnow
from lti_tool.launch.models import Context, Platform, ResourceLink, User


class ServiceToken(Base):
    """An OAuth 2 access token of one registration for one scope set; in the DB so every worker shares it."""

    __tablename__ = "service_token"
    # (issuer, client_id) names the registration: two registrations under one issuer never share a token.
    __table_args__ = (sa.UniqueConstraint("issuer", "client_id", "scope_key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    platform_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("platform.id", ondelete="CASCADE"), index=True)
    issuer: so.Mapped[str] = so.mapped_column(sa.String(255))
    client_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    # sha256 of the sorted requested scopes: the frozenset as a fixed-length key.
    scope_key: so.Mapped[str] = so.mapped_column(sa.String(64))
    requested_scopes: so.Mapped[list[str]] = so.mapped_column(default=list)
    granted_scopes: so.Mapped[list[str]] = so.mapped_column(default=list)
    access_token: so.Mapped[str] = so.mapped_column(sa.Text)
    expires_at: so.Mapped[dt.datetime] = so.mapped_column()
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    platform: so.Mapped[Platform] = so.relationship()


class SyncState(StrEnum):
    """Where a score is on its way to the gradebook."""

    PENDING = "pending"  # waiting for its (next) try
    SENT = "sent"  # the platform accepted it
    FAILED = "failed"  # the platform refused it for good; last_error says why
    SUPERSEDED = "superseded"  # a newer score for the same learner and activity replaced it before it went out


class GradeSync(Base):
    """One score to post to a resource link's line item (the outbox row; AGS 2.0 §3.4)."""

    __tablename__ = "grade_sync"
    __table_args__ = (
        sa.UniqueConstraint("resource_link_pk", "user_pk", "event_id"),
        sa.Index("ix_grade_sync_state_next_try_at", "state", "next_try_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    resource_link_pk: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("resource_link.id", ondelete="CASCADE"), index=True)
    user_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lti_user.id", ondelete="CASCADE"), index=True)
    # The attempt or event this score comes from (e.g. "attempt:42", "attempt:42:review:3"): the dedupe key.
    event_id: so.Mapped[str] = so.mapped_column(sa.String(128))
    # The score body without userId and timestamp, which are set when it is posted.
    score: so.Mapped[dict[str, Any]] = so.mapped_column()
    # When the domain change happened: orders the scores of one learner and activity.
    scored_at: so.Mapped[dt.datetime] = so.mapped_column()
    # The AGS endpoint claim of the launch it was enqueued from (lineitem, lineitems, scope).
    ags_endpoint: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    state: so.Mapped[str] = so.mapped_column(sa.String(16), default=SyncState.PENDING)
    tries: so.Mapped[int] = so.mapped_column(default=0)
    next_try_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    last_status: so.Mapped[int | None] = so.mapped_column()
    lineitem_url: so.Mapped[str | None] = so.mapped_column(sa.String(1024))
    # The timestamp the accepted POST carried (AGS 2.0 §3.4.4).
    posted_timestamp: so.Mapped[dt.datetime | None] = so.mapped_column()
    # What the platform answered to the last try, in words (status, body, or the result read back after a timeout).
    platform_answer: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    sent_at: so.Mapped[dt.datetime | None] = so.mapped_column()

    resource_link: so.Mapped[ResourceLink] = so.relationship()
    user: so.Mapped[User] = so.relationship()


class RosterCache(Base):
    """The last NRPS membership list of a context (NRPS 2.0 §2.4), reused for a few minutes."""

    __tablename__ = "roster_cache"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    context_pk: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("context.id", ondelete="CASCADE"), unique=True)
    memberships_url: so.Mapped[str] = so.mapped_column(sa.String(1024))
    members: so.Mapped[list[Any]] = so.mapped_column(default=list)
    fetched_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    expires_at: so.Mapped[dt.datetime] = so.mapped_column()

    context: so.Mapped[Context] = so.relationship()
