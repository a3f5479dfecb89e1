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
