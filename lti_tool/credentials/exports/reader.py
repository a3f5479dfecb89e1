"""The one reader of a signed MASTERY credential: its Annex I elements in plain language (pure).

Every human-readable form of a credential reads it here: the public page, the learner's and the teacher's
lists, and the PDF certificate (exports/pdf.py), so they show the same facts in the same words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from babel.dates import format_date

from lti_tool.catalogue.esco import esco_label
from lti_tool.credentials.exports.elm_vocab import country_name
from lti_tool.credentials.issuing.inputs import AlignmentTarget, IdentityType

_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?$")


@dataclass(frozen=True)
class SkillView:
    """An ESCO skill: label, concept URI and the label's language (a page marks it)."""

    label: str
    url: str
    lang: str = "en"


@dataclass(frozen=True)
class OutcomeView:
    """One learning outcome, the learner's result and the skills it is aligned to."""

    id: str
    name: str  # as the credential writes it, in its language ("Learning outcome LO1: …")
    title: str  # the name without its "Learning outcome LO1: " prefix (in any language)
    result: str
    met: bool
    required: str
    skills: tuple[SkillView, ...]
    result_value: float | None = None  # the percentages as numbers, for pages and the PDF to write their way
    required_value: float | None = None


@dataclass(frozen=True)
class CredentialView:
    """Every Annex I element, as text a person reads."""

    credential_id: str
    title: str
    description: str
    learner_name: str  # "" when the learning platform gave no name (pages and the PDF say so in their language)
    # How the credential identifies the learner: some of "name", "email", "account" (the e-mail address and the
    # learning-platform account as salted hashes), in that order.
    identified_by: tuple[str, ...]
    awarding_body: str
    awarding_body_url: str
    country: str  # as signed, e.g. "Italy (IT)"
    region: str
    issued: str
    valid_until: str
    overall: str
    outcomes: tuple[OutcomeView, ...]
    ects: str
    workload: str
    eqf_level: str
    assessment: str
    participation: str
    quality_assurance: str
    quality_assurance_body: str
    skills: tuple[SkillView, ...] = field(default_factory=tuple)
    hours: int = 0
    minutes: int = 0
    valid_until_at: dt.datetime | None = None  # for pages, which format it in the reader's language
    issued_at: dt.datetime | None = None
    overall_value: float | None = None  # the overall result in per cent, as a number
    language: str = "en"  # the achievement's inLanguage: the language of its texts and fixed words
    country_code: str = ""  # ISO 3166-1 alpha-2, for pages that name the country in the reader's language


