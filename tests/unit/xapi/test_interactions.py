"""Items as cmi.interaction activities: the xAPI 1.0.3 response patterns per item type."""

from __future__ import annotations

import pytest

from lti_tool.catalogue.items import Choice, Matching, MultipleResponse, Numeric
from lti_tool.xapi.interactions import (
    correct_responses_pattern,
    format_number,
    format_response,
    interaction_definition,
)
from tests.unit.xapi.factories import ITEMS_AND_RESPONSES

ITEMS = {item.id: item for item, _, _ in ITEMS_AND_RESPONSES}


@pytest.mark.parametrize(
    ("item_id", "interaction", "pattern", "response", "expected_response"),
    [
        ("q1", "choice", ["a"], "b", "b"),
        ("q2", "choice", ["a[,]c"], ["a", "b"], "a[,]b"),
        ("q3", "true-false", ["true"], False, "false"),
        ("q4", "numeric", ["11.5[:]12.5"], 12.30, "12.3"),
        ("q5", "sequencing", ["x[,]y"], ["y", "x"], "y[,]x"),
        ("q6", "matching", ["l1[.]r1[,]l2[.]r2"], {"l2": "r1"}, "l2[.]r1"),
        ("q7", "fill-in", ["oak", "Quercus"], "an oak", "an oak"),
        ("q8", "other", None, "photo.jpg", "photo.jpg"),
    ],
)
def test_each_item_type(
    item_id: str, interaction: str, pattern: list[str] | None, response: object, expected_response: str
) -> None:
    item = ITEMS[item_id]
    definition = interaction_definition(item)
    assert definition["interactionType"] == interaction
    assert definition.get("correctResponsesPattern") == pattern
    assert format_response(item, response) == expected_response  # type: ignore[arg-type]


def test_components_per_type() -> None:
    assert [c["id"] for c in interaction_definition(ITEMS["q1"])["choices"]] == ["a", "b"]
    assert [c["id"] for c in interaction_definition(ITEMS["q5"])["choices"]] == ["x", "y"]
    matching = interaction_definition(ITEMS["q6"])
    assert [c["id"] for c in matching["source"]] == ["l1", "l2"]
    assert [c["id"] for c in matching["target"]] == ["r1", "r2"]
    assert matching["source"][0]["description"] == {"en": "Oak"}
    assert "choices" not in interaction_definition(ITEMS["q3"])


def test_a_matching_option_left_out_of_the_key_stays_a_source() -> None:
    item = Matching(id="m", outcome_id="lo1", prompt="Match", options=(Choice("l1", "Oak"), Choice("l2", "Ash")),
                    targets=(Choice("r1", "Hard"), Choice("r2", "Soft")), pairs=(("l1", "r1"),))
    matching = interaction_definition(item)
    assert [c["id"] for c in matching["source"]] == ["l1", "l2"]  # l2 is a distractor, not a target
    assert [c["id"] for c in matching["target"]] == ["r1", "r2"]
    assert matching["correctResponsesPattern"] == ["l1[.]r1"]


def test_exact_numeric_answer_and_number_format() -> None:
    item = Numeric(id="n", outcome_id="lo1", prompt="How many?", value=3.0, tolerance=0)
    assert correct_responses_pattern(item) == ["3"]
    assert [format_number(v) for v in (2.0, 0.1, -0.0, 1e-7, 12, "4.50")] == ["2", "0.1", "0", "0.0000001", "12", "4.5"]
    tolerance = Numeric(id="n", outcome_id="lo1", prompt="x", value=0.3, tolerance=0.1)
    assert correct_responses_pattern(tolerance) == ["0.2[:]0.4"]  # decimal, not 0.19999999999999998


def test_empty_answer_key_has_no_pattern() -> None:
    item = MultipleResponse(id="m", outcome_id="lo1", prompt="None apply", options=(Choice("a", "A"),), correct=())
    assert "correctResponsesPattern" not in interaction_definition(item)


@pytest.mark.parametrize(
    ("item_id", "bad"),
    [("q3", "yes"), ("q2", "a"), ("q6", ["l1"]), ("q4", "twelve"), ("q4", True)],
)
def test_response_of_the_wrong_shape_is_refused(item_id: str, bad: object) -> None:
    with pytest.raises(ValueError, match=item_id if item_id != "q4" or bad is True else "number"):
        format_response(ITEMS[item_id], bad)  # type: ignore[arg-type]


def test_no_response_gives_none() -> None:
    assert format_response(ITEMS["q1"], None) is None
    assert format_response(ITEMS["q7"], "") is None
