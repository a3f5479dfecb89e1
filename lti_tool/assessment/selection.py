"""Draw the items of one attempt: N per outcome at random, options shuffled, reproducibly from a seed.

Pure module. The randomness comes from SHA-256 of (seed, unit slug, purpose), never from Python's
``hash()`` (salted per process) or ``random`` (whose algorithms may change between Python versions),
so the same attempt id gives the same draw on every server and after every upgrade. Each outcome and
each item has its own stream, so editing one outcome's pool does not reshuffle the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, MutableSequence, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from lti_tool.catalogue.items import Choice, Item, ItemType, Matching, MultipleResponse, Ordering, SingleChoice
from lti_tool.catalogue.unit_doc import UnitDoc

__all__ = ["SHUFFLED_TYPES", "SelectedItem", "StableRandom", "select_items"]

T = TypeVar("T")

# Types whose options the learner sees in a drawn order; true/false, numeric, short text have none.
SHUFFLED_TYPES = frozenset({ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_RESPONSE, ItemType.ORDERING, ItemType.MATCHING})
_DOMAIN = b"mastery-selection/v1"


@dataclass(frozen=True, slots=True)
class SelectedItem:
    """One item drawn for an attempt, with the order its options (and matching targets) are shown in."""

    outcome_id: str
    item_id: str
    option_order: tuple[str, ...] | None = None
    target_order: tuple[str, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (to store with the attempt)."""
        return {
            "outcome_id": self.outcome_id,
            "item_id": self.item_id,
            "option_order": list(self.option_order) if self.option_order is not None else None,
            "target_order": list(self.target_order) if self.target_order is not None else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SelectedItem:
        """Rebuild from `to_json` output."""
        options, targets = data.get("option_order"), data.get("target_order")
        return cls(
            outcome_id=str(data["outcome_id"]),
            item_id=str(data["item_id"]),
            option_order=tuple(options) if options is not None else None,
            target_order=tuple(targets) if targets is not None else None,
        )


class StableRandom:
    """A deterministic random stream: SHA-256 in counter mode over a key (not for secrets)."""

    def __init__(self, *parts: str) -> None:
        self._key = hashlib.sha256(_DOMAIN + b"".join(b"\x00" + part.encode("utf-8") for part in parts)).digest()
        self._blocks = self._stream()

    def _stream(self) -> Iterator[int]:
        counter = 0
        while True:
            counter += 1
            yield int.from_bytes(hashlib.sha256(self._key + counter.to_bytes(8, "big")).digest(), "big")

    def below(self, n: int) -> int:
        """A uniform integer in [0, n), without modulo bias (rejection sampling on 256-bit blocks)."""
        if n <= 0:
            raise ValueError("n must be positive")
        limit = (1 << 256) - (1 << 256) % n
        while True:
            block = next(self._blocks)
            if block < limit:
                return block % n

    def shuffle(self, values: MutableSequence[T]) -> None:
        """Shuffle in place (Fisher-Yates)."""
        for index in range(len(values) - 1, 0, -1):
            other = self.below(index + 1)
            values[index], values[other] = values[other], values[index]

    def sample(self, values: Sequence[T], k: int) -> list[T]:
        """k distinct elements, kept in their original order."""
        chosen = list(range(len(values)))
        self.shuffle(chosen)
        return [values[index] for index in sorted(chosen[:k])]


def select_items(unit: UnitDoc, *, seed: str, items_per_outcome: int | None) -> list[SelectedItem]:
    """Draw an attempt's items: per outcome every practical task plus random others up to N (all if None).

    Outcomes keep the unit's order and the drawn items keep the file order within an outcome. When an
    outcome has more practical tasks than N, all of them are still drawn (a demonstration is never skipped).
    """
    if items_per_outcome is not None and items_per_outcome < 1:
        raise ValueError("items_per_outcome must be at least 1")
    selected: list[SelectedItem] = []
    for outcome in unit.outcomes:
        drawn = _draw(list(outcome.items), items_per_outcome, StableRandom(seed, unit.slug, "outcome", outcome.id))
        for item in drawn:
            selected.append(_with_orders(outcome.id, item, StableRandom(seed, unit.slug, "item", item.id)))
    return selected


def _draw(items: list[Item], limit: int | None, rng: StableRandom) -> list[Item]:
    if limit is None or limit >= len(items):
        return items
    practical = [i for i, item in enumerate(items) if item.is_practical]
    others = [i for i in range(len(items)) if i not in practical]
    keep = set(practical) | set(rng.sample(others, max(0, limit - len(practical))))
    return [item for i, item in enumerate(items) if i in keep]


def _with_orders(outcome_id: str, item: Item, rng: StableRandom) -> SelectedItem:
    # The options are shuffled first and a matching item's targets second, from the item's own stream.
    match item:
        case SingleChoice() | MultipleResponse():
            return SelectedItem(outcome_id, item.id, _shuffled(_ids(item.options), rng, avoid=None))
        case Ordering():
            return SelectedItem(outcome_id, item.id, _shuffled(_ids(item.options), rng, avoid=list(item.order)))
        case Matching():
            option_order = _shuffled(_ids(item.options), rng, avoid=None)
            return SelectedItem(outcome_id, item.id, option_order, _shuffled(_ids(item.targets), rng, avoid=None))
        case _:
            return SelectedItem(outcome_id, item.id)


def _ids(choices: Sequence[Choice]) -> list[str]:
    return [choice.id for choice in choices]


def _shuffled(ids: list[str], rng: StableRandom, *, avoid: list[str] | None) -> tuple[str, ...]:
    order = list(ids)
    rng.shuffle(order)
    # Showing an ordering item in its key order would hand out the answer. With two options a forced
    # swap would give it away just as well, so only from three options on.
    if avoid is not None and len(order) >= 3:
        while order == avoid:
            rng.shuffle(order)
    return tuple(order)
