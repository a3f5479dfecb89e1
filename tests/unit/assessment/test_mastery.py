"""Outcome results and the mastery decision: thresholds, practical tasks, pending review, the unit score."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.assessment.mastery import PracticalReview, meets_threshold, outcome_results, unit_result
from lti_tool.assessment.responses import key_response
from lti_tool.assessment.scoring import ItemScore, rubric_score, score_item
from lti_tool.assessment.selection import SelectedItem, select_items
from lti_tool.catalogue.unit_doc import parse_unit
from lti_tool.errors import ValidationFailed
from tests.unit.assessment import strategies as s
from tests.unit_files import item_index

RUBRIC = [{"id": "done", "text": "Complete", "points": 3}, {"id": "clear", "text": "Clear", "points": 1}]


def unit_doc() -> dict[str, Any]:
    """Two outcomes: o1 with five auto items (threshold 0.6), o2 with one auto item and one practical."""
    auto = [{"id": f"a{n}", "type": "true_false", "prompt": "?", "answer": True} for n in range(5)]
    return {
        "slug": "u",
        "outcomes": [
            {"id": "o1", "threshold": 0.6, "items": auto},
            {
                "id": "o2",
                "threshold": 0.5,
                "items": [
                    {"id": "b1", "type": "true_false", "prompt": "?", "answer": False},
                    {"id": "p1", "type": "practical", "prompt": "Do it", "rubric": RUBRIC},
                ],
            },
        ],
    }


def everything(unit: dict[str, Any]) -> list[SelectedItem]:
    return select_items(parse_unit(unit), seed="s", items_per_outcome=None)


RIGHT, WRONG, REVIEW = ItemScore(1.0, True), ItemScore(0.0, False), ItemScore(0.0, False, needs_review=True)


def test_outcome_met_at_exactly_the_threshold_despite_float_rounding() -> None:
    unit = unit_doc()
    scores = {"a0": RIGHT, "a1": RIGHT, "a2": RIGHT, "a3": WRONG}  # 3 of 5 = 0.6
    (o1, _o2) = outcome_results(parse_unit(unit), everything(unit), scores, {})
    assert o1.score == pytest.approx(0.6)
    assert o1.met
    assert 0.3 * 3 < 0.9  # binary floats...
    assert meets_threshold(0.3 * 3, 0.9)  # ...do not cost a learner the outcome
    assert meets_threshold(0.5999999, 0.6) is False


def test_outcome_below_threshold_is_not_met() -> None:
    unit = unit_doc()
    (o1, _o2) = outcome_results(parse_unit(unit), everything(unit), {"a0": RIGHT, "a1": RIGHT}, {})
    assert o1.score == pytest.approx(0.4)
    assert not o1.met


def test_practical_waits_then_counts_with_its_review() -> None:
    unit = unit_doc()
    drawn = everything(unit)
    scores = {f"a{n}": RIGHT for n in range(5)} | {"b1": RIGHT, "p1": REVIEW}
    waiting = unit_result(parse_unit(unit), drawn, scores, {})
    assert waiting.pending_review
    assert not waiting.mastered
    assert waiting.outcomes[1].pending_review and not waiting.outcomes[1].met
    assert waiting.outcomes[1].score == 0.5  # the practical counts 0 while it waits
    assert not waiting.outcomes[0].pending_review

    passed = unit_result(parse_unit(unit), drawn, scores, {"p1": PracticalReview(score=0.75, passed=True)})
    assert passed.mastered and not passed.pending_review
    assert passed.outcomes[1].score == pytest.approx((1 + 0.75) / 2)
    assert passed.score == pytest.approx((1.0 + 0.875) / 2)  # mean of the outcomes, not of the items

    failed = unit_result(parse_unit(unit), drawn, scores, {"p1": PracticalReview(score=1.0, passed=False)})
    assert not failed.mastered  # a practical not passed blocks mastery even above the threshold
    assert failed.outcomes[1].score == 1.0 and not failed.outcomes[1].met


def test_practical_without_evidence_is_neither_pending_nor_passed() -> None:
    unit = unit_doc()
    scores = {f"a{n}": RIGHT for n in range(5)} | {"b1": RIGHT}
    result = unit_result(parse_unit(unit), everything(unit), scores, {})
    assert not result.pending_review
    assert not result.mastered


def test_unanswered_items_count_zero_and_the_json_shape() -> None:
    unit = unit_doc()
    result = unit_result(parse_unit(unit), everything(unit), {}, {})
    assert result.to_json() == {
        "score": 0.0,
        "mastered": False,
        "outcomes": [
            {"id": "o1", "score": 0.0, "met": False, "pending_review": False},
            {"id": "o2", "score": 0.0, "met": False, "pending_review": False},
        ],
        "pending_review": False,
    }


def test_a_threshold_of_zero_is_met_by_any_auto_scored_outcome() -> None:
    unit = unit_doc()
    unit["outcomes"][0]["threshold"] = 0
    (o1, _o2) = outcome_results(parse_unit(unit), everything(unit), {}, {})
    assert o1.met


def test_only_drawn_items_count() -> None:
    unit = unit_doc()
    drawn = select_items(parse_unit(unit), seed="seed-7", items_per_outcome=2)
    o1_items = [c.item_id for c in drawn if c.outcome_id == "o1"]
    assert len(o1_items) == 2
    (o1, _o2) = outcome_results(parse_unit(unit), drawn, dict.fromkeys(o1_items, RIGHT), {})
    assert o1.score == 1.0 and o1.met


def test_an_item_from_another_unit_is_refused() -> None:
    unit = unit_doc()
    with pytest.raises(ValueError, match="not in this unit"):
        outcome_results(parse_unit(unit), [SelectedItem("o1", "zz")], {}, {})


@pytest.mark.parametrize("unit", s.shipped_units(), ids=lambda unit: unit["slug"])
def test_every_shipped_unit_is_mastered_with_the_key(unit: dict[str, Any]) -> None:
    drawn = select_items(parse_unit(unit), seed="key", items_per_outcome=None)
    index, typed = item_index(unit), parse_unit(unit)
    scores = {c.item_id: score_item(typed.item(c.item_id), key_response(typed.item(c.item_id))) for c in drawn}
    practical = {c.item_id for c in drawn if index[c.item_id][1]["type"] == "practical"}
    scores |= dict.fromkeys(practical, REVIEW)
    result = unit_result(parse_unit(unit), drawn, scores, {})
    assert result.pending_review is bool(practical)
    assert result.mastered is not bool(practical)  # at least 8 units can be earned without waiting
    reviewed = unit_result(parse_unit(unit), drawn, scores, dict.fromkeys(practical, PracticalReview(1.0, True)))
    assert reviewed.mastered and reviewed.score == 1.0


@given(st.lists(st.floats(0, 1), min_size=5, max_size=5), st.floats(0, 1))
def test_scores_stay_in_range_and_met_follows_the_threshold(values: list[float], threshold: float) -> None:
    unit = unit_doc()
    unit["outcomes"][0]["threshold"] = threshold
    scores = {f"a{n}": ItemScore(value, value == 1.0) for n, value in enumerate(values)}
    result = unit_result(parse_unit(unit), everything(unit), scores, {})
    (o1, _o2) = result.outcomes
    assert 0.0 <= result.score <= 1.0 and 0.0 <= o1.score <= 1.0
    assert o1.met is (o1.score >= threshold - 1e-9)


def test_rubric_score() -> None:
    task = s.typed({"id": "p1", "type": "practical", "prompt": "Do it", "rubric": RUBRIC})
    assert rubric_score(task, {"done": 3, "clear": 1}) == 1.0
    assert rubric_score(task, {"done": 2, "clear": 0}) == 0.5
    with pytest.raises(ValidationFailed, match="between 0 and 3"):
        rubric_score(task, {"done": 4, "clear": 0})
    with pytest.raises(ValidationFailed, match="missing clear"):
        rubric_score(task, {"done": 1})
    with pytest.raises(ValidationFailed, match="unknown rubric criteria extra"):
        rubric_score(task, {"done": 1, "clear": 1, "extra": 1})
    with pytest.raises(ValidationFailed, match="must be a number"):
        rubric_score(task, {"done": float("nan"), "clear": 1})
