"""The item as the browser may see it: prompt, options in the drawn order, never the key.

Pure module. Built from an allow-list of fields, so a new field in a unit file (the key, feedback that
explains the key, an author's `x-` note) stays on the server unless it is added here on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lti_tool.assessment.selection import SelectedItem
from lti_tool.catalogue.unit_doc import UnitDoc
from lti_tool.catalogue.unit_texts import localized
from lti_tool.xapi.refs import ItemType

__all__ = ["public_item", "public_items"]


def public_item(
    item_def: Mapping[str, Any],
    lang: str,
    *,
    option_order: Sequence[str] | None,
    target_order: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The item for the learner: id, type, prompt, options/targets in the given order, unit, public rubric."""
    kind = ItemType(item_def["type"])
    public: dict[str, Any] = {
        "id": str(item_def["id"]),
        "type": kind.value,
        "prompt": localized(item_def["prompt"], lang),
    }
    if "options" in item_def:
        public["options"] = _choices(item_def["options"], lang, option_order, what="option")
    if kind is ItemType.MATCHING and "targets" in item_def:
        public["targets"] = _choices(item_def["targets"], lang, target_order, what="target")
    if kind is ItemType.NUMERIC and "unit" in item_def:
        public["unit"] = localized(item_def["unit"], lang)
    if kind is ItemType.PRACTICAL:
        public["rubric"] = [
            {"id": str(c["id"]), "text": localized(c["text"], lang), "points": c["points"]}
            for c in item_def.get("rubric") or ()
        ]
    return public


def public_items(unit: UnitDoc, selected: Sequence[SelectedItem], lang: str) -> list[dict[str, Any]]:
    """The public form of every drawn item of an attempt, in the drawn order."""
    items = []
    for chosen in selected:
        if chosen.item_id not in unit.items:
            raise KeyError(f"item {chosen.item_id!r} is not in unit {unit.slug!r}")
        items.append(public_item(unit.item(chosen.item_id).definition, lang, option_order=chosen.option_order,
                                 target_order=chosen.target_order))
    return items


def _choices(
    choices: Sequence[Mapping[str, Any]], lang: str, order: Sequence[str] | None, *, what: str
) -> list[dict[str, str]]:
    by_id = {str(choice["id"]): choice for choice in choices}
    if order is None:
        order = list(by_id)
    elif sorted(order) != sorted(by_id):
        # A stored order from another version of the item: refuse rather than hide or repeat a choice.
        raise ValueError(f"the {what} order {list(order)} is not a permutation of {list(by_id)}")
    return [{"id": choice_id, "text": localized(by_id[choice_id]["text"], lang)} for choice_id in order]
