"""Builders of the MASTERY profile's xAPI statements (pure: no Flask, no DB, no clock).

Every builder returns a plain dict ready for `to_json_bytes`. Rules (DESIGN.md §5):
- actor = `account` {homePage: LTI platform issuer, name: LTI `sub`} only — no name, no e-mail;
- `context.registration` = the attempt id where there is an attempt;
- statement ids are uuid5 over the event's identity, so building the same event twice gives the same id
  and a resend is never a duplicate;
- unit-level statements carry the ESCO skill URIs and EQF level in `context.contextActivities.other`
  (and, for simple queries, as context extensions);
- timestamps are timezone-aware and written in UTC (naive datetimes are refused).
Activity ids live under the tool's base URL: `<base>/units/<slug>[/sections|items|outcomes/<id>]`,
`<base>/units/<slug>/assessment`, `<base>/credentials/<uuid>`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from lti_tool.xapi.interactions import format_response, interaction_definition, language_map
from lti_tool.xapi.profile import (
    EQF_LEVEL_IRI,
    ActivityType,
    Extension,
    Profile,
    ToolActivityType,
    ToolVerb,
    Verb,
)
from lti_tool.xapi.refs import ItemRef, LtiScope, OutcomeRef, Response, Score, SectionRef, Text, UnitRef

Statement = dict[str, Any]
# Namespace of all statement ids; never change it (ids already in LRSs would stop matching resends).
STATEMENT_ID_NAMESPACE = uuid.UUID("6f0b3c52-5d0e-5c3e-9a51-3f6c1b1f6d2a")
PLATFORM_NAME = "MASTERY Tool"


def statement_id(kind: str, *parts: object) -> str:
    """Deterministic statement id: uuid5 over the event kind and the parts that identify it."""
    # \x1f (unit separator) cannot occur in IRIs or ids, so distinct part lists never collide.
    return str(uuid.uuid5(STATEMENT_ID_NAMESPACE, "\x1f".join([kind, *map(str, parts)])))


def utc_timestamp(moment: dt.datetime) -> str:
    """An xAPI timestamp in UTC with millisecond precision; refuses naive datetimes."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime refused (xAPI timestamps need a timezone): {moment!r}")
    utc = moment.astimezone(dt.timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def to_json_bytes(statement: Statement) -> bytes:
    """The exact bytes to store in the outbox and send (canonical: sorted keys, no spaces, UTF-8)."""
    return json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _segment(value: str) -> str:
    # Ids from unit files are plain, but one with a space or a slash must not break the IRI.
    return quote(value, safe="-._~")


def unit_iri(profile: Profile, unit: UnitRef) -> str:
    """Activity id of a unit (stable across versions; the version is a context extension)."""
    return f"{profile.base_url}/units/{_segment(unit.slug)}"


def credential_iri(profile: Profile, credential_id: uuid.UUID) -> str:
    """Activity id of a credential: its public verification page."""
    return f"{profile.base_url}/credentials/{credential_id}"


def actor(scope: LtiScope) -> dict[str, Any]:
    """The xAPI Agent of an LTI user (also the `agent` filter of a GET)."""
    return {"objectType": "Agent", "account": {"homePage": scope.issuer, "name": scope.sub}}


def _activity(iri: str, kind: str, name: Text | None = None) -> dict[str, Any]:
    definition: dict[str, Any] = {"type": kind}
    if name is not None and (names := language_map(name)):
        definition["name"] = names
    return {"objectType": "Activity", "id": iri, "definition": definition}


def _unit_activity(profile: Profile, unit: UnitRef) -> dict[str, Any]:
    return _activity(unit_iri(profile, unit), ActivityType.MODULE.value, unit.title)


def _skill_activities(profile: Profile, esco: Sequence[str], eqf_level: int | None) -> list[dict[str, Any]]:
    others = [_activity(uri, profile.activity_type(ToolActivityType.ESCO_SKILL)) for uri in esco]
    if eqf_level is not None:
        others.append(
            _activity(EQF_LEVEL_IRI.format(level=eqf_level), profile.activity_type(ToolActivityType.EQF_LEVEL))
        )
    return others


def _statement(
    profile: Profile,
    scope: LtiScope,
    unit: UnitRef,
    *,
    sid: str,
    verb: Verb | ToolVerb,
    obj: dict[str, Any],
    at: dt.datetime,
    registration: uuid.UUID | None = None,
    result: dict[str, Any] | None = None,
    parent: dict[str, Any] | None = None,
    grouping: dict[str, Any] | None = None,
    skills: tuple[Sequence[str], int | None] | None = None,
    extra_extensions: dict[Extension, Any] | None = None,
) -> Statement:
    ext = {
        Extension.LTI_PLATFORM: scope.issuer,
        Extension.LTI_DEPLOYMENT: scope.deployment_id,
        Extension.LTI_CONTEXT: scope.context_id,
        Extension.UNIT_VERSION: unit.version,
        **(extra_extensions or {}),
    }
    activities: dict[str, list[dict[str, Any]]] = {
        "category": [_activity(profile.version_id, "http://adlnet.gov/expapi/activities/profile")]
    }
    if parent is not None:
        activities["parent"] = [parent]
    if grouping is not None:
        activities["grouping"] = [grouping]
    if skills is not None:
        esco, eqf_level = skills
        if other := _skill_activities(profile, esco, eqf_level):
            activities["other"] = other
        ext[Extension.ESCO_SKILLS] = list(esco)
        ext[Extension.EQF_LEVEL] = eqf_level
    context: dict[str, Any] = {"contextActivities": activities}
    if obj.get("objectType") == "Activity":  # xAPI: `platform` only when the object is an Activity
        context["platform"] = PLATFORM_NAME
    if registration is not None:
        context["registration"] = str(registration)
    context["extensions"] = {profile.extension(e): v for e, v in ext.items() if v is not None and v != []}
    statement: Statement = {
        "id": sid,
        "actor": actor(scope),
        "verb": {"id": profile.verb(verb), "display": {"en": _verb_name(verb)}},
        "object": obj,
        "context": context,
        "timestamp": utc_timestamp(at),
    }
    if result:
        statement["result"] = result
    return statement


def _verb_name(verb: Verb | ToolVerb) -> str:
    return verb.value.rsplit("/", 1)[-1]


def _score(score: Score) -> dict[str, Any]:
    out: dict[str, Any] = {"scaled": score.scaled}
    if score.raw is not None:
        out["raw"] = score.raw
        out["min"] = 0
        if score.max is not None:
            out["max"] = score.max
    return out


def unit_launched(profile: Profile, scope: LtiScope, unit: UnitRef, at: dt.datetime) -> Statement:
    """The learner launched a unit from the LMS."""
    sid = statement_id("launched", scope.issuer, scope.sub, unit_iri(profile, unit), unit.version, utc_timestamp(at))
    return _statement(profile, scope, unit, sid=sid, verb=Verb.LAUNCHED, obj=_unit_activity(profile, unit), at=at,
                      skills=(unit.esco, unit.eqf_level))


def section_experienced(
    profile: Profile, scope: LtiScope, unit: UnitRef, section: SectionRef, at: dt.datetime
) -> Statement:
    """The learner opened a study section of a unit."""
    iri = f"{unit_iri(profile, unit)}/sections/{_segment(section.id)}"
    sid = statement_id("experienced", scope.issuer, scope.sub, iri, unit.version, utc_timestamp(at))
    obj = _activity(iri, ActivityType.LESSON.value, section.title)
    return _statement(profile, scope, unit, sid=sid, verb=Verb.EXPERIENCED, obj=obj, at=at,
                      parent=_unit_activity(profile, unit))


def assessment_iri(profile: Profile, unit: UnitRef) -> str:
    """Activity id of a unit's assessment."""
    return f"{unit_iri(profile, unit)}/assessment"


def _assessment(profile: Profile, unit: UnitRef) -> dict[str, Any]:
    return _activity(assessment_iri(profile, unit), ActivityType.ASSESSMENT.value, unit.title)


def assessment_initialized(
    profile: Profile, scope: LtiScope, unit: UnitRef, attempt_id: uuid.UUID, at: dt.datetime
) -> Statement:
    """The learner started an attempt at a unit's assessment."""
    sid = statement_id("initialized", attempt_id)
    return _statement(profile, scope, unit, sid=sid, verb=Verb.INITIALIZED, obj=_assessment(profile, unit), at=at,
                      registration=attempt_id, parent=_unit_activity(profile, unit))


def item_answered(
    profile: Profile,
    scope: LtiScope,
    unit: UnitRef,
    attempt_id: uuid.UUID,
    item: ItemRef,
    response: Response,
    correct: bool | None,
    at: dt.datetime,
) -> Statement:
    """The learner's final response to one item of an attempt (one per item and attempt, at submit).

    `correct` is None while a teacher has not scored the item (practical tasks).
    """
    iri = f"{unit_iri(profile, unit)}/items/{_segment(item.id)}"
    obj = {"objectType": "Activity", "id": iri, "definition": interaction_definition(item)}
    result: dict[str, Any] = {"completion": True}
    if (text := format_response(item, response)) is not None:
        result["response"] = text
    if correct is not None:
        result["success"] = correct
    return _statement(profile, scope, unit, sid=statement_id("answered", attempt_id, item.id), verb=Verb.ANSWERED,
                      obj=obj, at=at, registration=attempt_id, result=result,
                      parent=_assessment(profile, unit), grouping=_unit_activity(profile, unit))


def assessment_completed(
    profile: Profile, scope: LtiScope, unit: UnitRef, attempt_id: uuid.UUID, score: Score, at: dt.datetime
) -> Statement:
    """The learner submitted the attempt (its score so far; practical items may await review)."""
    return _statement(profile, scope, unit, sid=statement_id("completed", attempt_id), verb=Verb.COMPLETED,
                      obj=_assessment(profile, unit), at=at, registration=attempt_id,
                      result={"completion": True, "score": _score(score)},
                      parent=_unit_activity(profile, unit), skills=(unit.esco, unit.eqf_level))


def assessment_graded(
    profile: Profile, scope: LtiScope, unit: UnitRef, attempt_id: uuid.UUID, score: Score, passed: bool,
    at: dt.datetime,
) -> Statement:
    """The attempt's final result: `passed` or `failed` (after a teacher's review where one is needed)."""
    verb = Verb.PASSED if passed else Verb.FAILED
    # The verb is part of the identity: a review may turn "failed" into "passed", both are facts.
    return _statement(profile, scope, unit, sid=statement_id(_verb_name(verb), attempt_id), verb=verb,
                      obj=_assessment(profile, unit), at=at, registration=attempt_id,
                      result={"completion": True, "success": passed, "score": _score(score)},
                      parent=_unit_activity(profile, unit), skills=(unit.esco, unit.eqf_level))


def outcome_mastered(
    profile: Profile, scope: LtiScope, unit: UnitRef, attempt_id: uuid.UUID, outcome: OutcomeRef, score: Score,
    at: dt.datetime,
) -> Statement:
    """The learner met a learning outcome's threshold in an attempt."""
    iri = f"{unit_iri(profile, unit)}/outcomes/{_segment(outcome.id)}"
    return _statement(profile, scope, unit, sid=statement_id("mastered-outcome", attempt_id, outcome.id),
                      verb=Verb.MASTERED, obj=_activity(iri, ActivityType.OBJECTIVE.value, outcome.title), at=at,
                      registration=attempt_id, result={"success": True, "score": _score(score)},
                      parent=_unit_activity(profile, unit), skills=(outcome.esco, unit.eqf_level))


def unit_mastered(
    profile: Profile, scope: LtiScope, unit: UnitRef, attempt_id: uuid.UUID, score: Score, at: dt.datetime
) -> Statement:
    """The learner mastered the unit (every outcome met): what justifies a credential."""
    return _statement(profile, scope, unit, sid=statement_id("mastered-unit", attempt_id, unit.version),
                      verb=Verb.MASTERED, obj=_unit_activity(profile, unit), at=at, registration=attempt_id,
                      result={"success": True, "completion": True, "score": _score(score)},
                      skills=(unit.esco, unit.eqf_level))


def _credential_statement(
    profile: Profile, scope: LtiScope, unit: UnitRef, credential_id: uuid.UUID, verb: Verb | ToolVerb,
    attempt_id: uuid.UUID | None, at: dt.datetime, result: dict[str, Any] | None,
) -> Statement:
    obj = _activity(credential_iri(profile, credential_id),
                    profile.activity_type(ToolActivityType.MICRO_CREDENTIAL), unit.title)
    return _statement(profile, scope, unit, sid=statement_id(_verb_name(verb), credential_id), verb=verb, obj=obj,
                      at=at, registration=attempt_id, result=result, grouping=_unit_activity(profile, unit),
                      skills=(unit.esco, unit.eqf_level),
                      extra_extensions={Extension.CREDENTIAL_ID: str(credential_id)})


def credential_earned(
    profile: Profile, scope: LtiScope, unit: UnitRef, credential_id: uuid.UUID, attempt_id: uuid.UUID | None,
    at: dt.datetime,
) -> Statement:
    """A credential was issued to the learner for a unit version."""
    return _credential_statement(profile, scope, unit, credential_id, Verb.EARNED, attempt_id, at, None)


def credential_revoked(
    profile: Profile, scope: LtiScope, unit: UnitRef, credential_id: uuid.UUID, at: dt.datetime,
    reason: str | None = None,
) -> Statement:
    """The issuer revoked a credential (a new fact with the profile's `revoked` verb; `earned` stays)."""
    result = {"response": reason} if reason else None
    return _credential_statement(profile, scope, unit, credential_id, ToolVerb.REVOKED, None, at, result)


def statements_voided(
    profile: Profile, scope: LtiScope, attempt_id: uuid.UUID, statement_ids: Sequence[str], at: dt.datetime
) -> list[Statement]:
    """Voiding statements for an attempt that was reset; `scope` is whoever reset it (e.g. the teacher)."""
    voids = []
    for target in statement_ids:
        voids.append({
            "id": statement_id("voided", target),
            "actor": actor(scope),
            "verb": {"id": Verb.VOIDED.value, "display": {"en": "voided"}},
            "object": {"objectType": "StatementRef", "id": str(uuid.UUID(target))},
            "context": {
                "registration": str(attempt_id),
                "extensions": {
                    profile.extension(e): v
                    for e, v in ((Extension.LTI_PLATFORM, scope.issuer), (Extension.LTI_DEPLOYMENT,
                                  scope.deployment_id), (Extension.LTI_CONTEXT, scope.context_id))
                    if v is not None
                },
            },
            "timestamp": utc_timestamp(at),
        })
    return voids
