"""The item as the browser may see it: prompt, options in the drawn order, never the key.

Pure module. Built from an allow-list of fields, so a new field in a unit file (the key, feedback that
explains the key, an author's `x-` note) stays on the server unless it is added here on purpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lti_tool.assessment.selection import SelectedItem
from lti_tool.catalogue.items import (
    Choice,
    Item,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Practical,
    SingleChoice,
)
from lti_tool.catalogue.unit_doc import UnitDoc
from lti_tool.catalogue.unit_texts import localized

__all__ = ["public_item", "public_items"]


def public_item(
    item: Item,
    lang: str,
    *,
    option_order: Sequence[str] | None,
    target_order: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The item for the learner: id, type, prompt, options/targets in the given order, unit, public rubric."""
    public: dict[str, Any] = {
        "id": item.id,
        "type": item.type.value,
        "prompt": localized(item.prompt, lang),
    }
    match item:
        case SingleChoice() | MultipleResponse() | Ordering():
            public["options"] = _choices(item.options, lang, option_order, what="option")
        case Matching():
            public["options"] = _choices(item.options, lang, option_order, what="option")
            public["targets"] = _choices(item.targets, lang, target_order, what="target")
        case Numeric() if item.unit is not None:
            public["unit"] = localized(item.unit, lang)
        case Practical():
            # The criteria and their points, not the level descriptors (those guide the teacher's scoring).
            public["rubric"] = [{"id": c.id, "text": localized(c.text, lang), "points": c.points} for c in item.rubric]
    return public


def public_items(unit: UnitDoc, selected: Sequence[SelectedItem], lang: str) -> list[dict[str, Any]]:
    """The public form of every drawn item of an attempt, in the drawn order."""
    items = []
    for chosen in selected:
        if chosen.item_id not in unit.items:
            raise KeyError(f"item {chosen.item_id!r} is not in unit {unit.slug!r}")
        items.append(public_item(unit.item(chosen.item_id), lang, option_order=chosen.option_order,
                                 target_order=chosen.target_order))
    return items


def _choices(choices: Sequence[Choice], lang: str, order: Sequence[str] | None, *, what: str) -> list[dict[str, str]]:
    by_id = {choice.id: choice for choice in choices}
    if order is None:
        order = list(by_id)
    elif sorted(order) != sorted(by_id):
        # A stored order from another version of the item: refuse rather than hide or repeat a choice.
        raise ValueError(f"the {what} order {list(order)} is not a permutation of {list(by_id)}")
    return [{"id": choice_id, "text": localized(by_id[choice_id].text, lang)} for choice_id in order]
