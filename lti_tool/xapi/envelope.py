"""The common parts of every MASTERY statement: ids, timestamps, actor, activity IRIs, context.

Used by the builders in `statements.py`; pure (no Flask, no DB).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from lti_tool.xapi.interactions import language_map
from lti_tool.xapi.profile import EQF_LEVEL_IRI, ActivityType, Extension, Profile, ToolActivityType, ToolVerb, Verb
from lti_tool.xapi.refs import LtiScope, Score, Text, UnitRef

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
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def to_json_bytes(statement: Statement) -> bytes:
    """The exact bytes to store in the outbox and send (canonical: sorted keys, no spaces, UTF-8)."""
    return json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def iri_segment(value: str) -> str:
    """An id as one IRI path segment (percent-encoded where needed)."""
    # Ids from unit files are plain, but one with a space or a slash must not break the IRI.
    return quote(value, safe="-._~")


def unit_iri(profile: Profile, unit: UnitRef) -> str:
    """Activity id of a unit (stable across versions; the version is a context extension)."""
    return f"{profile.base_url}/units/{iri_segment(unit.slug)}"


def credential_iri(profile: Profile, credential_id: uuid.UUID) -> str:
    """Activity id of a credential: its public verification page."""
    return f"{profile.base_url}/credentials/{credential_id}"


def actor(scope: LtiScope) -> dict[str, Any]:
    """The xAPI Agent of an LTI user (also the `agent` filter of a GET)."""
    return {"objectType": "Agent", "account": {"homePage": scope.issuer, "name": scope.sub}}


def activity(iri: str, kind: str, name: Text | None = None) -> dict[str, Any]:
    """An Activity object with its type and, if given, its name."""
    definition: dict[str, Any] = {"type": kind}
    if name is not None and (names := language_map(name)):
        definition["name"] = names
    return {"objectType": "Activity", "id": iri, "definition": definition}


def unit_activity(profile: Profile, unit: UnitRef) -> dict[str, Any]:
    """The Activity of a unit."""
    return activity(unit_iri(profile, unit), ActivityType.MODULE.value, unit.title)


def skill_activities(profile: Profile, esco: Sequence[str], eqf_level: int | None) -> list[dict[str, Any]]:
    """ESCO skills and the EQF level as activities (for context.contextActivities.other)."""
    others = [activity(uri, profile.activity_type(ToolActivityType.ESCO_SKILL)) for uri in esco]
    if eqf_level is not None:
        others.append(
            activity(EQF_LEVEL_IRI.format(level=eqf_level), profile.activity_type(ToolActivityType.EQF_LEVEL))
        )
    return others


def compose(
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
    """One statement with the profile's context: LTI ids, unit version, category, skills."""
    ext = {
        Extension.LTI_PLATFORM: scope.issuer,
        Extension.LTI_DEPLOYMENT: scope.deployment_id,
        Extension.LTI_CONTEXT: scope.context_id,
        **({Extension.LTI_CLIENT: scope.client_id} if scope.client_id is not None else {}),
        Extension.UNIT_VERSION: unit.version,
        **(extra_extensions or {}),
    }
    activities: dict[str, list[dict[str, Any]]] = {
        "category": [activity(profile.version_id, ActivityType.PROFILE.value)]
    }
    if parent is not None:
        activities["parent"] = [parent]
    if grouping is not None:
        activities["grouping"] = [grouping]
    if skills is not None:
        esco, eqf_level = skills
        if other := skill_activities(profile, esco, eqf_level):
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
        "verb": {"id": profile.verb(verb), "display": {"en": verb_name(verb)}},
        "object": obj,
        "context": context,
        "timestamp": utc_timestamp(at),
    }
    if result:
        statement["result"] = result
    return statement


def verb_name(verb: Verb | ToolVerb) -> str:
    """The short name of a verb (its last IRI segment)."""
    return verb.value.rsplit("/", 1)[-1]


def score_json(score: Score) -> dict[str, Any]:
    """A Score as an xAPI result.score."""
    out: dict[str, Any] = {"scaled": score.scaled}
    if score.raw is not None:
        out["raw"] = score.raw
        out["min"] = 0
        if score.max is not None:
            out["max"] = score.max
    return out


def assessment_iri(profile: Profile, unit: UnitRef) -> str:
    """Activity id of a unit's assessment."""
    return f"{unit_iri(profile, unit)}/assessment"


def assessment_activity(profile: Profile, unit: UnitRef) -> dict[str, Any]:
    """The Activity of a unit's assessment."""
    return activity(assessment_iri(profile, unit), ActivityType.ASSESSMENT.value, unit.title)
