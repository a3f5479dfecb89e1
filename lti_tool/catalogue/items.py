"""The typed assessment items of a unit: one frozen class per item type, each with its own answer key (pure module).

A unit file's item is a mapping whose ``answer`` takes a different shape per ``type`` (DESIGN.md §3 "Unit files",
``unit_schema.json``). `parse_item` reads that mapping once, when the catalogue parses a unit; scoring, response
checks, the public item, the review, the teacher's attempt page and the xAPI interactions take these classes and
never the mapping. Dispatch on the class (``match item: case Numeric(): ...``) or on ``item.type``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, TypeAlias

from lti_tool.catalogue.unit_texts import Text

__all__ = [
    "Choice", "ChoiceItem", "Criterion", "Item", "ItemBase", "ItemType", "Level", "Matching", "MultipleResponse",
    "Numeric", "Ordering", "Practical", "ShortText", "SingleChoice", "TrueFalse", "parse_item",
]


class ItemType(StrEnum):
    """Item types of a unit file."""

    SINGLE_CHOICE = "single_choice"
    MULTIPLE_RESPONSE = "multiple_response"
    TRUE_FALSE = "true_false"
    NUMERIC = "numeric"
    ORDERING = "ordering"
    MATCHING = "matching"
    SHORT_TEXT = "short_text"
    PRACTICAL = "practical"


@dataclass(frozen=True, slots=True)
class Choice:
    """An option (or a matching item's right-hand target)."""

    id: str
    text: Text


@dataclass(frozen=True, slots=True)
class Level:
    """What a number of points of a rubric criterion looks like (so teachers in different countries score alike)."""

    points: float  # as authored: 3 stays 3, so pages show "3" and not "3.0"
    text: Text


@dataclass(frozen=True, slots=True)
class Criterion:
    """A rubric criterion of a practical task."""

    id: str
    text: Text
    points: float  # the most a teacher can give, as authored (3 stays 3)
    levels: tuple[Level, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemBase:
    """What every item has: its id, its outcome, the prompt and the authored explanation of the answer."""

    type: ClassVar[ItemType]
    id: str
    outcome_id: str
    prompt: Text
    feedback: Text = ""

    @property
    def is_practical(self) -> bool:
        """A practical task: no key, a teacher scores it against its rubric."""
        return self.type is ItemType.PRACTICAL


@dataclass(frozen=True, slots=True, kw_only=True)
class SingleChoice(ItemBase):
    """One option is right."""

    type: ClassVar[ItemType] = ItemType.SINGLE_CHOICE
    options: tuple[Choice, ...]
    correct: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MultipleResponse(ItemBase):
    """Several options are right (partial credit)."""

    type: ClassVar[ItemType] = ItemType.MULTIPLE_RESPONSE
    options: tuple[Choice, ...]
    correct: tuple[str, ...]  # in the author's order


@dataclass(frozen=True, slots=True, kw_only=True)
class TrueFalse(ItemBase):
    """A statement that is true or false."""

    type: ClassVar[ItemType] = ItemType.TRUE_FALSE
    correct: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Numeric(ItemBase):
    """A number, right within ``value ± tolerance`` (inclusive), optionally in a unit of measure."""

    type: ClassVar[ItemType] = ItemType.NUMERIC
    value: float
    tolerance: float
    unit: Text | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Ordering(ItemBase):
    """The options put in one right order."""

    type: ClassVar[ItemType] = ItemType.ORDERING
    options: tuple[Choice, ...]
    order: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Matching(ItemBase):
    """Each option (left) matched to one target (right)."""

    type: ClassVar[ItemType] = ItemType.MATCHING
    options: tuple[Choice, ...]
    targets: tuple[Choice, ...]
    pairs: tuple[tuple[str, str], ...]  # (option id, target id), in the author's order

    @property
    def key(self) -> dict[str, str]:
        """The right target of each keyed option."""
        return dict(self.pairs)


@dataclass(frozen=True, slots=True, kw_only=True)
class ShortText(ItemBase):
    """A short text, right when it equals one accepted text (case, accents and spacing aside)."""

    type: ClassVar[ItemType] = ItemType.SHORT_TEXT
    accepted: tuple[str, ...]  # the first is the one shown as the answer


@dataclass(frozen=True, slots=True, kw_only=True)
class Practical(ItemBase):
    """Work the learner hands in (a text, a file) and a teacher scores against the rubric."""

    type: ClassVar[ItemType] = ItemType.PRACTICAL
    rubric: tuple[Criterion, ...]


Item: TypeAlias = SingleChoice | MultipleResponse | TrueFalse | Numeric | Ordering | Matching | ShortText | Practical
# The items whose options are shown (and shuffled) for the learner.
ChoiceItem: TypeAlias = SingleChoice | MultipleResponse | Ordering | Matching


def _choices(raw: Any) -> tuple[Choice, ...]:
    return tuple(Choice(str(c["id"]), c["text"]) for c in raw or ())


def _ids(raw: Any) -> tuple[str, ...]:
    return tuple(str(choice) for choice in raw or ())


def _criterion(raw: Mapping[str, Any]) -> Criterion:
    levels = tuple(Level(level["points"], level["text"]) for level in raw.get("levels") or ())
    return Criterion(str(raw["id"]), raw["text"], raw["points"], levels)


def parse_item(raw: Mapping[str, Any], outcome_id: str) -> Item:
    """The typed item of a validated unit file's item mapping (its ``answer`` in the shape of its ``type``)."""
    kind = ItemType(raw["type"])
    common: dict[str, Any] = {"id": str(raw["id"]), "outcome_id": outcome_id, "prompt": raw.get("prompt") or "",
                              "feedback": raw.get("feedback") or ""}
    answer: Any = raw.get("answer")
    match kind:
        case ItemType.SINGLE_CHOICE:
            return SingleChoice(**common, options=_choices(raw.get("options")), correct=str(answer))
        case ItemType.MULTIPLE_RESPONSE:
            return MultipleResponse(**common, options=_choices(raw.get("options")), correct=_ids(answer))
        case ItemType.TRUE_FALSE:
            return TrueFalse(**common, correct=bool(answer))
        case ItemType.NUMERIC:
            return Numeric(**common, value=float(answer["value"]), tolerance=float(answer["tolerance"]),
                           unit=raw.get("unit"))
        case ItemType.ORDERING:
            return Ordering(**common, options=_choices(raw.get("options")), order=_ids(answer))
        case ItemType.MATCHING:
            return Matching(**common, options=_choices(raw.get("options")), targets=_choices(raw.get("targets")),
                            pairs=tuple((str(left), str(right)) for left, right in (answer or {}).items()))
        case ItemType.SHORT_TEXT:
            return ShortText(**common, accepted=_ids(answer))
        case ItemType.PRACTICAL:
            return Practical(**common, rubric=tuple(_criterion(c) for c in raw.get("rubric") or ()))
