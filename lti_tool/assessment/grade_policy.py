"""Which attempt counts for the gradebook: the placement's grade policy (pure: no Flask, no SQLAlchemy).

A teacher picks one policy per placement; the tool applies it before anything is sent to the LMS, so
the gradebook always shows the policy's result and never the last thing that happened:

- ``best`` (the default): the attempt with the highest score; on a tie, the mastered one, then the earlier.
- ``latest``: the most recent submitted attempt.
- ``first_mastered``: the first attempt that mastered the unit; until then, the best one.

Only graded attempts take part: submitted, not reset by a teacher, and not practice attempts (made after
mastery, where the unit allows them, they never change the grade or the credential).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Protocol

_SUBMITTED = "submitted"  # lti_tool.assessment.models.AttemptState.SUBMITTED


class GradePolicy(StrEnum):
    """How a placement turns several attempts into one grade."""

    BEST = "best"
    LATEST = "latest"
    FIRST_MASTERED = "first_mastered"

    @classmethod
    def parse(cls, value: str | None) -> GradePolicy:
        """The stored value as a policy; anything unknown is the default (best)."""
        try:
            return cls(value or cls.BEST)
        except ValueError:
            return cls.BEST


DEFAULT_POLICY = GradePolicy.BEST


class GradedAttempt(Protocol):
    """What the policy needs of an attempt (the ORM Attempt fits)."""

    id: str
    number: int
    state: str
    practice: bool
    score: float | None
    mastered: bool
    pending_review: bool
    submitted_at: dt.datetime | None
    result: dict[str, Any] | None


def graded(attempts: Sequence[GradedAttempt]) -> list[GradedAttempt]:
    """The attempts that may count, oldest first: submitted, not reset, not practice."""
    return sorted((a for a in attempts if a.state == _SUBMITTED and not a.practice and a.result is not None),
                  key=lambda a: a.number)


def _finally_mastered(attempt: GradedAttempt) -> bool:
    return bool(attempt.mastered) and not attempt.pending_review


def _best(candidates: Sequence[GradedAttempt]) -> GradedAttempt:
    # max() keeps the first of equal keys: with the candidates oldest first, a tie goes to the earlier attempt.
    return max(candidates, key=lambda a: (a.score or 0.0, _finally_mastered(a)))


def counting_attempt(attempts: Sequence[GradedAttempt], policy: GradePolicy) -> GradedAttempt | None:
    """The attempt whose result the gradebook shows under ``policy``; None when no attempt counts."""
    candidates = graded(attempts)
    if not candidates:
        return None
    if policy == GradePolicy.LATEST:
        return candidates[-1]
    if policy == GradePolicy.FIRST_MASTERED:
        mastered = [a for a in candidates if _finally_mastered(a)]
        if mastered:
            return mastered[0]
    return _best(candidates)


def has_mastered(attempts: Sequence[GradedAttempt]) -> bool:
    """Whether any graded attempt mastered the unit (nothing of it left to review)."""
    return any(_finally_mastered(a) for a in graded(attempts))
