"""The record of teachers' attempt resets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.assessment.models import Attempt
from lti_tool.db import Base, utcnow
from lti_tool.launch.models import User


class AttemptReset(Base):
    """A teacher set an attempt aside (state ``reset``) so the learner may start again; kept for the record."""

    __tablename__ = "attempt_reset"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # One reset per attempt: a reset attempt cannot be reset again, and two racing resets collide here.
    attempt_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("attempt.id", ondelete="CASCADE"), unique=True)
    reset_by_pk: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("lti_user.id", ondelete="SET NULL"))
    reset_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    previous_state: so.Mapped[str] = so.mapped_column(sa.String(16))
    # The attempt's result before the reset (mastery.UnitResult.to_json), as the learner had it.
    previous_result: so.Mapped[dict[str, Any] | None] = so.mapped_column()

    attempt: so.Mapped[Attempt] = so.relationship()
    reset_by: so.Mapped[User | None] = so.relationship()
