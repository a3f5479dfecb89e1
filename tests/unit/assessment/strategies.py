"""Hypothesis strategies for items of every type (shaped like unit-file items) and the 12 shipped units."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from lti_tool.catalogue.items import Item, ItemType, parse_item
from lti_tool.catalogue.schema import iter_unit_files, read_unit_file

UNITS_DIR = Path(__file__).resolve().parents[3] / "content" / "units"
AUTO_TYPES = tuple(kind for kind in ItemType if kind is not ItemType.PRACTICAL)

ids = st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True)
id_lists = st.lists(ids, min_size=2, max_size=7, unique=True)


@cache
def shipped_units() -> tuple[dict[str, Any], ...]:
    """The 12 unit files of content/units, validated."""
    return tuple(read_unit_file(path) for path in iter_unit_files(UNITS_DIR))


def typed(item_def: dict[str, Any]) -> Item:
    """The tool's typed item of a unit-file item mapping (as the catalogue parses it)."""
    return parse_item(item_def, "lo1")


def choices(option_ids: list[str]) -> list[dict[str, str]]:
    """Options with a text per id."""
    return [{"id": option_id, "text": f"Text of {option_id}"} for option_id in option_ids]


@st.composite
def single_choice(draw: st.DrawFn) -> dict[str, Any]:
    options = draw(id_lists)
    return _item("single_choice", options=choices(options), answer=draw(st.sampled_from(options)))


@st.composite
def multiple_response(draw: st.DrawFn) -> dict[str, Any]:
    options = draw(id_lists)
    answer = draw(st.lists(st.sampled_from(options), min_size=1, unique=True))
    return _item("multiple_response", options=choices(options), answer=answer)


@st.composite
def true_false(draw: st.DrawFn) -> dict[str, Any]:
    return _item("true_false", answer=draw(st.booleans()))


# Decimals with few places, as an author writes them in YAML (and a learner types them).
decimals = st.decimals(min_value=-100_000, max_value=100_000, places=3, allow_nan=False, allow_infinity=False)
tolerances = st.decimals(min_value=0, max_value=1000, places=3)


@st.composite
def numeric(draw: st.DrawFn) -> dict[str, Any]:
    value, tolerance = draw(decimals), draw(tolerances)
    return _item("numeric", unit="kg", answer={"value": float(value), "tolerance": float(tolerance)})


@st.composite
def ordering(draw: st.DrawFn) -> dict[str, Any]:
    options = draw(id_lists)
    return _item("ordering", options=choices(options), answer=draw(st.permutations(options)))


@st.composite
def matching(draw: st.DrawFn) -> dict[str, Any]:
    lefts = draw(id_lists)
    rights = [f"t-{target}" for target in draw(id_lists)]
    answer = {left: draw(st.sampled_from(rights)) for left in lefts}
    return _item("matching", options=choices(lefts), targets=choices(rights), answer=answer)


accepted_texts = st.text(min_size=1, max_size=30).filter(lambda text: "\x00" not in text)


@st.composite
def short_text(draw: st.DrawFn) -> dict[str, Any]:
    return _item("short_text", answer=draw(st.lists(accepted_texts, min_size=1, max_size=4)))


@st.composite
def practical(draw: st.DrawFn) -> dict[str, Any]:
    criteria = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
    rubric = [{"id": c, "text": f"Criterion {c}", "points": draw(st.integers(1, 5))} for c in criteria]
    return _item("practical", rubric=rubric)


BY_TYPE = {
    ItemType.SINGLE_CHOICE: single_choice(),
    ItemType.MULTIPLE_RESPONSE: multiple_response(),
    ItemType.TRUE_FALSE: true_false(),
    ItemType.NUMERIC: numeric(),
    ItemType.ORDERING: ordering(),
    ItemType.MATCHING: matching(),
    ItemType.SHORT_TEXT: short_text(),
    ItemType.PRACTICAL: practical(),
}
auto_items = st.one_of(*(BY_TYPE[kind] for kind in AUTO_TYPES))
any_items = st.one_of(*BY_TYPE.values())


@st.composite
def valid_response(draw: st.DrawFn, item: dict[str, Any]) -> Any:
    """Any response of the right shape for the item (right or wrong), as the learner API accepts it."""
    kind = ItemType(item["type"])
    options = [option["id"] for option in item.get("options", [])]
    match kind:
        case ItemType.SINGLE_CHOICE:
            return draw(st.sampled_from(options))
        case ItemType.MULTIPLE_RESPONSE:
            return draw(st.lists(st.sampled_from(options), unique=True))
        case ItemType.TRUE_FALSE:
            return draw(st.booleans())
        case ItemType.NUMERIC:
            return draw(st.floats(allow_nan=False, allow_infinity=False))
        case ItemType.ORDERING:
            return draw(st.permutations(options))
        case ItemType.MATCHING:
            targets = [target["id"] for target in item["targets"]]
            return draw(st.dictionaries(st.sampled_from(options), st.sampled_from(targets)))
        case ItemType.SHORT_TEXT:
            return draw(st.text(max_size=50).filter(lambda text: "\x00" not in text))
        case _:
            return {"text": draw(st.text(min_size=1, max_size=50).filter(lambda t: t.strip() and "\x00" not in t))}


# Anything JSON can carry, to throw at the scorer and the validator.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=10,
)


def _item(kind: str, **fields: Any) -> dict[str, Any]:
    return {"id": f"{kind}-1", "type": kind, "prompt": f"A {kind} question", **fields}


def decimal_float(value: Decimal) -> float:
    """The float a learner's typed decimal becomes after JSON parsing."""
    return float(str(value))
