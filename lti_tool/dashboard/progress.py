"""A learner's progress on one placed unit from their attempts (pure: no Flask, no SQLAlchemy).

The dashboard shows what the gradebook shows: the attempt the placement's grade policy counts decides the
outcome cells, the score and mastery; the latest attempt decides whether the learner is working right now.
Reset attempts and practice attempts do not count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from lti_tool.assessment.grade_policy import DEFAULT_POLICY, GradePolicy, counting_attempt
from lti_tool.errors import N_

_IN_PROGRESS, _SUBMITTED, _RESET = "in_progress", "submitted", "reset"  # lti_tool.assessment.models.AttemptState


class AttemptLike(Protocol):
    """What progress needs of an attempt (the ORM Attempt fits)."""

    id: str
    number: int
    state: str
    practice: bool
    score: float | None
    mastered: bool
    pending_review: bool
    result: dict[str, Any] | None
    submitted_at: dt.datetime | None


class LearnerStatus(StrEnum):
    """Where a learner is with a placed unit."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    MASTERED = "mastered"
    PENDING_REVIEW = "pending_review"


class OutcomeState(StrEnum):
    """One cell of the mastery matrix."""

    MET = "met"
    NOT_MET = "not_met"
    PENDING_REVIEW = "pending_review"
    NO_RESULT = "no_result"


# A symbol for the eye; the template always adds the words (WCAG 1.1.1, 1.4.1: not symbol or colour alone).
SYMBOLS: Mapping[OutcomeState, str] = {
    OutcomeState.MET: "✓", OutcomeState.NOT_MET: "✗", OutcomeState.PENDING_REVIEW: "…", OutcomeState.NO_RESULT: "–",
}
# Marked for extraction (N_); pages and CSV files translate them into the teacher's language.
STATUS_WORDS: Mapping[LearnerStatus, str] = {
    LearnerStatus.NOT_STARTED: N_("not started"), LearnerStatus.IN_PROGRESS: N_("in progress"),
    LearnerStatus.SUBMITTED: N_("submitted"), LearnerStatus.MASTERED: N_("mastered"),
    LearnerStatus.PENDING_REVIEW: N_("pending review"),
}
OUTCOME_WORDS: Mapping[OutcomeState, str] = {
    OutcomeState.MET: N_("met"), OutcomeState.NOT_MET: N_("not met"),
    OutcomeState.PENDING_REVIEW: N_("awaiting review"), OutcomeState.NO_RESULT: N_("no result"),
}
# lti_tool.lms.models.SyncState values → words.
SYNC_WORDS: Mapping[str, str] = {
    "pending": N_("pending"), "sent": N_("sent"), "failed": N_("failed"), "superseded": N_("superseded"),
}


@dataclass(frozen=True)
class Progress:
    """A learner's status, attempts counted toward the limit, and per-outcome state, on one placement."""

    status: LearnerStatus
    attempts_used: int
    outcomes: Mapping[str, OutcomeState]
    score: float | None = None
    latest_submitted_id: str | None = None
    mastered: bool = False  # the latest submitted attempt mastered the unit, nothing left to review
    pending_review: bool = False  # the latest submitted attempt waits for a teacher's review
    resettable: tuple[tuple[str, int], ...] = field(default=())  # (attempt id, number) of counted attempts
    in_progress_id: str | None = None  # the attempt the learner is working on (a teacher may close it)
    counting_number: int | None = None  # the number of the attempt the grade policy counts

    @property
    def started(self) -> bool:
        """At least one attempt that counts."""
        return self.attempts_used > 0

    @property
    def submitted(self) -> bool:
        """At least one submitted attempt that counts."""
        return self.latest_submitted_id is not None


def outcome_state(entry: Mapping[str, Any] | None) -> OutcomeState:
    """The cell for one outcome entry of a result (``{"id","score","met","pending_review"}``)."""
    if entry is None:
        return OutcomeState.NO_RESULT
    if entry.get("pending_review"):
        return OutcomeState.PENDING_REVIEW
    return OutcomeState.MET if entry.get("met") else OutcomeState.NOT_MET


def progress(attempts: Sequence[AttemptLike], outcome_ids: Sequence[str],
             policy: GradePolicy = DEFAULT_POLICY) -> Progress:
    """A learner's progress from all their attempts at one placement, for these outcome columns."""
    counted = sorted((a for a in attempts if a.state != _RESET and not a.practice), key=lambda a: a.number)
    current = sorted((a for a in attempts if a.state != _RESET), key=lambda a: a.number)
    counts = counting_attempt(list(counted), policy)
    result: Mapping[str, Any] = (counts.result or {}) if counts is not None else {}
    entries = {str(o.get("id")): o for o in result.get("outcomes") or () if isinstance(o, Mapping)}
    cells = {oid: outcome_state(entries.get(oid)) for oid in outcome_ids}
    latest_pending = bool(result.get("pending_review"))
    latest_mastered = bool(result.get("mastered")) and not latest_pending
    if not current:
        status = LearnerStatus.NOT_STARTED
    elif current[-1].state == _IN_PROGRESS:
        status = LearnerStatus.IN_PROGRESS
    elif latest_pending:
        status = LearnerStatus.PENDING_REVIEW
    elif latest_mastered:
        status = LearnerStatus.MASTERED
    else:
        status = LearnerStatus.SUBMITTED
    score = result.get("score")
    return Progress(
        status=status, attempts_used=len(counted), outcomes=cells,
        score=float(score) if isinstance(score, int | float) else None,
        latest_submitted_id=counts.id if counts is not None else None,
        resettable=tuple((a.id, a.number) for a in current if a.state in (_SUBMITTED, _IN_PROGRESS)),
        in_progress_id=next((a.id for a in current if a.state == _IN_PROGRESS), None),
        mastered=latest_mastered, pending_review=latest_pending,
        counting_number=counts.number if counts is not None else None,
    )
