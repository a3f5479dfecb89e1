"""Small frozen inputs of the statement builders (plain data: no ORM objects, no Flask).

An assessment item is the catalogue's typed item (`lti_tool.catalogue.items`), answer key included.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lti_tool.catalogue.items import ItemType
from lti_tool.catalogue.unit_texts import Text

__all__ = ["ItemType", "LtiScope", "OutcomeRef", "Response", "Score", "SectionRef", "Text", "UnitRef"]

# A learner's response, in the shape of the item's `answer` (DESIGN.md §3 "Unit files").
Response = str | bool | int | float | list[str] | tuple[str, ...] | Mapping[str, str] | None


@dataclass(frozen=True, slots=True)
class LtiScope:
    """Who acted, and where: the LTI platform issuer, the user's `sub`, deployment and context."""

    issuer: str
    sub: str
    deployment_id: str
    context_id: str | None = None
    client_id: str | None = None  # the registration's client id: with issuer and deployment, one tenant


@dataclass(frozen=True, slots=True)
class UnitRef:
    """A unit (one version of it) with its ESCO skills and EQF level."""

    slug: str
    version: str
    title: Text
    esco: tuple[str, ...] = ()
    eqf_level: int | None = None


@dataclass(frozen=True, slots=True)
class SectionRef:
    """A study section of a unit."""

    id: str
    title: Text


@dataclass(frozen=True, slots=True)
class OutcomeRef:
    """A learning outcome of a unit."""

    id: str
    title: Text
    esco: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Score:
    """A score: `scaled` in 0..1, optionally the raw points out of `max` (min is 0)."""

    scaled: float
    raw: float | None = None
    max: float | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.scaled <= 1:
            raise ValueError(f"scaled score must be within 0..1, got {self.scaled}")
        if self.raw is not None and self.max is not None and not 0 <= self.raw <= self.max:
            raise ValueError(f"raw score {self.raw} outside 0..{self.max}")
