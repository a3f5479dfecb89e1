"""A mastered unit earns its micro-credential in the same transaction as the mastery decision."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import orm as so

from lti_tool.assessment.mastery import UnitResult
from lti_tool.assessment.models import Attempt
from lti_tool.credentials.services import issue_for_mastery
from lti_tool.credentials.unit_facts import OutcomeResult


def issue_on_mastery(db: so.Session, attempt: Attempt, result: UnitResult, now: dt.datetime) -> None:
    """Issue (once per learner and unit version) when every outcome is met and nothing awaits review."""
    if not result.mastered or result.pending_review or attempt.practice:  # practice never changes it
        return
    if not attempt.user.printed_name:
        return  # no credential names no one: it waits until the learner gives the name (credential_names)
    outcomes = [OutcomeResult(outcome_id=o.id, score=o.score, met=o.met) for o in result.outcomes]
    issue_for_mastery(db, attempt.user, attempt.unit, outcomes, now=now, context=attempt.context)
