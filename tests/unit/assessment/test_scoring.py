"""Scoring of each item type: the documented rules by example, and properties over generated items."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from lti_tool.assessment.responses import key_response, validate_response
from lti_tool.assessment.scoring import ItemScore, normalize_text, score_item
from lti_tool.catalogue.items import Item, ItemType
from tests.unit.assessment import strategies as s

ABCD = s.choices(["a", "b", "c", "d"])


def item(kind: str, **fields: Any) -> Item:
    return s.typed({"id": "q", "type": kind, "prompt": "?", **fields})


# --- examples, one per rule ----------------------------------------------------------------------


def test_single_choice_is_exact() -> None:
    question = item("single_choice", options=ABCD, answer="b")
    assert score_item(question, "b") == ItemScore(1.0, True, False)
    assert score_item(question, "a") == ItemScore(0.0, False, False)


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (["a", "b"], 1.0),  # the key
        (["a"], 0.5),  # half the right options
        (["a", "c"], 0.0),  # one right cancelled by one wrong
        (["a", "b", "c"], 0.5),  # (2 right - 1 wrong) / 2
        (["a", "b", "c", "d"], 0.0),  # ticking everything earns nothing
        (["c", "d"], 0.0),  # never below zero
        ([], 0.0),
    ],
)
def test_multiple_response_partial_credit(chosen: list[str], expected: float) -> None:
    question = item("multiple_response", options=ABCD, answer=["a", "b"])
    result = score_item(question, chosen)
    assert result.score == pytest.approx(expected)
    assert result.correct is (expected == 1.0)


def test_true_false_is_exact_and_strict_about_type() -> None:
    question = item("true_false", answer=False)
    assert score_item(question, False).correct
    assert score_item(question, True).score == 0.0
    assert score_item(question, 0).score == 0.0  # 0 == False in Python, but is not the answer false


@pytest.mark.parametrize(
    ("value", "tolerance", "response", "correct"),
    [
        (81, 0.5, 81.5, True),  # the bound is inclusive
        (81, 0.5, 80.5, True),
        (81, 0.5, 81.51, False),
        (5, 0, 5, True),
        (5, 0, 5.0000001, False),
        (0.3, 0.1, 0.4, True),  # 0.4 - 0.3 > 0.1 in binary floats; not in the numbers the people wrote
        (0.3, 0.1, 0.2, True),
        (0.1, 0.2, 0.1 + 0.2, True),  # a response computed in floats (0.30000000000000004)
        (-2.5, 0.25, -2.25, True),
        (1e-7, 0, 1e-7, True),
    ],
)
def test_numeric_tolerance_is_inclusive_and_float_safe(
    value: float, tolerance: float, response: float, correct: bool
) -> None:
    question = item("numeric", answer={"value": value, "tolerance": tolerance})
    assert score_item(question, response).correct is correct


def test_ordering_scores_the_fraction_of_positions() -> None:
    question = item("ordering", options=ABCD, answer=["a", "b", "c", "d"])
    assert score_item(question, ["a", "b", "c", "d"]).score == 1.0
    assert score_item(question, ["b", "a", "c", "d"]).score == 0.5  # one swap costs two positions
    assert score_item(question, ["d", "c", "b", "a"]).score == 0.0
    assert score_item(question, ["a", "c", "d", "b"]).score == 0.25


def test_matching_scores_the_fraction_of_pairs() -> None:
    question = item(
        "matching",
        options=s.choices(["x", "y", "z"]),
        targets=s.choices(["one", "two"]),
        answer={"x": "one", "y": "two", "z": "two"},
    )
    assert score_item(question, {"x": "one", "y": "two", "z": "two"}).correct
    assert score_item(question, {"x": "one", "y": "one"}).score == pytest.approx(1 / 3)
    assert score_item(question, {}).score == 0.0


@pytest.mark.parametrize("typed", ["EN 335", "en 335", "  En   335 ", "EN\u00a0335", "ｅｎ ３３５", "EN\t335\n"])
def test_short_text_ignores_case_width_and_whitespace(typed: str) -> None:
    question = item("short_text", answer=["EN 335", "UNE-EN 335"])
    assert score_item(question, typed).correct


def test_short_text_ignores_accents_but_not_letters() -> None:
    question = item("short_text", answer=["Thermische Modifikation", "bois thermotraité"])
    assert score_item(question, "BOIS THERMOTRAITE").correct
    assert score_item(question, "bois thérmotraité").correct
    assert score_item(question, "thermische modifikationen").score == 0.0
    assert score_item(question, "EN335").score == 0.0  # variants are listed by the author, not guessed


def test_short_text_folds_sharp_s() -> None:
    assert score_item(item("short_text", answer=["Straße"]), "STRASSE").correct


def test_practical_waits_for_a_teacher() -> None:
    task = item("practical", rubric=[{"id": "c", "text": "Complete", "points": 2}])
    assert score_item(task, {"text": "my report"}) == ItemScore(0.0, False, needs_review=True)
    assert score_item(task, None) == ItemScore(0.0, False, needs_review=False)


@pytest.mark.parametrize("kind", list(ItemType))
@given(data=st.data())
def test_unanswered_scores_zero(kind: ItemType, data: st.DataObject) -> None:
    assert score_item(s.typed(data.draw(s.BY_TYPE[kind])), None) == ItemScore(0.0, False, False)


# --- properties ----------------------------------------------------------------------------------


@given(st.data(), s.any_items)
def test_any_valid_response_scores_within_zero_and_one(data: st.DataObject, question: dict[str, Any]) -> None:
    response = validate_response(s.typed(question), data.draw(s.valid_response(question)))
    result = score_item(s.typed(question), response)
    assert 0.0 <= result.score <= 1.0
    assert result.correct is (result.score == 1.0)
    assert result.needs_review is (question["type"] == ItemType.PRACTICAL)


@given(s.any_items, s.json_values)
def test_garbage_responses_score_within_zero_and_one(question: dict[str, Any], garbage: Any) -> None:
    assert 0.0 <= score_item(s.typed(question), garbage).score <= 1.0


@given(s.auto_items)
def test_the_key_itself_scores_one(question: dict[str, Any]) -> None:
    response = validate_response(s.typed(question), key_response(s.typed(question)))
    assert score_item(s.typed(question), response) == ItemScore(1.0, True, False)


@given(s.ordering(), st.data())
def test_any_other_order_than_the_key_scores_below_one(question: dict[str, Any], data: st.DataObject) -> None:
    order = data.draw(st.permutations(question["answer"]))
    score = score_item(s.typed(question), order).score
    hits = sum(1 for given_id, key_id in zip(order, question["answer"], strict=True) if given_id == key_id)
    assert score == hits / len(order)
    assert (score == 1.0) is (order == question["answer"])


def test_every_permutation_of_four_is_below_one_except_the_identity() -> None:
    question = item("ordering", options=ABCD, answer=["a", "b", "c", "d"])
    scores = {tuple(p): score_item(question, list(p)).score for p in itertools.permutations("abcd")}
    assert [p for p, score in scores.items() if score == 1.0] == [("a", "b", "c", "d")]


@given(s.multiple_response(), st.data())
def test_multiple_response_follows_the_documented_formula(question: dict[str, Any], data: st.DataObject) -> None:
    options = [option["id"] for option in question["options"]]
    chosen = data.draw(st.lists(st.sampled_from(options), unique=True))
    key = set(question["answer"])
    expected = max(0.0, (len(key & set(chosen)) - len(set(chosen) - key)) / len(key))
    assert score_item(s.typed(question), chosen).score == pytest.approx(expected)
    wrong = [option for option in options if option not in key]
    assume(wrong)
    assert score_item(s.typed(question), options).score < 1.0  # selecting everything is never full marks


@given(s.matching(), st.data())
def test_matching_one_wrong_pair_is_below_one(question: dict[str, Any], data: st.DataObject) -> None:
    targets = [target["id"] for target in question["targets"]]
    left = data.draw(st.sampled_from(sorted(question["answer"])))
    wrong = [target for target in targets if target != question["answer"][left]]
    assume(wrong)
    response = {**question["answer"], left: data.draw(st.sampled_from(wrong))}
    expected = (len(question["answer"]) - 1) / len(question["answer"])
    assert score_item(s.typed(question), response).score == pytest.approx(expected)


@given(s.decimals, s.tolerances, st.sampled_from([-1, 1]))
def test_numeric_bound_inclusive_and_one_step_beyond_rejected(value: Decimal, tolerance: Decimal, side: int) -> None:
    question = item("numeric", answer={"value": float(value), "tolerance": float(tolerance)})
    at_bound = s.decimal_float(value + side * tolerance)
    beyond = s.decimal_float(value + side * (tolerance + Decimal("0.001")))
    assert score_item(question, at_bound).correct
    assert not score_item(question, beyond).correct


@given(st.text(max_size=40))
def test_short_text_normalisation_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert once == once.strip()
    assert "  " not in once


latin = st.text(alphabet=st.characters(codec="latin-1", categories=["L", "Zs"]), min_size=1, max_size=20)


@given(latin)
def test_short_text_accepts_case_accent_and_spacing_variants(accepted: str) -> None:
    assume(normalize_text(accepted))
    question = item("short_text", answer=[accepted])
    variants = [accepted.upper(), accepted.lower(), f"  {accepted}  ", accepted.replace(" ", "   ")]
    for variant in variants:
        assert score_item(question, variant).correct, variant