def _moment(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def _date(value: Any) -> str:
    # English, Babel's way (as the pages write it); pages and the PDF format ``*_at`` in their own language.
    moment = _moment(value)
    return format_date(moment, "long", locale="en") if moment else str(value or "")


def _hours_minutes(value: Any) -> tuple[int, int] | None:
    match = _DURATION.match(str(value or ""))
    return (int(match.group(1) or 0), int(match.group(2) or 0)) if match else None


def _workload(hours_minutes: tuple[int, int] | None, value: Any) -> str:
    if hours_minutes is None:
        return str(value or "")
    hours, minutes = hours_minutes
    return f"{hours} hours" + (f" {minutes} minutes" if minutes else "")


def _value(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _number(value: Any) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value or "")


def _list(value: Any) -> list[Any]:
    # JSON-LD lets a one-element array be written as the element itself.
    return value if isinstance(value, list) else ([] if value is None else [value])


def _skill(alignment: Mapping[str, Any], language: str) -> SkillView:
    # targetName has no language tag: a credential in another language names its skills in that language only
    # where they all differ from ESCO's English labels (unit_facts.skills_language), so English ones are "en".
    name, url = str(alignment.get("targetName", "")), str(alignment.get("targetUrl", ""))
    return SkillView(name, url, "en" if name == esco_label(url).text else language)


def _skills(alignments: Any, language: str) -> tuple[SkillView, ...]:
    return tuple(
        _skill(a, language)
        for a in _list(alignments)
        if isinstance(a, Mapping) and a.get("targetType") == AlignmentTarget.ESCO_SKILL
    )


def _body_name(body: Any, issuer: Mapping[str, Any]) -> str:
    if not body:
        return ""
    return str(issuer.get("name", body)) if body == issuer.get("id") else str(body)


def _country_code(address: Mapping[str, Any]) -> str:
    code = str(address.get("addressCountryCode") or "").upper()
    return code if len(code) == 2 and code.isalpha() else ""


def _country(address: Mapping[str, Any]) -> str:
    code = str(address.get("addressCountryCode") or "").upper()
    name = address.get("addressCountry") or country_name(code)
    return f"{name} ({code})" if name and code else str(name or code)


# The identifier types of a credential, as the pages name them (OB 3.0 IdentityObject.identityType).
_IDENTIFIED_BY = ((IdentityType.NAME, "name"), (IdentityType.EMAIL, "email"), (IdentityType.LTI_USER, "account"))


def _learner(identifiers: Any) -> tuple[str, tuple[str, ...]]:
    items = [i for i in _list(identifiers) if isinstance(i, Mapping)]
    name = next((str(i.get("identityHash")) for i in items if i.get("identityType") == IdentityType.NAME), "")
    kinds = {str(i.get("identityType")) for i in items}
    return name, tuple(
        shown for kind, shown in _IDENTIFIED_BY if kind in kinds)


def _outcome_title(outcome_id: str, name: str) -> str:
    # "Learning outcome LO1: title" in the credential's language: the title follows the outcome's id.
    marker = f"{outcome_id}: "
    return name.split(marker, 1)[1] if marker in name else name.split(": ", 1)[-1]


def present(document: Mapping[str, Any]) -> CredentialView:
    """Read the Annex I elements out of a MASTERY OpenBadgeCredential."""
    subject = document.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    issuer: Mapping[str, Any] = document["issuer"] if isinstance(document.get("issuer"), Mapping) else {}
    address = issuer.get("address") or {}
    results = {r.get("resultDescription"): r for r in _list(subject.get("result")) if isinstance(r, Mapping)}
    language = achievement.get("inLanguage")
    language = language if isinstance(language, str) and language else "en"
    overall, overall_value, outcomes = "", None, []
    # The achievement's result descriptions, in its order, each with the learner's result (if any).
    for description in _list(achievement.get("resultDescription")):
        if not isinstance(description, Mapping):
            continue
        description_id = str(description.get("id", ""))
        result = results.get(description_id, {})
        value = f"{_number(result['value'])} %" if result.get("value") is not None else ""
        if description_id.endswith("/results/overall"):
            overall, overall_value = value, _value(result.get("value"))
            continue
        name = str(description.get("name", ""))
        outcome_id = description_id.rsplit("/results/", 1)[-1]
        outcomes.append(OutcomeView(
            id=outcome_id,
            name=name,
            title=_outcome_title(outcome_id, name),
            result=value,
            met=result.get("status") == "Completed",
            required=f"{_number(description['requiredValue'])} %" if "requiredValue" in description else "",
            skills=_skills(description.get("alignment"), language),
            result_value=_value(result.get("value")),
            required_value=_value(description.get("requiredValue")),
        ))
    eqf = next((a for a in _list(achievement.get("alignment")) if isinstance(a, Mapping)
                and a.get("targetType") == AlignmentTarget.EQF), {})
    name, identified_by = _learner(subject.get("identifier"))
    participation = achievement.get("participationMode") or {}
    workload = _hours_minutes(achievement.get("volumeOfLearning"))
    return CredentialView(
        credential_id=str(document.get("id", "")),
        title=str(achievement.get("name", document.get("name", ""))),
        description=str(achievement.get("description", "")),
        learner_name=name,
        identified_by=identified_by,
        awarding_body=str(issuer.get("name", "")),
        awarding_body_url=str(issuer.get("url", "")),
        country=_country(address),
        country_code=_country_code(address),
        region=str(address.get("addressRegion") or ""),
        issued=_date(document.get("validFrom")),
        issued_at=_moment(document.get("validFrom")),
        valid_until=_date(document["validUntil"]) if "validUntil" in document else "",
        valid_until_at=_moment(document.get("validUntil")),
        overall=overall,
        overall_value=overall_value,
        outcomes=tuple(outcomes),
        ects=_number(achievement.get("creditsAvailable")),
        workload=_workload(workload, achievement.get("volumeOfLearning")),
        hours=workload[0] if workload else 0,
        minutes=workload[1] if workload else 0,
        eqf_level=str(eqf.get("targetCode", "")),
        assessment=str(achievement.get("assessmentType", "")),
        participation=str(participation.get("prefLabel", "")) if isinstance(participation, Mapping) else "",
        quality_assurance=str(achievement.get("qualityAssuranceType", "")),
        quality_assurance_body=_body_name(achievement.get("qualityAssuranceBody"), issuer),
        skills=_skills(achievement.get("alignment"), language),
        language=language,
    )


# What a failed technical check means to a person, as a code the page translates (see credentials/page.html).
_PLAIN_PROBLEM = {
    "signature": "altered", "safe_mode": "altered", "canonicalization": "altered", "work_budget": "altered",
    "proof_present": "unsigned", "proof_type": "unsigned", "proof_purpose": "unsigned", "created": "unsigned",
    "verification_method": "issuer_key", "issuer_binding": "issuer_key",
    "status": "status", "valid_until": "expired", "valid_from": "not_yet_valid", "schema": "malformed",
    "processing": "malformed",
}


@dataclass(frozen=True)
class Verdict:
    """The outcome of verification in plain words: one state and the plain problems behind it."""

    state: str  # "genuine", "revoked", "expired" or "not_confirmed"
    problems: tuple[str, ...]


def verdict(checks: list[Mapping[str, Any]], *, revoked: bool) -> Verdict:
    """Turn the technical checks (and the issuer's own record of a revocation) into a plain verdict."""
    failed = [str(check.get("name", "")).rsplit(".", 1)[-1] for check in checks if not check.get("ok")]
    problems = tuple(dict.fromkeys(_PLAIN_PROBLEM.get(name, "malformed") for name in failed))
    if revoked:
        return Verdict("revoked", tuple(p for p in problems if p != "status"))
    if not problems and checks:
        return Verdict("genuine", ())
    if problems == ("expired",):
        return Verdict("expired", problems)
    return Verdict("not_confirmed", problems or ("malformed",))


@dataclass(frozen=True)
class IssuerView:
    """The issuer as a person reads it."""

    name: str
    url: str
    email: str
    country: str
    region: str
    identifier: str
    country_code: str = ""


def issuer_view(profile: Mapping[str, Any]) -> IssuerView:
    """The issuer Profile in plain language."""
    address = profile.get("address") if isinstance(profile.get("address"), Mapping) else {}
    return IssuerView(name=str(profile.get("name", "")), url=str(profile.get("url", "")),
                      email=str(profile.get("email", "")), country=_country(address or {}),
                      country_code=_country_code(address or {}),
                      region=str((address or {}).get("addressRegion") or ""), identifier=str(profile.get("id", "")))
