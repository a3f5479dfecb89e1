"""What the browser gets for an item: prompt and choices in the drawn order, never the key or its feedback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from lti_tool.assessment.items_public import public_item, public_items
from lti_tool.assessment.selection import SelectedItem, select_items
from lti_tool.catalogue.items import ItemType
from lti_tool.catalogue.unit_doc import parse_unit
from tests.unit.assessment import strategies as s
from tests.unit_files import item_index

UNITS = s.shipped_units()
TOP_KEYS = {"id", "type", "prompt", "options", "targets", "unit", "rubric"}
CHOICE_KEYS = {"id", "text"}
RUBRIC_KEYS = {"id", "text", "points"}
SEEDS = [f"attempt-{n}" for n in range(25)]


def walk(value: Any) -> Iterator[Any]:
    """Every value nested in a JSON document (dict keys included)."""
    yield value
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from walk(inner)


@pytest.mark.parametrize("unit", UNITS, ids=[unit["slug"] for unit in UNITS])
def test_the_answer_key_never_reaches_the_browser(unit: dict[str, Any]) -> None:
    index = item_index(unit)
    for seed in SEEDS:
        drawn = select_items(parse_unit(unit), seed=seed, items_per_outcome=None)
        for lang in ("en", "it", "fi"):
            for chosen, public in zip(drawn, public_items(parse_unit(unit), drawn, lang), strict=True):
                _assert_no_key(index[chosen.item_id][1], public, chosen)


def _assert_no_key(item: dict[str, Any], public: dict[str, Any], chosen: SelectedItem) -> None:
    document = json.loads(json.dumps(public))  # what actually travels
    assert set(document) <= TOP_KEYS
    for option in document.get("options", []) + document.get("targets", []):
        assert set(option) == CHOICE_KEYS
    for criterion in document.get("rubric", []):
        assert set(criterion) == RUBRIC_KEYS
    values = list(walk(document))
    assert not any(isinstance(value, bool) for value in values)  # no true/false key, no correct-flags
    for word in ("answer", "feedback", "correct", "tolerance", "value", "accepted", "is_correct"):
        assert word not in values
    kind = ItemType(item["type"])
    if kind is ItemType.SHORT_TEXT:
        assert not set(item["answer"]) & {v for v in values if isinstance(v, str)}
    if kind is ItemType.NUMERIC:
        assert not any(isinstance(v, (int, float)) for v in values)  # no value, no tolerance
    if "options" in item:
        shown = [option["id"] for option in document["options"]]
        assert shown == list(chosen.option_order or [])
        if kind is ItemType.ORDERING and len(shown) >= 3:
            assert shown != item["answer"]
    if kind is ItemType.MATCHING:
        assert [target["id"] for target in document["targets"]] == list(chosen.target_order or [])


@pytest.mark.parametrize("unit", UNITS, ids=[unit["slug"] for unit in UNITS])
def test_shuffled_options_are_not_the_file_order_for_most_seeds(unit: dict[str, Any]) -> None:
    index = item_index(unit)
    for item_id, (_outcome, item) in index.items():
        if len(item.get("options", [])) < 3:
            continue
        file_order = [option["id"] for option in item["options"]]
        shown = [
            [o["id"] for o in public_items(parse_unit(unit), [c], "en")[0]["options"]]
            for seed in SEEDS
            for c in select_items(parse_unit(unit), seed=seed, items_per_outcome=None)
            if c.item_id == item_id
        ]
        assert len(shown) == len(SEEDS)
        assert sum(order == file_order for order in shown) <= len(SEEDS) // 2, item_id
        if item["type"] == ItemType.ORDERING:
            assert item["answer"] not in shown


def test_feedback_and_extensions_stay_on_the_server() -> None:
    item = {
        "id": "q",
        "type": "numeric",
        "prompt": {"en": "How many?", "it": "Quanti?"},
        "unit": {"en": "years", "it": "anni"},
        "answer": {"value": 5, "tolerance": 0},
        "feedback": "Five, because the standard says so.",
        "x-author-note": "the key is 5",
    }
    assert public_item(s.typed(item), "it-IT", option_order=None) == {
        "id": "q",
        "type": "numeric",
        "prompt": "Quanti?",
        "unit": "anni",
    }


def test_practical_shows_the_rubric_without_hidden_notes() -> None:
    item = {
        "id": "p",
        "type": "practical",
        "prompt": "Audit a building",
        "rubric": [{"id": "inv", "text": {"en": "Inventory", "es": "Inventario"}, "points": 3, "x-note": "look for"}],
    }
    assert public_item(s.typed(item), "es", option_order=None) == {
        "id": "p",
        "type": "practical",
        "prompt": "Audit a building",
        "rubric": [{"id": "inv", "text": "Inventario", "points": 3}],
    }
    # The points travel as the author wrote them: 3, not 3.0.
    assert '"points": 3}' in json.dumps(public_item(s.typed(item), "es", option_order=None))


def test_options_follow_the_given_order_and_a_wrong_order_is_refused() -> None:
    item = {"id": "q", "type": "single_choice", "prompt": "?", "options": s.choices(["a", "b", "c"]), "answer": "a"}
    public = public_item(s.typed(item), "en", option_order=["c", "a", "b"])
    assert [o["id"] for o in public["options"]] == ["c", "a", "b"]
    assert public["options"][0] == {"id": "c", "text": "Text of c"}
    with pytest.raises(ValueError, match="not a permutation"):
        public_item(s.typed(item), "en", option_order=["c", "a"])
    with pytest.raises(ValueError, match="not a permutation"):
        public_item(s.typed(item), "en", option_order=["c", "a", "a"])


def test_true_false_has_no_options() -> None:
    item = {"id": "q", "type": "true_false", "prompt": "Wood is renewable.", "answer": True}
    assert public_item(s.typed(item), "en", option_order=None) == {
        "id": "q",
        "type": "true_false",
        "prompt": "Wood is renewable.",
    }
