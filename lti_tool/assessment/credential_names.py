"""No credential names no one: the learner gives the name when the LMS shares none; a teacher may correct it.

A mastered unit whose learner has no name waits; once the name is given, every waiting credential is issued
(with its "earned" statement). A teacher's correction reissues the course's live credentials under the new
name, the old ones revoked as superseded.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.assessment.models import Attempt, AttemptState
from lti_tool.credentials.issuing.unit_facts import OutcomeResult
from lti_tool.credentials.models import Credential
from lti_tool.credentials.services import issue_for_mastery, live_credential, reissue
from lti_tool.errors import N_, Conflict, NotFound, ValidationFailed
from lti_tool.events import CredentialIssued, publish
from lti_tool.launch.models import LaunchSession, User

MAX_NAME = 200


class NameSource:
    """Who gave a user's credential_name."""

    LEARNER = "learner"
    TEACHER = "teacher"


def clean_name(raw: str) -> str:
    """The name as it will be printed: trimmed, inner spaces collapsed; refused when empty, long or odd."""
    name = " ".join(str(raw or "").split())
    if not name:
        raise ValidationFailed(N_("Type the name to print on your credentials."), code="name_required")
    if len(name) > MAX_NAME:
        raise ValidationFailed(N_("The name is too long (%(limit)s characters at most)."), code="name_too_long",
                               limit=MAX_NAME)
    # Control and format characters (bidi overrides among them) would make the printed name lie.
    if any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") for c in name):
        raise ValidationFailed(N_("The name contains characters that cannot be printed."), code="name_unprintable")
    return name


def needs_name(user: User) -> bool:
    """The LMS shared no name and the learner has not given one yet."""
    return not user.printed_name


def _mastered_attempts(db: so.Session, user: User) -> list[Attempt]:
    return list(db.scalars(sa.select(Attempt).where(
        Attempt.user_pk == user.id, Attempt.state == AttemptState.SUBMITTED, Attempt.practice.is_(False),
        Attempt.mastered.is_(True), Attempt.pending_review.is_(False)).order_by(Attempt.submitted_at)))


def issue_waiting(db: so.Session, user: User, now: dt.datetime) -> list[Credential]:
    """Issue the credentials that waited for a name (one per unit version mastered); the new ones."""
    issued: list[Credential] = []
    for attempt in _mastered_attempts(db, user):
        if live_credential(db, user.id, attempt.unit_pk) is not None:
            continue
        outcomes = [OutcomeResult(outcome_id=str(o["id"]), score=float(o["score"]), met=bool(o["met"]))
                    for o in (attempt.result or {}).get("outcomes") or ()]
        credential = issue_for_mastery(db, user, attempt.unit, outcomes, now=now, context=attempt.context)
        issued.append(credential)
        publish(db, CredentialIssued(credential=credential, attempt=attempt, at=now))
    return issued


def give_name(db: so.Session, launch: LaunchSession, raw: str, now: dt.datetime) -> list[Credential]:
    """The learner gives the name to print (asked once, only when the LMS shared none); waiting credentials follow."""
    user = launch.user
    if not needs_name(user):
        raise Conflict(N_("Your name is already known; ask your teacher if it must be corrected."), code="name_known")
    user.credential_name, user.credential_name_source = clean_name(raw), NameSource.LEARNER
    db.flush()
    return issue_waiting(db, user, now)


def course_learner(db: so.Session, context_pk: int, user_pk: int) -> User:
    """A learner with attempts in this course; anyone else is not found here."""
    user = db.get(User, user_pk)
    known = user is not None and db.scalar(sa.select(sa.func.count()).select_from(Attempt).where(
        Attempt.context_pk == context_pk, Attempt.user_pk == user_pk)) != 0
    if user is None or not known:
        raise NotFound(N_("This course has no such learner."))
    return user


def course_credentials(db: so.Session, context_pk: int, user_pk: int) -> list[Credential]:
    """The learner's live credentials earned in this course."""
    return list(db.scalars(sa.select(Credential).where(
        Credential.user_pk == user_pk, Credential.context_pk == context_pk, Credential.superseded_at.is_(None),
        Credential.revoked_at.is_(None)).order_by(Credential.issued_at)))


def correct_name(db: so.Session, teacher: LaunchSession, context_pk: int, user_pk: int, raw: str,
                 now: dt.datetime) -> list[Credential]:
    """A teacher corrects the printed name: the course's live credentials are reissued (old ones superseded)."""
    user = course_learner(db, context_pk, user_pk)
    name = clean_name(raw)
    if name == user.printed_name and user.credential_name:
        return []
    user.credential_name, user.credential_name_source = name, NameSource.TEACHER
    db.flush()
    by = f"teacher {teacher.user.name or teacher.user.sub} ({teacher.user.issuer}): name corrected"
    fresh = [reissue(db, old, now=now, by=by) for old in course_credentials(db, context_pk, user_pk)]
    return fresh + issue_waiting(db, user, now)
