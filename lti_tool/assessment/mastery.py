"""Per-outcome results and the mastery decision of one attempt.

Pure module. The rules:

- An outcome's score is the mean of the scores of the items drawn for it (each item weighs the same;
  an unanswered item counts 0). A practical task counts with its teacher's rubric score once reviewed,
  and 0 while it waits.
- An outcome is met when its score reaches the unit file's ``threshold`` (compared with a 1e-9 margin so
  that 3 × 0.2 still meets 0.6), nothing of it waits for review, and every practical task drawn for it
  was passed by a teacher.
- The unit score is the mean of the outcome scores (each outcome weighs the same, whatever its number of
  items: the credential certifies outcomes, not items).
- The unit is mastered when every outcome is met; ``pending_review`` while any submitted practical task
  waits for a teacher.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lti_tool.assessment.scoring import UNANSWERED, ItemScore
from lti_tool.assessment.selection import SelectedItem
from lti_tool.catalogue.unit_doc import Item, Outcome, UnitDoc

__all__ = [
    "THRESHOLD_MARGIN",
    "OutcomeResult",
    "PracticalReview",
    "UnitResult",
    "meets_threshold",
    "outcome_results",
    "unit_result",
]

THRESHOLD_MARGIN = 1e-9


@dataclass(frozen=True, slots=True)
class PracticalReview:
    """A teacher's verdict on a practical task: rubric score in [0, 1] and pass/fail."""

    score: float
    passed: bool


@dataclass(frozen=True, slots=True)
class OutcomeResult:
    """One learning outcome's result in an attempt."""

    id: str
    score: float
    met: bool
    pending_review: bool

    def to_json(self) -> dict[str, Any]:
        """The outcome entry of the submit answer (DESIGN.md section 3: id, score, met)."""
        return {"id": self.id, "score": self.score, "met": self.met, "pending_review": self.pending_review}


@dataclass(frozen=True, slots=True)
class UnitResult:
    """The attempt's result: unit score in [0, 1], mastery, pending review, and the outcomes."""

    score: float
    mastered: bool
    pending_review: bool
    outcomes: tuple[OutcomeResult, ...]

    def to_json(self) -> dict[str, Any]:
        """The body of POST /api/attempts/<id>/submit."""
        return {
            "score": self.score,
            "mastered": self.mastered,
            "outcomes": [outcome.to_json() for outcome in self.outcomes],
            "pending_review": self.pending_review,
        }


def meets_threshold(score: float, threshold: float) -> bool:
    """Whether a score reaches a threshold, forgiving float rounding below 1e-9."""
    return score >= threshold - THRESHOLD_MARGIN


def outcome_results(
    unit: UnitDoc,
    selected: Sequence[SelectedItem],
    item_scores: Mapping[str, ItemScore],
    reviews: Mapping[str, PracticalReview],
) -> list[OutcomeResult]:
    """The result of each outcome of the unit (in unit order) from the drawn items' scores and reviews."""
    drawn: dict[str, list[str]] = {outcome.id: [] for outcome in unit.outcomes}
    for chosen in selected:
        if chosen.outcome_id not in drawn or chosen.item_id not in unit.items:
            raise ValueError(f"drawn item {chosen.item_id!r} ({chosen.outcome_id!r}) is not in this unit")
        drawn[chosen.outcome_id].append(chosen.item_id)
    results = []
    for outcome in unit.outcomes:
        graded = [(unit.item(i), item_scores.get(i, UNANSWERED), reviews.get(i)) for i in drawn[outcome.id]]
        results.append(_outcome(outcome, graded))
    return results


def unit_result(
    unit: UnitDoc,
    selected: Sequence[SelectedItem],
    item_scores: Mapping[str, ItemScore],
    reviews: Mapping[str, PracticalReview],
) -> UnitResult:
    """The attempt's unit score, mastery decision and pending-review flag, with the outcome results."""
    outcomes = outcome_results(unit, selected, item_scores, reviews)
    score = math.fsum(o.score for o in outcomes) / len(outcomes) if outcomes else 0.0
    return UnitResult(
        score=_clamp(score),
        mastered=bool(outcomes) and all(o.met for o in outcomes),
        pending_review=any(o.pending_review for o in outcomes),
        outcomes=tuple(outcomes),
    )


def _outcome(outcome: Outcome, items: list[tuple[Item, ItemScore, PracticalReview | None]]) -> OutcomeResult:
    scores: list[float] = []
    pending = False
    practicals_passed = True
    for item, item_score, review in items:
        if item.is_practical:
            if review is not None:
                scores.append(_clamp(review.score))
                practicals_passed = practicals_passed and review.passed
                continue
            # Submitted evidence waits for a teacher; no evidence at all is simply not passed.
            pending = pending or item_score.needs_review
            practicals_passed = False
            scores.append(0.0)
        else:
            scores.append(_clamp(item_score.score))
    score = _clamp(math.fsum(scores) / len(scores)) if scores else 0.0
    met = bool(scores) and not pending and practicals_passed and meets_threshold(score, outcome.threshold)
    return OutcomeResult(id=outcome.id, score=score, met=met, pending_review=pending)


def _clamp(score: float) -> float:
    if math.isnan(score):
        return 0.0
    return min(1.0, max(0.0, float(score)))
