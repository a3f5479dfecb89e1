"""Attempts, their autosaved responses, and teachers' reviews of practical evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.assessment.selection import SelectedItem
from lti_tool.catalogue.models import Unit
from lti_tool.db import Base, utcnow
from lti_tool.launch.models import Context, ResourceLink, User


class AttemptState:
    """The states of an attempt (a plain class: the values are stored as strings)."""

    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    RESET = "reset"  # a teacher set it aside (lti_tool.dashboard): it no longer counts toward max_attempts


class Attempt(Base):
    """One try at a unit's assessment, by one learner, at one placement; its id is the xAPI registration."""

    __tablename__ = "attempt"
    __table_args__ = (sa.UniqueConstraint("user_pk", "resource_link_pk", "number"),)

    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True)
    user_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lti_user.id", ondelete="CASCADE"), index=True)
    context_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("context.id", ondelete="CASCADE"), index=True)
    resource_link_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("resource_link.id", ondelete="CASCADE"))
    unit_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"))
    number: so.Mapped[int] = so.mapped_column()
    state: so.Mapped[str] = so.mapped_column(sa.String(16), default=AttemptState.IN_PROGRESS)
    # The drawn items with their option orders (selection.SelectedItem.to_json), fixed at start.
    selection: so.Mapped[list[Any]] = so.mapped_column()
    started_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    deadline_at: so.Mapped[dt.datetime | None] = so.mapped_column()
    submitted_at: so.Mapped[dt.datetime | None] = so.mapped_column()
    # The submit answer (mastery.UnitResult.to_json), stored so a second submit returns the same body.
    result: so.Mapped[dict[str, Any] | None] = so.mapped_column()
    score: so.Mapped[float | None] = so.mapped_column()
    mastered: so.Mapped[bool] = so.mapped_column(default=False)
    pending_review: so.Mapped[bool] = so.mapped_column(default=False)
    # Started after the learner had mastered the unit, where the unit allows it: it never changes the grade,
    # the attempts counted toward max_attempts, or the credential (lti_tool.assessment.grade_policy).
    practice: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    user: so.Mapped[User] = so.relationship()
    context: so.Mapped[Context] = so.relationship()
    resource_link: so.Mapped[ResourceLink] = so.relationship()
    unit: so.Mapped[Unit] = so.relationship()

    @property
    def drawn_items(self) -> list[SelectedItem]:
        """The items drawn for the attempt, in the order the learner sees them, with their option orders."""
        return [SelectedItem.from_json(entry) for entry in self.selection]

    @property
    def drawn_item_ids(self) -> list[str]:
        """The ids of the items drawn for the attempt, in order (what the learning records name)."""
        return [drawn.item_id for drawn in self.drawn_items]


class AttemptResponse(Base):
    """The latest autosaved response to one item of an attempt."""

    __tablename__ = "attempt_response"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "item_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    attempt_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("attempt.id", ondelete="CASCADE"), index=True)
    item_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    response: so.Mapped[Any] = so.mapped_column(sa.JSON, nullable=True)
    saved_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


class Review(Base):
    """A teacher's rubric scoring of a practical-evidence item."""

    __tablename__ = "review"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "item_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    attempt_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("attempt.id", ondelete="CASCADE"), index=True)
    item_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    points: so.Mapped[dict[str, Any]] = so.mapped_column()
    score: so.Mapped[float] = so.mapped_column()
    passed: so.Mapped[bool] = so.mapped_column()
    comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    reviewer_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lti_user.id", ondelete="CASCADE"))
    reviewed_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


class Upload(Base):
    """A file of practical evidence, stored outside the web root under ``instance/uploads``."""

    __tablename__ = "upload"

    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True)
    attempt_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("attempt.id", ondelete="CASCADE"), index=True)
    item_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    filename: so.Mapped[str] = so.mapped_column(sa.String(255))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(100))
    size: so.Mapped[int] = so.mapped_column()
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    uploaded_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
