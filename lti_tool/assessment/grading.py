"""An attempt's result goes to the LMS gradebook through the grade outbox (AGS), in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import orm as so

from lti_tool.assessment.mastery import UnitResult
from lti_tool.assessment.models import Attempt
from lti_tool.launch.services_client.grade_sync import GradeTarget, Score, enqueue_score
from lti_tool.launch.services_client.spec import ActivityProgress, GradingProgress

# The line item the deep-linking response creates has scoreMaximum 100; scores are sent on that scale.
SCORE_MAXIMUM = 100.0


def score_for(result: UnitResult) -> Score:
    """AGS score of a result: PendingManual while a teacher must still review practical evidence."""
    pending = result.pending_review
    return Score(
        activity_progress=ActivityProgress.SUBMITTED if pending else ActivityProgress.COMPLETED,
        grading_progress=GradingProgress.PENDING_MANUAL if pending else GradingProgress.FULLY_GRADED,
        score_given=round(result.score * SCORE_MAXIMUM, 2), score_maximum=SCORE_MAXIMUM,
    )


def post_grade(db: so.Session, attempt: Attempt, result: UnitResult, now: dt.datetime) -> None:
    """Enqueue the score; the same result twice is one row (the event id is derived from the result)."""
    digest = hashlib.sha256(json.dumps(result.to_json(), sort_keys=True).encode()).hexdigest()[:16]
    enqueue_score(db, GradeTarget(resource_link_pk=attempt.resource_link_pk, user_pk=attempt.user_pk),
                  score_for(result), event_id=f"attempt:{attempt.id}:{digest}", scored_at=now)
