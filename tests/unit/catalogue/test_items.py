"""The typed items: every shipped item parses into its type's class with its key in that type's shape."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from lti_tool.catalogue.items import (
    Choice,
    Item,
    ItemType,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Practical,
    ShortText,
    SingleChoice,
    TrueFalse,
    parse_item,
)
from lti_tool.catalogue.schema import iter_unit_files, read_unit_file
from tests.unit_files import item_index

UNITS = [read_unit_file(path) for path in iter_unit_files(Path(__file__).resolve().parents[3] / "content" / "units")]
ITEMS = [(unit["slug"], outcome_id, raw) for unit in UNITS for outcome_id, raw in item_index(unit).values()]
CLASSES: dict[ItemType, type[Item]] = {
    ItemType.SINGLE_CHOICE: SingleChoice, ItemType.MULTIPLE_RESPONSE: MultipleResponse, ItemType.TRUE_FALSE: TrueFalse,
    ItemType.NUMERIC: Numeric, ItemType.ORDERING: Ordering, ItemType.MATCHING: Matching,
    ItemType.SHORT_TEXT: ShortText, ItemType.PRACTICAL: Practical,
}


def _choices(raw: Any) -> tuple[Choice, ...]:
    return tuple(Choice(str(c["id"]), c["text"]) for c in raw or ())


@pytest.mark.parametrize(("slug", "outcome_id", "raw"), ITEMS, ids=[f"{s}/{r['id']}" for s, _, r in ITEMS])
def test_every_shipped_item_parses_into_its_class_with_its_key(slug: str, outcome_id: str, raw: dict[str, Any]
                                                               ) -> None:
    item = parse_item(raw, outcome_id)
    assert type(item) is CLASSES[ItemType(raw["type"])] and item.type.value == raw["type"]
    assert (item.id, item.outcome_id, item.prompt) == (raw["id"], outcome_id, raw["prompt"])
    answer = raw.get("answer")
    match item:
        case SingleChoice():
            assert (item.options, item.correct) == (_choices(raw["options"]), answer)
        case MultipleResponse():
            assert (item.options, item.correct) == (_choices(raw["options"]), tuple(answer))
        case TrueFalse():
            assert item.correct is answer
        case Numeric():
            assert (item.value, item.tolerance, item.unit) == (answer["value"], answer["tolerance"], raw.get("unit"))
        case Ordering():
            assert (item.options, item.order) == (_choices(raw["options"]), tuple(answer))
        case Matching():
            assert (item.options, item.targets) == (_choices(raw["options"]), _choices(raw["targets"]))
            assert item.pairs == tuple(answer.items()) and item.key == answer
        case ShortText():
            assert item.accepted == tuple(answer)
        case Practical():
            assert [(c.id, c.text, c.points) for c in item.rubric] == [(c["id"], c["text"], c["points"])
                                                                     for c in raw["rubric"]]
            for criterion, authored in zip(item.rubric, raw["rubric"], strict=True):
                assert [(lv.points, lv.text) for lv in criterion.levels] == [
                    (lv["points"], lv["text"]) for lv in authored.get("levels", ())]


def test_every_item_type_is_shipped_and_has_its_class() -> None:
    assert {ItemType(raw["type"]) for _, _, raw in ITEMS} == set(ItemType) == set(CLASSES)
    assert {cls.type for cls in CLASSES.values()} == set(ItemType)


def test_rubric_points_stay_as_authored() -> None:
    # The review page and the public item show "3", not "3.0"; the score arithmetic converts where it adds up.
    task = parse_item({"id": "p", "type": "practical", "prompt": "Do it",
                       "rubric": [{"id": "c", "text": "C", "points": 3, "levels": [{"points": 0, "text": "none"},
                                                                                   {"points": 3, "text": "all"}]}]},
                      "lo1")
    assert isinstance(task, Practical)
    assert type(task.rubric[0].points) is int and [type(lv.points) for lv in task.rubric[0].levels] == [int, int]


def test_items_are_frozen_and_carry_no_mapping_of_the_file() -> None:
    item = parse_item({"id": "q", "type": "numeric", "prompt": "?", "answer": {"value": 5, "tolerance": 0},
                       "x-author-note": "five"}, "lo1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.value = 6  # type: ignore[misc]
    assert not hasattr(item, "__dict__")  # slots: no stray attributes
    assert {f.name for f in dataclasses.fields(item)} == {"id", "outcome_id", "prompt", "feedback", "value",
                                                           "tolerance", "unit"}
