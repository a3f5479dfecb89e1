"""Plain inputs of the credential builder: issuer, learner, unit and outcome facts, and their vocabularies."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Participation(StrEnum):
    """Form of participation; values are EU "learning-assessment" mode concepts (as ELM specifiedBy.mode)."""

    ONLINE = "online"
    BLENDED = "blended"

    @property
    def concept(self) -> str:
        """The EU vocabulary concept IRI."""
        return {
            "online": "http://data.europa.eu/snb/learning-assessment/920fbb3cbe",
            "blended": "http://data.europa.eu/snb/learning-assessment/e92d221e4d",
        }[self.value]


class AlignmentTarget(StrEnum):
    """OB 3.0 extension alignment target types (the ``ext:`` convention)."""

    ESCO_SKILL = "ext:ESCOSkill"
    EQF = "ext:EQF"


class IdentityType(StrEnum):
    """OB 3.0 IdentifierTypeEnum values we emit."""

    EMAIL = "emailAddress"
    NAME = "name"
    LTI_USER = "ltiUserId"
    LTI_PLATFORM = "ltiPlatformId"


@dataclass(frozen=True)
class IssuerInfo:
    """The issuing (= awarding) organisation."""

    id: str
    name: str
    url: str
    country: str
    region: str | None = None
    email: str | None = None
    country_name: str | None = None


@dataclass(frozen=True)
class LearnerInfo:
    """The learner as the LTI launch knows them (platform issuer = homePage, LTI ``sub``)."""

    home_page: str
    sub: str
    salt: str
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class EscoSkill:
    """An ESCO skill URI with its preferred label and the label's language."""

    uri: str
    label: str
    lang: str = "en"


@dataclass(frozen=True)
class OutcomeInfo:
    """A learning outcome of a unit and what the learner achieved in it."""

    id: str
    title: str
    esco: tuple[EscoSkill, ...]
    score: float
    met: bool
    threshold: float | None = None


@dataclass(frozen=True)
class UnitInfo:
    """The unit (the achievement) with its Annex I metadata."""

    slug: str
    version: str
    title: str
    summary: str
    sector: str
    eqf_level: int
    ects: float
    workload_hours: float
    esco: tuple[EscoSkill, ...]
    participation: Participation
    assessment_type: str
    quality_assurance: str
    outcomes: tuple[OutcomeInfo, ...] = field(default_factory=tuple)
    achievement_id: str | None = None
    criteria: str | None = None
    quality_assurance_body: str | None = None
    language: str = "en"
