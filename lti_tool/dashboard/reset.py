"""A teacher resets a learner's attempt (it stops counting, the reason is recorded, xAPI is voided) or closes one."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy import orm as so

from lti_tool.assessment.grading import sync_grade
from lti_tool.assessment.models import Attempt, AttemptState
from lti_tool.assessment.selection import SelectedItem
from lti_tool.assessment.services import AttemptHooks, finalize
from lti_tool.dashboard.models import AttemptReset
from lti_tool.errors import Conflict, NotFound, ValidationFailed
from lti_tool.launch.models import LaunchSession
from lti_tool.xapi import statements as st
from lti_tool.xapi.envelope import verb_name
from lti_tool.xapi.events import scope_of
from lti_tool.xapi.models import StatementOutbox
from lti_tool.xapi.outbox import record_statements
from lti_tool.xapi.profile import Profile, Verb

MAX_REASON = 1000


def attempt_of_course(db: so.Session, context_pk: int, attempt_id: str) -> Attempt:
    """An attempt of this course by its id; NotFound for any other (no existence leak)."""
    try:
        canonical = str(uuid.UUID(attempt_id)) == attempt_id
    except ValueError:
        canonical = False
    attempt = db.get(Attempt, attempt_id) if canonical else None
    if attempt is None or attempt.context_pk != context_pk:
        raise NotFound("This course has no such attempt.")  # another course's attempt: no existence leak
    return attempt


def reset_attempt(db: so.Session, teacher: LaunchSession, context_pk: int, attempt_id: str, reason: str, *,
                  now: dt.datetime, tool_base_url: str) -> AttemptReset:
    """Set an attempt aside so the learner may start again; one transaction with its record and voids."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("Say why you reset this attempt (the reason is kept with the record).",
                               code="reason_required")
    if len(reason) > MAX_REASON:
        raise ValidationFailed(f"The reason is too long ({MAX_REASON} characters at most).")
    attempt = attempt_of_course(db, context_pk, attempt_id)
    if attempt.state == AttemptState.RESET:
        raise Conflict("This attempt has already been reset.", code="already_reset")
    # An attempt in progress can be reset too: a learner stuck in one (a lost tab, a timer) can start again.
    previous_state, previous = attempt.state, attempt.result
    # Conditional update: of two teachers resetting at once, exactly one wins (the unique record backs it up).
    won = db.execute(sa.update(Attempt).where(Attempt.id == attempt.id, Attempt.state == previous_state)
                     .values(state=AttemptState.RESET).execution_options(synchronize_session=False)).rowcount
    if won != 1:
        raise Conflict("This attempt changed meanwhile; reload the page.", code="already_reset")
    db.refresh(attempt)
    record = AttemptReset(attempt_id=attempt.id, reset_by_pk=teacher.user_pk, reset_at=now, reason=reason,
                          previous_state=previous_state, previous_result=previous)
    try:
        with db.begin_nested():
            db.add(record)
    except sa_exc.IntegrityError:
        raise Conflict("This attempt has already been reset.", code="already_reset") from None
    void_attempt_statements(db, teacher, attempt, now=now, tool_base_url=tool_base_url)
    # The gradebook follows: the policy's next result, or a cleared grade when no attempt counts any more.
    sync_grade(db, attempt.resource_link_pk, attempt.user_pk, now)
    return record


def close_attempt(db: so.Session, context_pk: int, attempt_id: str, *, now: dt.datetime,
                  hooks: AttemptHooks) -> Attempt:
    """A teacher closes a learner's attempt in progress: what was saved is scored, as if the learner submitted."""
    attempt = attempt_of_course(db, context_pk, attempt_id)
    if attempt.state != AttemptState.IN_PROGRESS:
        raise Conflict("This attempt is no longer in progress.", code="not_in_progress")
    finalize(db, attempt, now=now, hooks=hooks)
    return attempt


def attempt_statement_ids(attempt: Attempt) -> list[str]:
    """The ids every statement about this attempt has or would have (they are uuid5 of the attempt, §5).

    Keep in step with the builders in lti_tool.xapi.statements that take an attempt id.
    """
    aid = uuid.UUID(attempt.id)
    items = [SelectedItem.from_json(entry).item_id for entry in attempt.selection]
    outcomes = [str(o["id"]) for o in attempt.unit.document.get("outcomes") or ()]
    return [
        st.statement_id("initialized", aid),
        *[st.statement_id("answered", aid, item) for item in items],
        st.statement_id("completed", aid),
        st.statement_id(verb_name(Verb.PASSED), aid),
        st.statement_id(verb_name(Verb.FAILED), aid),
        *[st.statement_id("mastered-outcome", aid, outcome) for outcome in outcomes],
        st.statement_id("mastered-unit", aid, attempt.unit.version),
    ]


def void_attempt_statements(db: so.Session, teacher: LaunchSession, attempt: Attempt, *, now: dt.datetime,
                            tool_base_url: str) -> int:
    """Queue xAPI voiding statements for the attempt's recorded statements, in the caller's transaction.

    Only statements the outbox holds are voided (the tool's record of what it told the LRS). A credential
    earned with the attempt is not touched: revoking it is a separate, explicit decision.
    """
    candidates = [uuid.UUID(sid) for sid in attempt_statement_ids(attempt)]
    recorded = sorted(str(sid) for sid in db.scalars(
        sa.select(StatementOutbox.statement_id).where(StatementOutbox.statement_id.in_(candidates))))
    if not recorded:
        return 0
    voids = st.statements_voided(Profile(tool_base_url), scope_of(teacher), uuid.UUID(attempt.id), recorded, now)
    return record_statements(db, voids)
