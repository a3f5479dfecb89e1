"""The gradebook follows the placement's grade policy: after every change, the counting result is queued (AGS).

Whatever happened last — a submit, a retake, a review, a reset, a new policy — the score queued is the one
the policy says counts (``grade_policy``), in the same transaction as the change. Nothing is queued when
the LMS already has (or is about to get) exactly that score, so a retake that does not count sends nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.assessment.grade_policy import GradePolicy, counting_attempt
from lti_tool.assessment.models import Attempt, Review
from lti_tool.assessment.numbers import percent_value
from lti_tool.assessment.services import has_practical_items
from lti_tool.errors import N_, ValidationFailed
from lti_tool.events import AttemptResetByTeacher, AttemptResult
from lti_tool.launch.models import ResourceLink
from lti_tool.lms.grade_sync import GradeTarget, Score, enqueue_score
from lti_tool.lms.models import GradeSync, SyncState
from lti_tool.lms.spec import ActivityProgress, GradingProgress

# The line item the deep-linking response creates has scoreMaximum 100; scores are sent on that scale.
SCORE_MAXIMUM = 100.0
# AGS 2.0 §3.4: a score with no scoreGiven, Initialized and NotReady, clears the learner's grade.
CLEARED = Score(ActivityProgress.INITIALIZED, GradingProgress.NOT_READY)


def score_for(result: dict[str, Any], comment: str | None = None) -> Score:
    """AGS score of a result: Submitted/PendingManual while a teacher must still review practical evidence.

    A reviewed result is final whether or not it mastered the unit (Completed/FullyGraded with its score).
    """
    pending = bool(result.get("pending_review"))
    return Score(
        activity_progress=ActivityProgress.SUBMITTED if pending else ActivityProgress.COMPLETED,
        grading_progress=GradingProgress.PENDING_MANUAL if pending else GradingProgress.FULLY_GRADED,
        score_given=percent_value(float(result.get("score") or 0.0)), score_maximum=SCORE_MAXIMUM,
        comment=comment or None,
    )


def reviewer_comment(db: so.Session, attempt: Attempt) -> str:
    """The teachers' comments on the attempt's practical work, in item order (the AGS ``comment``)."""
    if not has_practical_items(attempt):
        return ""  # nothing a teacher reviews: no read
    order = {str(entry.get("item_id")): n for n, entry in enumerate(attempt.selection or ())}
    reviews = db.scalars(sa.select(Review).where(Review.attempt_id == attempt.id))
    texts = [r.comment.strip() for r in sorted(reviews, key=lambda r: order.get(r.item_id, len(order)))]
    return "\n\n".join(t for t in texts if t)


def placement_policy(link: ResourceLink | None) -> GradePolicy:
    """The grade policy of a placement (the default when none was chosen)."""
    return GradePolicy.parse(link.grade_policy if link is not None else None)


def attempts_of(db: so.Session, resource_link_pk: int, user_pk: int) -> list[Attempt]:
    """Every attempt of one learner at one placement, oldest first."""
    return list(db.scalars(sa.select(Attempt).where(
        Attempt.resource_link_pk == resource_link_pk, Attempt.user_pk == user_pk).order_by(Attempt.number)))


def counting(db: so.Session, resource_link_pk: int, user_pk: int) -> Attempt | None:
    """The attempt the gradebook shows for this learner and placement, by the placement's policy."""
    link = db.get(ResourceLink, resource_link_pk)
    found = counting_attempt(attempts_of(db, resource_link_pk, user_pk), placement_policy(link))
    return found if isinstance(found, Attempt) else None


def wanted_score(db: so.Session, resource_link_pk: int, user_pk: int) -> Score:
    """The score the LMS should hold now: the counting attempt's, or a cleared grade when none counts."""
    attempt = counting(db, resource_link_pk, user_pk)
    if attempt is None or attempt.result is None:
        return CLEARED
    return score_for(attempt.result, reviewer_comment(db, attempt))


def _latest_row(db: so.Session, resource_link_pk: int, user_pk: int) -> GradeSync | None:
    return db.scalar(sa.select(GradeSync).where(
        GradeSync.resource_link_pk == resource_link_pk, GradeSync.user_pk == user_pk,
        GradeSync.state.in_([SyncState.PENDING, SyncState.SENT, SyncState.FAILED]),
    ).order_by(GradeSync.scored_at.desc(), GradeSync.id.desc()).limit(1))


def sync_grade(db: so.Session, resource_link_pk: int, user_pk: int, now: dt.datetime) -> GradeSync | None:
    """Queue the policy's score for one learner if the LMS does not already have it; the row, or None.

    The event id names the row it follows, so the same wanted score after a different one is queued again
    (say a reset brings back a result sent earlier), while two racing calls still make one row.
    """
    score = wanted_score(db, resource_link_pk, user_pk)
    body = score.body()
    previous = _latest_row(db, resource_link_pk, user_pk)
    if previous is None and score == CLEARED:
        return None  # the LMS never got a score from us: nothing to clear
    if previous is not None and previous.score == body and previous.state != SyncState.FAILED:
        return previous  # already sent, or on its way
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    event = f"grade:{previous.id if previous is not None else 0}:{digest}"
    return enqueue_score(db, GradeTarget(resource_link_pk=resource_link_pk, user_pk=user_pk), score,
                         event_id=event, scored_at=now)


def grade_after_result(db: so.Session, event: AttemptResult) -> None:
    """Subscriber (submit, review, expiry): bring the learner's grade on this placement up to date.

    The policy looks at every attempt of the learner there, not only this one.
    """
    db.flush()
    sync_grade(db, event.attempt.resource_link_pk, event.attempt.user_pk, event.at)


def grade_after_reset(db: so.Session, event: AttemptResetByTeacher) -> None:
    """Subscriber: the policy's next result, or a cleared grade when no attempt counts any more."""
    sync_grade(db, event.attempt.resource_link_pk, event.attempt.user_pk, event.at)


def resync_placement(db: so.Session, link: ResourceLink, now: dt.datetime) -> int:
    """After a policy change: queue the new counting score of every learner with attempts; how many queued."""
    users = db.scalars(sa.select(Attempt.user_pk).where(Attempt.resource_link_pk == link.id).distinct())
    queued = 0
    for user_pk in sorted(users):
        before = _latest_row(db, link.id, user_pk)
        row = sync_grade(db, link.id, user_pk, now)
        queued += row is not None and (before is None or row.id != before.id)
    return queued


def change_policy(db: so.Session, link: ResourceLink, policy: str, now: dt.datetime) -> int:
    """A teacher picks the placement's grade policy; every learner's gradebook entry follows. How many queued."""
    try:
        chosen = GradePolicy(policy)
    except ValueError:
        raise ValidationFailed(N_("Choose one of the grade policies offered (best, latest, first mastered)."),
                               code="bad_policy") from None
    if link.grade_policy == chosen.value:
        return 0
    link.grade_policy = chosen.value
    db.flush()
    return resync_placement(db, link, now)
