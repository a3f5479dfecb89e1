"""Which attempt counts under each grade policy (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from lti_tool.assessment.grade_policy import GradePolicy, counting_attempt, graded, has_mastered


@dataclass
class A:
    id: str
    number: int
    score: float | None
    mastered: bool = False
    pending_review: bool = False
    state: str = "submitted"
    practice: bool = False
    submitted_at: dt.datetime | None = None
    result: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.result = self.result or {"score": self.score}


def _pick(policy: GradePolicy, *attempts: A) -> str | None:
    found = counting_attempt(list(attempts), policy)
    return found.id if found is not None else None


def test_best_keeps_the_highest_score_and_the_earlier_of_equals() -> None:
    assert _pick(GradePolicy.BEST, A("a", 1, .8), A("b", 2, .3)) == "a"  # a retake never lowers it
    assert _pick(GradePolicy.BEST, A("a", 1, .5), A("b", 2, .5)) == "a"
    assert _pick(GradePolicy.BEST, A("a", 1, .9), A("b", 2, .9, mastered=True)) == "b"  # mastery breaks a tie


def test_latest_and_first_mastered() -> None:
    attempts = (A("a", 1, .4), A("b", 2, 1.0, mastered=True), A("c", 3, .95, mastered=True), A("d", 4, .2))
    assert _pick(GradePolicy.LATEST, *attempts) == "d"
    assert _pick(GradePolicy.FIRST_MASTERED, *attempts) == "b"
    assert _pick(GradePolicy.FIRST_MASTERED, A("a", 1, .4), A("b", 2, .6)) == "b"  # until mastery: the best
    # A mastered result still waiting for a teacher is not "mastered" yet.
    assert _pick(GradePolicy.FIRST_MASTERED, A("a", 1, .7, mastered=True, pending_review=True), A("b", 2, .6)) == "a"


@pytest.mark.parametrize("policy", list(GradePolicy))
def test_reset_practice_and_open_attempts_never_count(policy: GradePolicy) -> None:
    attempts = [A("r", 1, 1.0, mastered=True, state="reset"), A("p", 2, 1.0, practice=True),
                A("o", 3, None, state="in_progress", result={})]
    assert graded(attempts) == [] and _pick(policy, *attempts) is None and not has_mastered(attempts)


def test_unknown_stored_values_fall_back_to_best() -> None:
    assert GradePolicy.parse("average") == GradePolicy.BEST and GradePolicy.parse(None) == GradePolicy.BEST
    assert GradePolicy.parse("latest") == GradePolicy.LATEST
