"""A teacher resets a learner's attempt (it stops counting, the reason is recorded, xAPI is voided) or closes one."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy import orm as so

from lti_tool.assessment.models import Attempt, AttemptState
from lti_tool.assessment.services import finalize
from lti_tool.dashboard.models import AttemptReset
from lti_tool.errors import N_, Conflict, NotFound, ValidationFailed
from lti_tool.events import AttemptResetByTeacher, publish
from lti_tool.launch.models import LaunchSession

MAX_REASON = 1000


def attempt_of_course(db: so.Session, context_pk: int, attempt_id: str) -> Attempt:
    """An attempt of this course by its id; NotFound for any other (no existence leak)."""
    try:
        canonical = str(uuid.UUID(attempt_id)) == attempt_id
    except ValueError:
        canonical = False
    attempt = db.get(Attempt, attempt_id) if canonical else None
    if attempt is None or attempt.context_pk != context_pk:
        raise NotFound(N_("This course has no such attempt."))  # another course's attempt: no existence leak
    return attempt


def reset_attempt(db: so.Session, teacher: LaunchSession, context_pk: int, attempt_id: str, reason: str, *,
                  now: dt.datetime) -> AttemptReset:
    """Set an attempt aside so the learner may start again; one transaction with its record (event AttemptReset:
    its statements voided, the gradebook following the policy's next result)."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(N_("Say why you reset this attempt (the reason is kept with the record)."),
                               code="reason_required")
    if len(reason) > MAX_REASON:
        raise ValidationFailed(N_("The reason is too long (%(limit)s characters at most)."), limit=MAX_REASON)
    attempt = attempt_of_course(db, context_pk, attempt_id)
    if attempt.state == AttemptState.RESET:
        raise Conflict(N_("This attempt has already been reset."), code="already_reset")
    # An attempt in progress can be reset too: a learner stuck in one (a lost tab, a timer) can start again.
    previous_state, previous = attempt.state, attempt.result
    # Conditional update: of two teachers resetting at once, exactly one wins (the unique record backs it up).
    won = db.execute(sa.update(Attempt).where(Attempt.id == attempt.id, Attempt.state == previous_state)
                     .values(state=AttemptState.RESET).execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult, which has it
    if won != 1:
        raise Conflict(N_("This attempt changed meanwhile; reload the page."), code="already_reset")
    db.refresh(attempt)
    record = AttemptReset(attempt_id=attempt.id, reset_by_pk=teacher.user_pk, reset_at=now, reason=reason,
                          previous_state=previous_state, previous_result=previous)
    try:
        with db.begin_nested():
            db.add(record)
    except sa_exc.IntegrityError:
        raise Conflict(N_("This attempt has already been reset."), code="already_reset") from None
    publish(db, AttemptResetByTeacher(attempt=attempt, teacher=teacher, at=now))
    return record


def close_attempt(db: so.Session, context_pk: int, attempt_id: str, *, now: dt.datetime) -> Attempt:
    """A teacher closes a learner's attempt in progress: what was saved is scored, as if the learner submitted."""
    attempt = attempt_of_course(db, context_pk, attempt_id)
    if attempt.state != AttemptState.IN_PROGRESS:
        raise Conflict(N_("This attempt is no longer in progress."), code="not_in_progress")
    finalize(db, attempt, now=now)
    return attempt
