"""The tests' own reading of a unit file (DESIGN.md §3 "Unit files"), independent of the tool's typed unit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def item_index(unit_doc: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Map each item id of a unit document to (outcome id, item definition as written)."""
    return {
        str(item["id"]): (str(outcome["id"]), item)
        for outcome in unit_doc.get("outcomes") or ()
        for item in outcome.get("items") or ()
    }


def key_response(item_def: Mapping[str, Any]) -> Any:
    """An item's answer key in the learner API's response shape (DESIGN.md §3; None for a practical task)."""
    answer = item_def.get("answer")
    match item_def["type"]:
        case "numeric":
            return float(answer["value"])
        case "short_text":
            return str(answer[0])
        case "multiple_response" | "ordering":
            return [str(choice) for choice in answer]
        case "matching":
            return {str(left): str(right) for left, right in answer.items()}
        case "single_choice":
            return str(answer)
        case "true_false":
            return bool(answer)
        case _:
            return None
