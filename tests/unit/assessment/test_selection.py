"""Drawing an attempt's items: reproducible per seed, different across seeds, N per outcome, shuffled options."""

from __future__ import annotations

import collections
import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lti_tool.assessment.selection import SHUFFLED_TYPES, SelectedItem, StableRandom, select_items
from lti_tool.catalogue.unit_doc import parse_unit
from lti_tool.xapi.refs import ItemType
from tests.unit.assessment import strategies as s
from tests.unit_files import item_index

UNITS = s.shipped_units()
units = st.sampled_from(UNITS)
seeds = st.text(min_size=1, max_size=40)
limits = st.none() | st.integers(min_value=1, max_value=6)


def test_the_stream_is_pinned() -> None:
    """The draw of a stored attempt must never change with a Python upgrade: pin the generator's output."""
    stream = StableRandom("attempt-42", "unit")
    assert [stream.below(1000) for _ in range(5)] == [465, 278, 559, 977, 705]
    letters = list("abcdefgh")
    StableRandom("x").shuffle(letters)
    assert letters == ["c", "f", "e", "d", "b", "a", "h", "g"]


def test_below_is_roughly_uniform() -> None:
    stream = StableRandom("uniformity")
    counts = collections.Counter(stream.below(6) for _ in range(6000))
    assert set(counts) == set(range(6))
    assert all(850 < count < 1150 for count in counts.values()), counts


@given(units, seeds, limits)
@settings(max_examples=60)
def test_same_seed_same_draw(unit: dict[str, Any], seed: str, limit: int | None) -> None:
    first = select_items(parse_unit(unit), seed=seed, items_per_outcome=limit)
    assert select_items(parse_unit(copy.deepcopy(unit)), seed=seed, items_per_outcome=limit) == first
    assert [SelectedItem.from_json(chosen.to_json()) for chosen in first] == first


@pytest.mark.parametrize("unit", UNITS, ids=[unit["slug"] for unit in UNITS])
def test_different_seeds_give_different_draws(unit: dict[str, Any]) -> None:
    draws = {tuple(select_items(parse_unit(unit), seed=f"attempt-{n}", items_per_outcome=2)) for n in range(200)}
    assert len(draws) >= 190  # collisions are possible, but rare
    shuffles = {tuple(select_items(parse_unit(unit), seed=f"attempt-{n}", items_per_outcome=None)) for n in range(50)}
    assert len(shuffles) == 50  # with every item drawn, only the option orders differ


@given(units, seeds, limits)
@settings(max_examples=150)
def test_the_draw_respects_the_unit(unit: dict[str, Any], seed: str, limit: int | None) -> None:
    drawn = select_items(parse_unit(unit), seed=seed, items_per_outcome=limit)
    index = item_index(unit)
    per_outcome = collections.defaultdict(list)
    for chosen in drawn:
        outcome_id, item = index[chosen.item_id]
        assert chosen.outcome_id == outcome_id
        per_outcome[outcome_id].append(chosen.item_id)
        _assert_orders(item, chosen)
    assert len({chosen.item_id for chosen in drawn}) == len(drawn)
    for outcome in unit["outcomes"]:
        pool = [item["id"] for item in outcome["items"]]
        practical = [item["id"] for item in outcome["items"] if item["type"] == ItemType.PRACTICAL]
        got = per_outcome[outcome["id"]]
        expected = len(pool) if limit is None else min(len(pool), max(limit, len(practical)))
        assert len(got) == expected  # never more than N (unless the practical tasks alone exceed N)
        assert set(practical) <= set(got)  # a demonstration is never left out
        assert got == [item_id for item_id in pool if item_id in got]  # file order kept
    assert [c.outcome_id for c in drawn] == sorted((c.outcome_id for c in drawn), key=_outcome_rank(unit))


def _assert_orders(item: dict[str, Any], chosen: SelectedItem) -> None:
    if ItemType(item["type"]) not in SHUFFLED_TYPES:
        assert chosen.option_order is None
        return
    assert chosen.option_order is not None
    assert sorted(chosen.option_order) == sorted(option["id"] for option in item["options"])
    if item["type"] == ItemType.MATCHING:
        assert chosen.target_order is not None
        assert sorted(chosen.target_order) == sorted(target["id"] for target in item["targets"])
    else:
        assert chosen.target_order is None
    if item["type"] == ItemType.ORDERING and len(item["options"]) >= 3:
        assert list(chosen.option_order) != item["answer"]


def _outcome_rank(unit: dict[str, Any]) -> Any:
    ranks = {outcome["id"]: rank for rank, outcome in enumerate(unit["outcomes"])}
    return lambda outcome_id: ranks[outcome_id]


def test_every_item_and_every_first_option_turns_up() -> None:
    unit = next(u for u in UNITS if u["slug"] == "wood-chain-of-custody")
    seen_items: set[str] = set()
    first_options: dict[str, set[str]] = collections.defaultdict(set)
    for n in range(300):
        for chosen in select_items(parse_unit(unit), seed=f"a{n}", items_per_outcome=2):
            seen_items.add(chosen.item_id)
            if chosen.option_order:
                first_options[chosen.item_id].add(chosen.option_order[0])
    assert seen_items == set(item_index(unit))
    for item_id, firsts in first_options.items():
        options = {option["id"] for option in item_index(unit)[item_id][1]["options"]}
        assert firsts == options, item_id


@given(st.data(), s.ordering())
def test_ordering_options_are_never_shown_in_key_order(data: st.DataObject, item: dict[str, Any]) -> None:
    unit = {"slug": "u", "outcomes": [{"id": "o", "threshold": 0.5, "items": [item]}]}
    (chosen,) = select_items(parse_unit(unit), seed=data.draw(seeds), items_per_outcome=None)
    assert chosen.option_order is not None
    if len(item["answer"]) >= 3:
        assert list(chosen.option_order) != item["answer"]


def test_items_per_outcome_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        select_items(parse_unit(UNITS[0]), seed="s", items_per_outcome=0)
