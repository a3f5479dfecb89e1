"""Pilots (named groups of LMS courses), coordinators, learners' questionnaire answers and the erasure log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.db import Base, utcnow
from lti_tool.launch.models import Context, Platform, User


class Pilot(Base):
    """A MASTERY pilot: some LMS courses in one country and sector, run by a partner, with a learner target."""

    __tablename__ = "pilot"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # What a teacher types as the LTI custom parameter pilot=<code>.
    code: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(255))
    country: so.Mapped[str] = so.mapped_column(sa.String(2))  # ISO 3166-1 alpha-2
    sector: so.Mapped[str] = so.mapped_column(sa.String(32))  # a unit sector: wood|agrofood|building|manufacturing
    partner: so.Mapped[str] = so.mapped_column(sa.String(255))
    starts_on: so.Mapped[dt.date] = so.mapped_column(sa.Date)
    ends_on: so.Mapped[dt.date] = so.mapped_column(sa.Date)
    target_learners: so.Mapped[int] = so.mapped_column()
    # The platform whose administrators manage this pilot (None: coordinators only).
    platform_pk: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("platform.id", ondelete="SET NULL"))
    # When the personal data of its learners was purged under the retention setting.
    purged_at: so.Mapped[dt.datetime | None] = so.mapped_column()
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    platform: so.Mapped[Platform | None] = so.relationship()
    courses: so.Mapped[list[PilotCourse]] = so.relationship(
        back_populates="pilot", cascade="all, delete-orphan", order_by="PilotCourse.id")


class PilotCourse(Base):
    """An LMS course (platform + deployment + context) taking part in a pilot; a course is in one pilot only."""

    __tablename__ = "pilot_course"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    pilot_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pilot.id", ondelete="CASCADE"), index=True)
    context_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("context.id", ondelete="CASCADE"), unique=True)
    attached_by: so.Mapped[str] = so.mapped_column(sa.String(16))  # launch | cli | coordinator
    attached_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    # The enrolment figure last reported to the LRS (so the LRS-only report can show it too).
    enrolled_reported: so.Mapped[int | None] = so.mapped_column()

    pilot: so.Mapped[Pilot] = so.relationship(back_populates="courses")
    context: so.Mapped[Context] = so.relationship()


class PilotCodeRequest(Base):
    """A launch asked for a pilot code nobody has created (yet): the teacher sees a notice until it is resolved."""

    __tablename__ = "pilot_code_request"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    context_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("context.id", ondelete="CASCADE"), unique=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    requested_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


class LearnerLaunch(Base):
    """A learner opened a unit (or a course) at least once: kept beyond the launch session, for pilot figures."""

    __tablename__ = "learner_launch"
    __table_args__ = (sa.UniqueConstraint("context_pk", "user_pk", "unit_slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    context_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("context.id", ondelete="CASCADE"), index=True)
    user_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lti_user.id", ondelete="CASCADE"), index=True)
    unit_slug: so.Mapped[str] = so.mapped_column(sa.String(128), default="")
    first_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


class Coordinator(Base):
    """A tool-level account that sees every pilot; signs in with a password, never through an LMS."""

    __tablename__ = "coordinator"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))  # argon2id, PHC string
    locale: so.Mapped[str] = so.mapped_column(sa.String(8), default="en")
    failed_signins: so.Mapped[int] = so.mapped_column(default=0)
    locked_until: so.Mapped[dt.datetime | None] = so.mapped_column()
    last_signin_at: so.Mapped[dt.datetime | None] = so.mapped_column()
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


class CoordinatorSession(Base):
    """A coordinator's signed-in session (server side; the browser holds the token, the table its hash)."""

    __tablename__ = "coordinator_session"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    csrf_token: so.Mapped[str] = so.mapped_column(sa.String(64))
    coordinator_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coordinator.id", ondelete="CASCADE"), index=True)
    expires_at: so.Mapped[dt.datetime] = so.mapped_column(index=True)

    coordinator: so.Mapped[Coordinator] = so.relationship()


class QuestionnaireAnswer(Base):
    """A learner's answers to the short questionnaire after a unit (one per learner, course and unit)."""

    __tablename__ = "questionnaire_answer"
    __table_args__ = (sa.UniqueConstraint("user_pk", "context_pk", "unit_slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lti_user.id", ondelete="CASCADE"), index=True)
    context_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("context.id", ondelete="CASCADE"), index=True)
    unit_slug: so.Mapped[str] = so.mapped_column(sa.String(128))
    answers: so.Mapped[dict[str, Any]] = so.mapped_column()
    answered_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    user: so.Mapped[User] = so.relationship()


class ErasureRecord(Base):
    """That an erasure happened, and what it removed (counts only: no name, no e-mail, no LTI id)."""

    __tablename__ = "erasure_record"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # sha256 of issuer + sub with the tool's secret: recognises a second request, reveals nobody.
    subject_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    reason: so.Mapped[str] = so.mapped_column(sa.String(32))  # request | retention
    summary: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    erased_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
