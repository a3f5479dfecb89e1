"""Build the unsigned MASTERY OpenBadgeCredential (OB 3.0 on VC DM 2.0) with every Annex I element.

Where each Council Recommendation 2022/C 243/02 Annex I element goes (after spec/mapping/…json):
learner → credentialSubject.identifier[] (IdentityObject; e-mail salted sha256); title → achievement.name;
country/region → issuer.address; awarding body → issuer, repeated as achievement.creator; date of issuing →
validFrom + awardedDate; learning outcomes → achievement.resultDescription[] + ESCO alignments, results in
credentialSubject.result[]; workload → creditsAvailable (ECTS) + creditFramework + volumeOfLearning; EQF →
alignment targetType ext:EQF; assessment, participation, quality assurance, ECTS framework and hours →
terms of the embedded context (contexts.MASTERY_INLINE_CONTEXT; ELM v3 properties where one fits).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from typing import Any

from lti_tool.credentials.issuing.inputs import (
    AlignmentTarget,
    EscoSkill,
    IdentityType,
    IssuerInfo,
    LearnerInfo,
    OutcomeInfo,
    Participation,
    UnitInfo,
)
from lti_tool.credentials.proof.contexts import CREDENTIAL_CONTEXT
from lti_tool.credentials.proof.dataintegrity import CREATED_FORMAT
from lti_tool.errors import N_
from lti_tool.locales import translations
from lti_tool.percent import percent_value

__all__ = [
    "EscoSkill",
    "IssuerInfo",
    "LearnerInfo",
    "OutcomeInfo",
    "Participation",
    "UnitInfo",
    "build_credential",
    "identity_hash",
    "issuer_profile",
    "learner_identifiers",
]

ECTS_FRAMEWORK = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
EQF_LEVEL_URL = "http://data.europa.eu/snb/eqf/{level}"
ESCO_SKILL_PREFIX = "http://data.europa.eu/esco/skill/"


def identity_hash(value: str, salt: str) -> str:
    """OB 3.0 IdentityHash: ``sha256$`` + hex sha256 of the UTF-8 value with the salt appended."""
    return "sha256$" + hashlib.sha256((value + salt).encode("utf-8")).hexdigest()


def _percent(score: float) -> str:
    return f"{percent_value(score):g}"


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("credential dates must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime(CREATED_FORMAT)


def _hours(hours: float) -> str:
    # xsd:duration; whole hours stay "PT25H", fractions become minutes ("PT2H30M").
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    return f"PT{whole}H" + (f"{rest}M" if rest else "")


def _esco_alignment(skill: EscoSkill) -> dict[str, Any]:
    alignment: dict[str, Any] = {
        "type": ["Alignment"],
        "targetType": AlignmentTarget.ESCO_SKILL.value,
        "targetFramework": "ESCO",
        "targetName": skill.label,
        "targetUrl": skill.uri,
    }
    if skill.uri.startswith(ESCO_SKILL_PREFIX):
        alignment["targetCode"] = skill.uri[len(ESCO_SKILL_PREFIX) :]
    return alignment


def _eqf_alignment(level: int, language: str) -> dict[str, Any]:
    if not 1 <= level <= 8:
        raise ValueError(f"EQF level must be 1..8, got {level}")
    _ = translations(language).gettext
    return {
        "type": ["Alignment"],
        "targetType": AlignmentTarget.EQF.value,
        "targetFramework": _("European Qualifications Framework"),
        "targetName": _("EQF level %(level)s") % {"level": level},
        "targetCode": str(level),
        "targetUrl": EQF_LEVEL_URL.format(level=level),
    }


def issuer_profile(issuer: IssuerInfo) -> dict[str, Any]:
    """OB Profile of the issuer with the Annex I country/region."""
    address: dict[str, Any] = {"type": ["Address"], "addressCountryCode": issuer.country.upper()}
    if issuer.country_name:
        address["addressCountry"] = issuer.country_name
    if issuer.region:
        address["addressRegion"] = issuer.region
    profile: dict[str, Any] = {"id": issuer.id, "type": ["Profile"], "name": issuer.name, "url": issuer.url}
    if issuer.email:
        profile["email"] = issuer.email
    profile["address"] = address
    return profile


def learner_identifiers(learner: LearnerInfo) -> list[dict[str, Any]]:
    """IdentityObjects: hashed e-mail and LTI user id (salted), the platform id and the name in clear."""
    ids: list[dict[str, Any]] = []
    if learner.email:
        ids.append(
            {
                "type": "IdentityObject",
                "identityType": IdentityType.EMAIL.value,
                "hashed": True,
                "identityHash": identity_hash(learner.email.strip().lower(), learner.salt),
                "salt": learner.salt,
            }
        )
    ids.append(
        {
            "type": "IdentityObject",
            "identityType": IdentityType.LTI_USER.value,
            "hashed": True,
            "identityHash": identity_hash(learner.sub, learner.salt),
            "salt": learner.salt,
        }
    )
    ids.append(
        {
            "type": "IdentityObject",
            "identityType": IdentityType.LTI_PLATFORM.value,
            "hashed": False,
            "identityHash": learner.home_page,
        }
    )
    if learner.name:
        ids.append(
            {
                "type": "IdentityObject",
                "identityType": IdentityType.NAME.value,
                "hashed": False,
                "identityHash": learner.name,
            }
        )
    return ids


# How the credential says the form of participation in a sentence (its language's words).
PARTICIPATION_WORDS = {"online": N_("online"), "blended": N_("online and in person")}


def _achievement(unit: UnitInfo, issuer: IssuerInfo, achievement_id: str) -> dict[str, Any]:
    # Every fixed word of the credential is in its one language (inLanguage), like the unit's own texts.
    _ = translations(unit.language).gettext
    overall_id = f"{achievement_id}/results/overall"
    descriptions: list[dict[str, Any]] = [
        {
            "id": overall_id,
            "type": ["ResultDescription"],
            "name": _("Overall score (per cent)"),
            "resultType": "Percent",
            "valueMin": "0",
            "valueMax": "100",
        }
    ]
    for outcome in unit.outcomes:
        description: dict[str, Any] = {
            "id": f"{achievement_id}/results/{outcome.id}",
            "type": ["ResultDescription"],
            "name": _("Learning outcome %(id)s: %(title)s") % {"id": outcome.id, "title": outcome.title},
            "resultType": "Percent",
            "valueMin": "0",
            "valueMax": "100",
        }
        if outcome.threshold is not None:
            description["requiredValue"] = _percent(outcome.threshold)
        if outcome.esco:
            description["alignment"] = [_esco_alignment(skill) for skill in outcome.esco]
        descriptions.append(description)
    narrative = unit.criteria or _("Every learning outcome is assessed (%(participation)s): %(outcomes)s") % {
        "participation": _(PARTICIPATION_WORDS[unit.participation.value]),
        "outcomes": "; ".join(f"{o.id} {o.title}" for o in unit.outcomes),
    }
    return {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": unit.title,
        "description": unit.summary,
        "criteria": {"narrative": narrative},
        # The unit's badge (badge.py), served by the tool: sector colour, title, EQF level.
        "image": {"id": f"{achievement_id}/badge.svg" + ("" if unit.language == "en" else f"?lang={unit.language}"),
                  "type": "Image",
                  "caption": _("%(title)s (EQF level %(level)s)") % {"title": unit.title, "level": unit.eqf_level}},
        "creator": {"id": issuer.id, "type": ["Profile"], "name": issuer.name, "url": issuer.url},
        "creditsAvailable": float(unit.ects),
        "inLanguage": unit.language,
        "version": unit.version,
        "tag": [_("green skills"), unit.sector],
        "alignment": [*(_esco_alignment(skill) for skill in unit.esco), _eqf_alignment(unit.eqf_level, unit.language)],
        "resultDescription": descriptions,
        # Terms of the embedded context (contexts.MASTERY_INLINE_CONTEXT) for what OB 3.0 has no field for.
        "creditFramework": ECTS_FRAMEWORK,
        "volumeOfLearning": _hours(unit.workload_hours),
        "assessmentType": unit.assessment_type,
        "participationMode": {"id": unit.participation.concept, "prefLabel": unit.participation.value},
        "qualityAssuranceType": unit.quality_assurance,
        **({"qualityAssuranceBody": unit.quality_assurance_body} if unit.quality_assurance_body else {}),
    }


def build_credential(
    *,
    credential_id: str,
    issuer: IssuerInfo,
    learner: LearnerInfo,
    unit: UnitInfo,
    overall_score: float,
    issued: dt.datetime,
    achievement_base_url: str,
    status: dict[str, Any] | None = None,
    valid_until: dt.datetime | None = None,
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential for one learner and one unit version."""
    achievement_id = unit.achievement_id or f"{achievement_base_url.rstrip('/')}/{unit.slug}/{unit.version}"
    results: list[dict[str, Any]] = [
        {
            "type": ["Result"],
            "resultDescription": f"{achievement_id}/results/overall",
            "value": _percent(overall_score),
            "status": "Completed",
        }
    ]
    results += [
        {
            "type": ["Result"],
            "resultDescription": f"{achievement_id}/results/{o.id}",
            "value": _percent(o.score),
            "status": "Completed" if o.met else "Failed",
        }
        for o in unit.outcomes
    ]
    credential: dict[str, Any] = {
        "@context": copy.deepcopy(CREDENTIAL_CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": translations(unit.language).gettext("%(title)s (micro-credential)") % {"title": unit.title},
        "description": unit.summary,
        "issuer": issuer_profile(issuer),
        "validFrom": _iso(issued),
        "awardedDate": _iso(issued),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": learner_identifiers(learner),
            "achievement": _achievement(unit, issuer, achievement_id),
            "creditsEarned": float(unit.ects),
            "result": results,
        },
    }
    if valid_until is not None:
        if valid_until <= issued:
            raise ValueError("validUntil must be after the date of issuing")
        credential["validUntil"] = _iso(valid_until)
    if status is not None:
        credential["credentialStatus"] = status
    return credential


_CONTROL = dict.fromkeys(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)) | {0x7F: None}


def without_control_characters(node: Any) -> Any:
    """The document with C0 control characters (but tab, CR, LF) and DEL removed from every string.

    pyld writes them into the canonical N-Quads unescaped while the JavaScript canonicaliser escapes them, so a
    name containing one would fail independent verification (measured with @digitalbazaar/vc).
    """
    if isinstance(node, str):
        return node.translate(_CONTROL)
    if isinstance(node, list):
        return [without_control_characters(item) for item in node]
    if isinstance(node, dict):
        return {key: without_control_characters(value) for key, value in node.items()}
    return node
