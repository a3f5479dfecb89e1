"""The typed unit: one frozen `UnitDoc` / `Outcome` / `Item` model of a stored unit document (pure module).

The catalogue validates unit files against ``unit_schema.json`` when it loads them; everything else reads a
unit through this model, never the raw document by string key. `Unit.doc` (catalogue.models) parses the
document once per loaded unit version. Its items are the typed items of ``catalogue.items`` (one frozen class
per item type, with the answer key in that type's shape).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from lti_tool.catalogue.items import Choice, Criterion, Item, ItemType, parse_item
from lti_tool.catalogue.unit_texts import Text, complete_languages, pick_language

__all__ = ["AttemptRules", "Choice", "Criterion", "Item", "ItemType", "Outcome", "Section", "UnitDoc", "parse_cached",
           "parse_unit"]

# Parsed units by (row id, content hash): a unit version's content never changes under the same hash.
_PARSED: dict[tuple[int, str], UnitDoc] = {}
_PARSED_MAX = 256


@dataclass(frozen=True, slots=True)
class Outcome:
    """A learning outcome with its mastery threshold, ESCO skills and items."""

    id: str
    title: Text
    threshold: float
    esco: tuple[str, ...]
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Section:
    """A study section (its body is rendered by catalogue.rendering from the document)."""

    id: str
    title: Text


@dataclass(frozen=True, slots=True)
class AttemptRules:
    """The unit file's attempt ``policy``, as authored (every field optional; minutes as whole numbers)."""

    max_attempts: int | None = None
    cooldown_minutes: int | None = None
    time_limit_minutes: int | None = None
    items_per_outcome: int | None = None
    show_correct_answers: bool = False
    practice_after_mastery: bool = False


@dataclass(frozen=True)
class UnitDoc:
    """One unit version as the rest of the tool reads it."""

    slug: str
    version: str
    title: Text
    esco: tuple[str, ...]
    languages: tuple[str, ...]
    policy: AttemptRules
    sections: tuple[Section, ...]
    outcomes: tuple[Outcome, ...]
    # What a credential and the pilots' figures say about the unit (EU micro-credential elements).
    summary: Text | None
    sector: str
    eqf_level: int
    ects: float
    workload_hours: float
    participation: str
    assessment_type: Text | None
    quality_assurance: Text | None
    # The languages the unit is complete in (English first): its pages and credentials are in one of them.
    offered_languages: tuple[str, ...]
    source: Mapping[str, Any] = field(repr=False, compare=False)
    items: Mapping[str, Item] = field(init=False, repr=False, compare=False)
    _outcomes: Mapping[str, Outcome] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The one item index of a unit: built here once, not on every use.
        object.__setattr__(self, "items", MappingProxyType(
            {item.id: item for outcome in self.outcomes for item in outcome.items}))
        object.__setattr__(self, "_outcomes", MappingProxyType({o.id: o for o in self.outcomes}))

    def item(self, item_id: str) -> Item:
        """An item by id (KeyError when the unit has none)."""
        return self.items[item_id]

    def outcome(self, outcome_id: str) -> Outcome:
        """An outcome by id (KeyError when the unit has none)."""
        return self._outcomes[outcome_id]

    def section(self, section_id: str) -> Section | None:
        """A study section by id, or None."""
        return next((s for s in self.sections if s.id == section_id), None)

    def content_language(self, wanted: str | None) -> str:
        """The language to show the unit's texts in: ``wanted`` where the unit is complete in it, else English."""
        return pick_language(self.offered_languages, wanted)

    @property
    def esco_uris(self) -> frozenset[str]:
        """Every ESCO skill the unit or one of its outcomes names."""
        return frozenset(self.esco).union(*(outcome.esco for outcome in self.outcomes))

    @property
    def outcome_ids(self) -> tuple[str, ...]:
        """The outcome ids, in unit order."""
        return tuple(self._outcomes)


def _outcome(raw: Mapping[str, Any]) -> Outcome:
    outcome_id = str(raw["id"])
    return Outcome(id=outcome_id, title=raw.get("title") or "", threshold=float(raw["threshold"]),
                   esco=tuple(str(uri) for uri in raw.get("esco") or ()),
                   items=tuple(parse_item(item, outcome_id) for item in raw.get("items") or ()))


def _policy(raw: Mapping[str, Any]) -> AttemptRules:
    def number(key: str) -> int | None:
        value = raw.get(key)
        return int(value) if value is not None else None

    return AttemptRules(max_attempts=number("max_attempts"), cooldown_minutes=number("cooldown_minutes"),
                        time_limit_minutes=number("time_limit_minutes"), items_per_outcome=number("items_per_outcome"),
                        show_correct_answers=bool(raw.get("show_correct_answers", False)),
                        practice_after_mastery=bool(raw.get("practice_after_mastery", False)))


def parse_unit(document: Mapping[str, Any]) -> UnitDoc:
    """The typed view of a validated unit document."""
    return UnitDoc(
        slug=str(document.get("slug", "")), version=str(document.get("version", "")),
        title=document.get("title") or str(document.get("slug", "")),
        esco=tuple(str(uri) for uri in document.get("esco") or ()),
        languages=tuple(str(code).lower() for code in document.get("languages") or ("en",)),
        policy=_policy(document.get("policy") or {}),
        sections=tuple(Section(str(s["id"]), s["title"]) for s in document.get("sections") or ()),
        outcomes=tuple(_outcome(o) for o in document.get("outcomes") or ()),
        summary=document.get("summary"),
        sector=str(document.get("sector", "")),
        eqf_level=int(document.get("eqf_level") or 0),
        ects=float(document.get("ects") or 0),
        workload_hours=float(document.get("workload_hours") or 0),
        participation=str(document.get("participation") or "online"),
        assessment_type=document.get("assessment_type"),
        quality_assurance=document.get("quality_assurance"),
        offered_languages=tuple(complete_languages(document)),
        source=document,
    )


def parse_cached(row_id: int | None, digest: str | None, document: Mapping[str, Any]) -> UnitDoc:
    """The typed unit of a stored row, parsed once per process for each (row, content hash)."""
    if row_id is None or not digest:
        return parse_unit(document)
    key = (row_id, digest)
    parsed = _PARSED.get(key)
    if parsed is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()  # more unit versions than any catalogue holds: start over rather than grow
        parsed = _PARSED[key] = parse_unit(document)
    return parsed


def parsed_unit(row_id: int, digest: str) -> UnitDoc | None:
    """The typed unit of a stored row when this process has parsed it already (parse_cached), else None."""
    return _PARSED.get((row_id, digest))
