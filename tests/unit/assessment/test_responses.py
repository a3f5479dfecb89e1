"""The learner-API response shape: accepted, normalised, and every wrong shape refused with a clear message."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.assessment.responses import MAX_TEXT_LENGTH, key_response, validate_response
from lti_tool.catalogue.items import Item, ItemType
from lti_tool.errors import ValidationFailed
from tests.unit.assessment import strategies as s

CHOICE_DEF = {"id": "q1", "type": "single_choice", "prompt": "?", "options": s.choices(["a", "b", "c"]), "answer": "a"}
CHOICE = s.typed(CHOICE_DEF)
MULTI = s.typed({**CHOICE_DEF, "type": "multiple_response", "answer": ["a", "b"]})
TRUE_FALSE = s.typed({"id": "q2", "type": "true_false", "prompt": "?", "answer": True})
NUMERIC = s.typed({"id": "q3", "type": "numeric", "prompt": "?", "answer": {"value": 81, "tolerance": 0.5}})
ORDERING = s.typed({**CHOICE_DEF, "type": "ordering", "answer": ["c", "a", "b"]})
MATCHING = s.typed({
    "id": "q4",
    "type": "matching",
    "prompt": "?",
    "options": s.choices(["x", "y"]),
    "targets": s.choices(["one", "two", "three"]),
    "answer": {"x": "one", "y": "two"},
})
SHORT = s.typed({"id": "q5", "type": "short_text", "prompt": "?", "answer": ["EN 335"]})
PRACTICAL = s.typed({"id": "q6", "type": "practical", "prompt": "?", "rubric": [{"id": "c", "text": "C", "points": 1}]})


@pytest.mark.parametrize(
    ("item", "raw", "normalised"),
    [
        (CHOICE, "b", "b"),
        (MULTI, ["c", "a"], ["c", "a"]),
        (MULTI, [], []),
        (TRUE_FALSE, False, False),
        (NUMERIC, 81, 81.0),
        (NUMERIC, -0.25, -0.25),
        (NUMERIC, " 81.5 ", 81.5),  # a form field's text
        (NUMERIC, "1e3", 1000.0),
        (ORDERING, ("b", "a", "c"), ["b", "a", "c"]),
        (MATCHING, {"x": "three"}, {"x": "three"}),  # partly matched, autosaved
        (MATCHING, {"x": "one", "y": None}, {"x": "one"}),
        (SHORT, "  en 335 ", "en 335"),
        (PRACTICAL, {"text": "My audit"}, {"text": "My audit"}),
        (PRACTICAL, {"upload": "u_123.pdf"}, {"upload": "u_123.pdf"}),
        (PRACTICAL, {"text": "See file", "upload": "abc"}, {"text": "See file", "upload": "abc"}),
        (PRACTICAL, "plain text", {"text": "plain text"}),
        (CHOICE, None, None),  # no answer yet
    ],
)
def test_valid_responses_are_normalised(item: Item, raw: Any, normalised: Any) -> None:
    assert validate_response(item, raw) == normalised


@pytest.mark.parametrize(
    ("locale", "typed", "value"),
    [
        ("it", "3,5", 3.5), ("it", "0,18", 0.18), ("it", "3.5", 3.5), ("it", "-0,25", -0.25), ("it", "1.234,5", 1234.5),
        ("it", "70,0", 70.0), ("bg", "3,5", 3.5), ("bg", "1 234,5", 1234.5), ("fi", "1\u00a0234,5", 1234.5),
        ("fr", "1\u202f234,5", 1234.5), ("es", ",5", 0.5), ("nl", "81", 81.0), ("en", "3,5", 3.5),
        ("en", "1,234.5", 1234.5), ("en", "1.234", 1.234), ("it", "1,234", 1.234), ("it-IT", "2,75", 2.75),
        ("xx", "2.5", 2.5), (None, "2,5", 2.5),
    ],
)
def test_numbers_are_read_with_the_launch_locale(locale: str | None, typed: str, value: float) -> None:
    assert validate_response(NUMERIC, typed, locale) == pytest.approx(value)


@pytest.mark.parametrize(("locale", "typed"), [("it", "1.234"), ("en", "1,234"), ("en", "1.234,5"),
                                               ("it", "1,234.5"), ("bg", "1.2.3"), ("fr", "1,2,3")])
def test_ambiguous_numbers_are_refused_with_the_locale_mark(locale: str, typed: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_response(NUMERIC, typed, locale)
    error = caught.value
    assert (error.status, error.code) == (422, "ambiguous_number")
    mark = "." if locale == "en" else ","
    assert f"\u201c{mark}\u201d as the decimal mark" in error.message and typed in error.message
    assert error.params["example"] == f"1234{mark}5"


@pytest.mark.parametrize(
    ("item", "raw", "says"),
    [
        (CHOICE, "z", "'z' is not one of the option ids (a, b, c)"),
        (CHOICE, ["a"], "must be one option id"),
        (CHOICE, 1, "must be one option id"),
        (MULTI, "a", "must be a list of option ids"),
        (MULTI, ["a", 2], "must be a list of option ids"),
        (MULTI, ["a", "a"], "more than once: a"),
        (MULTI, ["a", "q"], "'q' is not one of the option ids"),
        (TRUE_FALSE, "true", "must be true or false"),
        (TRUE_FALSE, 1, "must be true or false"),
        (NUMERIC, True, "must be a number"),
        (NUMERIC, [81], "must be a number"),
        (NUMERIC, math.nan, "finite"),
        (NUMERIC, math.inf, "finite"),
        (NUMERIC, -math.inf, "finite"),
        (NUMERIC, "NaN", "must be a number"),
        (NUMERIC, "Infinity", "must be a number"),
        (NUMERIC, "1 234.5", "must be a number"),  # English groups with a comma, not a space
        (NUMERIC, "12abc", "must be a number"),
        (NUMERIC, "1e999", "finite"),
        (NUMERIC, 10**400, "too large"),
        (ORDERING, ["a", "b", "b"], "more than once: b"),
        (ORDERING, ["a", "b"], "missing c"),
        (ORDERING, ["a", "b", "c", "d"], "'d' is not one of the option ids"),
        (ORDERING, {"a": 1}, "must be a list of option ids"),
        (MATCHING, ["x", "one"], "must map option ids to target ids"),
        (MATCHING, {"x": "four"}, "'four' is not one of the target ids (one, two, three)"),
        (MATCHING, {"w": "one"}, "'w' is not one of the option ids (x, y)"),
        (MATCHING, {"x": 1}, "must be a target id"),
        (SHORT, ["EN 335"], "must be one text"),
        (SHORT, 335, "must be one text"),
        (SHORT, "x" * (MAX_TEXT_LENGTH + 1), f"longer than {MAX_TEXT_LENGTH} characters"),
        (SHORT, "EN\x00335", "NUL"),
        (PRACTICAL, {}, "give a text, an upload, or both"),
        (PRACTICAL, {"text": "   "}, "give a text, an upload, or both"),
        (PRACTICAL, {"text": 5}, "'text' must be a string"),
        (PRACTICAL, {"upload": "../../etc/passwd"}, "'upload' is not an upload id"),
        (PRACTICAL, {"file": "x"}, "unknown field(s) file"),
        (PRACTICAL, ["text"], "must be {'text'"),
    ],
)
def test_invalid_responses_name_the_problem(item: Item, raw: Any, says: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_response(item, raw)
    assert says in caught.value.message
    assert caught.value.message.startswith(f"item {item.id}: ")
    assert caught.value.status == 422


def test_short_text_of_exactly_the_limit_is_accepted() -> None:
    assert validate_response(SHORT, "x" * MAX_TEXT_LENGTH) == "x" * MAX_TEXT_LENGTH


@given(s.auto_items)
def test_the_key_in_api_shape_validates_to_itself(item_def: dict[str, Any]) -> None:
    item = s.typed(item_def)
    key = key_response(item)
    normalised = validate_response(item, key)
    if item.type is ItemType.SHORT_TEXT:
        assert isinstance(key, str) and normalised == key.strip()
    else:
        assert normalised == key


@given(st.data(), s.any_items)
def test_validation_is_idempotent(data: st.DataObject, item_def: dict[str, Any]) -> None:
    item = s.typed(item_def)
    once = validate_response(item, data.draw(s.valid_response(item_def)))
    assert validate_response(item, once) == once


@given(s.any_items, s.json_values)
def test_anything_either_validates_or_raises_validation_failed(item_def: dict[str, Any], raw: Any) -> None:
    try:
        validate_response(s.typed(item_def), raw)
    except ValidationFailed as error:
        assert error.message


@pytest.mark.parametrize(("locale", "fraction", "shown"), [
    ("en", 0.825, "82.5%"), ("it", 0.825, "82,5%"), ("fr", 0.825, "82,5\u00a0%"), ("fi", 1.0, "100\u00a0%"),
    ("bg", 1 / 3, "33,3%"), ("es", 0.0, "0\u00a0%"),
])
def test_percentages_follow_the_locale_with_one_rounding_rule(locale: str, fraction: float, shown: str) -> None:
    from lti_tool.assessment.numbers import format_percentage

    assert format_percentage(fraction, locale) == shown
