"""Score one item response against its key; score a practical task from its rubric points.

Pure module. Every score is in [0, 1]; an unanswered item (``None``) or a response of the wrong shape
scores 0. The rules, per item type:

- single_choice, true_false: 1 when the response equals the key, else 0.
- multiple_response: partial credit ``max(0, (right picks − wrong picks) / number of right options)``,
  so ticking every box earns nothing more than ticking none, and a wrong pick cancels a right one.
- numeric: 1 when ``|response − value| ≤ tolerance`` (inclusive), computed in decimal so that
  0.3 ± 0.1 accepts 0.4 although binary floats say 0.4 − 0.3 > 0.1.
- ordering: the fraction of positions that hold the right option (a swap of two costs 2/n).
- matching: the fraction of the key's left entries matched to the right target.
- short_text: 1 when the response equals one accepted string after `normalize_text` (case, accents,
  compatibility forms and runs of whitespace are ignored).
- practical: 0 and ``needs_review`` until a teacher scores it (see `rubric_score` and mastery).

``correct`` is true exactly when the score is 1.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lti_tool.catalogue.items import (
    Item,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Practical,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from lti_tool.errors import N_, ValidationFailed

__all__ = ["UNANSWERED", "ItemScore", "normalize_text", "rubric_score", "score_item"]


@dataclass(frozen=True, slots=True)
class ItemScore:
    """The result of one item: score in [0, 1], whether fully correct, whether a teacher must review it."""

    score: float
    correct: bool
    needs_review: bool = False


UNANSWERED = ItemScore(0.0, False, False)


def score_item(item: Item, response: Any) -> ItemScore:
    """Score a (validated) response to one item; unanswered or malformed responses score 0."""
    if response is None:
        return UNANSWERED
    match item:
        case Practical():
            return ItemScore(0.0, False, needs_review=True)
        case SingleChoice() | TrueFalse():
            score = _equal(item.correct, response)
        case MultipleResponse():
            score = _multiple_response(item.correct, response)
        case Numeric():
            score = _numeric(item, response)
        case Ordering():
            score = _ordering(item.order, response)
        case Matching():
            score = _matching(item.pairs, response)
        case ShortText():
            score = _short_text(item.accepted, response)
    score = _clamp(score)
    return ItemScore(score, score == 1.0, False)


def normalize_text(text: str) -> str:
    """Fold a text for comparison: case-folded, accents and compatibility forms removed, whitespace collapsed."""
    folded = text
    # Folding can expose new foldable characters (casefold after NFKD and back); a few rounds reach a fixed point.
    for _ in range(4):
        decomposed = unicodedata.normalize("NFKD", folded.casefold())
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        step = " ".join(stripped.split())
        if step == folded:
            break
        folded = step
    return folded


def rubric_score(item: Practical, points: Mapping[str, float]) -> float:
    """Turn a teacher's points per rubric criterion into a score in [0, 1]; raise ValidationFailed if invalid."""
    where = f"item {item.id}"
    known = {criterion.id: float(criterion.points) for criterion in item.rubric}
    unknown = [str(key) for key in points if key not in known]
    if unknown:
        raise ValidationFailed(N_("%(where)s: unknown rubric criteria %(criteria)s"), where=where,
                               criteria=", ".join(unknown))
    missing = [key for key in known if key not in points]
    if missing:
        raise ValidationFailed(N_("%(where)s: give points for every criterion; missing %(criteria)s"), where=where,
                               criteria=", ".join(missing))
    for key, given in points.items():
        if isinstance(given, bool) or not isinstance(given, (int, float)) or not math.isfinite(given):
            raise ValidationFailed(N_("%(where)s: the points for %(criterion)s must be a number"), where=where,
                                   criterion=key)
        if not 0 <= given <= known[key]:
            raise ValidationFailed(N_("%(where)s: the points for %(criterion)s must be between 0 and %(most)s"),
                                   where=where, criterion=key, most=f"{known[key]:g}")
    total = math.fsum(known.values())
    return _clamp(math.fsum(float(points[key]) for key in known) / total) if total > 0 else 0.0


# --- one rule per item type (the key as the unit file gives it) ----------------------------------


def _equal(key: str | bool, response: Any) -> float:
    return 1.0 if type(response) is type(key) and response == key else 0.0


def _multiple_response(key: tuple[str, ...], response: Any) -> float:
    if not isinstance(response, (list, tuple)) or not key:
        return 0.0
    right_ones = set(key)
    chosen = {choice for choice in response if isinstance(choice, str)}
    right, wrong = len(chosen & right_ones), len(chosen - right_ones)
    return max(0.0, (right - wrong) / len(right_ones))


def _numeric(item: Numeric, response: Any) -> float:
    if isinstance(response, bool) or not isinstance(response, (int, float)) or not math.isfinite(response):
        return 0.0
    # repr() gives the shortest decimal that round-trips, i.e. the number the learner and author wrote.
    value, tolerance = Decimal(repr(float(item.value))), Decimal(repr(float(item.tolerance)))
    distance = abs(Decimal(repr(float(response))) - value)
    # A response that is itself the result of float arithmetic (0.1 + 0.2) misses by ~1e-16: forgive that.
    inside = distance <= tolerance or math.isclose(distance, tolerance, rel_tol=1e-12)
    return 1.0 if inside else 0.0


def _ordering(order: tuple[str, ...], response: Any) -> float:
    if not isinstance(response, (list, tuple)) or not order:
        return 0.0
    hits = sum(1 for index, choice in enumerate(order) if index < len(response) and response[index] == choice)
    return hits / len(order)


def _matching(pairs: tuple[tuple[str, str], ...], response: Any) -> float:
    if not isinstance(response, Mapping) or not pairs:
        return 0.0
    hits = sum(1 for left, right in pairs if response.get(left) == right)
    return hits / len(pairs)


def _short_text(accepted: tuple[str, ...], response: Any) -> float:
    if not isinstance(response, str):
        return 0.0
    given = normalize_text(response)
    return 1.0 if any(normalize_text(text) == given for text in accepted) else 0.0


def _clamp(score: float) -> float:
    return min(1.0, max(0.0, float(score)))
