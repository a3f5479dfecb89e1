"""Turn a typed catalogue unit and a learner's per-outcome results into the builder's UnitInfo (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lti_tool.catalogue.esco import esco_label
from lti_tool.catalogue.unit_doc import UnitDoc
from lti_tool.credentials.issuing.inputs import EscoSkill, OutcomeInfo, Participation, UnitInfo
from lti_tool.locales import translations

# The fallback language of a credential: the unit files guarantee an "en" text for every field. A learner whose
# language the unit is complete in gets the credential in it (``credential_language``).
CREDENTIAL_LANGUAGE = "en"


@dataclass(frozen=True)
class OutcomeResult:
    """What the mastery decision found for one learning outcome (score 0..1)."""

    outcome_id: str
    score: float
    met: bool


def esco_skill(uri: str, language: str = CREDENTIAL_LANGUAGE) -> EscoSkill:
    """An ESCO skill with its preferred label in ``language``, else English (the URI's last segment if unknown)."""
    label = esco_label(uri, language)
    return EscoSkill(uri, label.text, label.lang)


def skills_language(doc: UnitDoc, language: str) -> str:
    """The language the credential names the unit's ESCO skills in: ``language`` if ESCO's data has every one in it.

    A credential is issued in one language as a whole, so its skill names never mix two: where ESCO's data
    lacks one of the unit's skills in ``language``, they all keep ESCO's English labels (never a translation of ours).
    """
    every = all(esco_label(uri, language).lang == language for uri in doc.esco_uris)
    return language if every else CREDENTIAL_LANGUAGE


def _text(value: Any, language: str = CREDENTIAL_LANGUAGE) -> str:
    if isinstance(value, Mapping):
        return str(value.get(language) or value.get(CREDENTIAL_LANGUAGE) or next(iter(value.values()), ""))
    return "" if value is None else str(value).strip()


def unit_info(
    doc: UnitDoc,
    results: Iterable[OutcomeResult],
    *,
    achievement_id: str | None = None,
    quality_assurance_body: str | None = None,
    language: str = CREDENTIAL_LANGUAGE,
) -> UnitInfo:
    """UnitInfo for one unit version, its texts in ``language``; every outcome of the unit must have a result.

    Pick ``language`` with ``credential_language``: the unit's texts are then all in it (``inLanguage`` is true).
    """
    _ = translations(language).gettext  # the defaults below, in the credential's language
    by_id = {result.outcome_id: result for result in results}
    skill_lang = skills_language(doc, language)
    outcomes = []
    for outcome in doc.outcomes:
        result = by_id.pop(outcome.id, None)
        if result is None:
            raise ValueError(f"no result for learning outcome {outcome.id!r} of unit {doc.slug!r}")
        if not 0.0 <= result.score <= 1.0:
            raise ValueError(f"score of {outcome.id!r} must be within 0..1, got {result.score}")
        outcomes.append(
            OutcomeInfo(
                id=outcome.id,
                title=_text(outcome.title, language),
                esco=tuple(esco_skill(uri, skill_lang) for uri in outcome.esco),
                score=result.score,
                met=result.met,
                threshold=outcome.threshold,
            )
        )
    if by_id:
        raise ValueError(f"results for outcomes the unit does not have: {sorted(by_id)}")
    return UnitInfo(
        slug=doc.slug,
        version=doc.version,
        title=_text(doc.title, language),
        summary=_text(doc.summary, language) or _text(doc.title, language),
        sector=doc.sector,
        eqf_level=doc.eqf_level,
        ects=doc.ects,
        workload_hours=doc.workload_hours,
        esco=tuple(esco_skill(uri, skill_lang) for uri in doc.esco),
        participation=Participation(doc.participation),
        assessment_type=_text(doc.assessment_type, language) or _("Online assessment of learning outcomes"),
        quality_assurance=_text(doc.quality_assurance, language) or _("Internal review by the awarding body"),
        outcomes=tuple(outcomes),
        achievement_id=achievement_id,
        quality_assurance_body=quality_assurance_body,
        language=language,
    )


def credential_language(doc: UnitDoc, learner_locale: str | None) -> str:
    """The language a learner's credential is issued in: theirs where the unit is complete in it, else English.

    OB 3.0 gives an Achievement one ``name`` and one ``inLanguage`` (no language map in its JSON Schema), so the
    credential is issued in one language as a whole, never a title in one and its outcomes in another.
    """
    return doc.content_language(learner_locale or CREDENTIAL_LANGUAGE)


def overall_score(results: Iterable[OutcomeResult]) -> float:
    """The unweighted mean of the outcome scores (the overall Result of the credential)."""
    scores = [result.score for result in results]
    return sum(scores) / len(scores) if scores else 0.0
