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
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lti_tool.catalogue.items import Item
from lti_tool.xapi.envelope import (
    Statement,
    activity,
    actor,
    assessment_activity,
    assessment_iri,
    compose,
    credential_iri,
    iri_segment,
    score_json,
    statement_id,
    to_json_bytes,
    unit_activity,
    unit_iri,
    utc_timestamp,
    verb_name,
)
from lti_tool.xapi.interactions import format_response, interaction_definition
from lti_tool.xapi.profile import ActivityType, Extension, Profile, ToolActivityType, ToolVerb, Verb
from lti_tool.xapi.refs import LtiScope, OutcomeRef, Response, Score, SectionRef, UnitRef

# Re-exported: callers build, serialise and query through this module.
__all__ = [
    "AttemptIds",
    "Statement",
    "actor",
    "assessment_completed",
    "assessment_graded",
    "assessment_initialized",
    "assessment_iri",
    "credential_earned",
    "credential_iri",
    "credential_revoked",
    "item_answered",
    "outcome_mastered",
    "section_experienced",
    "statement_id",
    "statements_voided",
    "to_json_bytes",
    "unit_iri",
    "unit_launched",
    "unit_mastered",
    "utc_timestamp",
]


@dataclass(frozen=True, slots=True)
class AttemptIds:
    """The ids of the statements about one attempt: uuid5 of the attempt (DESIGN.md §5), defined only here.

    The builders below take their ids from here, and voiding an attempt lists them from here too.
    """

    attempt_id: uuid.UUID

    def initialized(self) -> str:
        return statement_id("initialized", self.attempt_id)

    def answered(self, item_id: str) -> str:
        return statement_id("answered", self.attempt_id, item_id)

    def completed(self) -> str:
        return statement_id("completed", self.attempt_id)

    def graded(self, passed: bool) -> str:
        # The verb is part of the identity: a review may turn "failed" into "passed", both are facts.
        return statement_id(verb_name(Verb.PASSED if passed else Verb.FAILED), self.attempt_id)

    def outcome_mastered(self, outcome_id: str) -> str:
        return statement_id("mastered-outcome", self.attempt_id, outcome_id)

    def unit_mastered(self, unit_version: str) -> str:
        return statement_id("mastered-unit", self.attempt_id, unit_version)

    def every(self, item_ids: Sequence[str], outcome_ids: Sequence[str], unit_version: str) -> list[str]:
        """Every id a statement about this attempt has or would have (drawn items, unit outcomes, version)."""
        return [self.initialized(), *[self.answered(item) for item in item_ids], self.completed(),
                self.graded(True), self.graded(False), *[self.outcome_mastered(o) for o in outcome_ids],
                self.unit_mastered(unit_version)]


def unit_launched(profile: Profile, scope: LtiScope, unit: UnitRef, at: dt.datetime) -> Statement:
    """The learner launched a unit from the LMS."""
    sid = statement_id("launched", scope.issuer, scope.sub, unit_iri(profile, unit), unit.version, utc_timestamp(at))
    return compose(
        profile,
        scope,
        unit,
        sid=sid,
        verb=Verb.LAUNCHED,
        obj=unit_activity(profile, unit),
        at=at,
        skills=(unit.esco, unit.eqf_level),
    )


def section_experienced(
    profile: Profile, scope: LtiScope, unit: UnitRef, section: SectionRef, at: dt.datetime
) -> Statement:
    """The learner opened a study section of a unit."""
    iri = f"{unit_iri(profile, unit)}/sections/{iri_segment(section.id)}"
    sid = statement_id("experienced", scope.issuer, scope.sub, iri, unit.version, utc_timestamp(at))
    obj = activity(iri, ActivityType.LESSON.value, section.title)
    return compose(
        profile, scope, unit, sid=sid, verb=Verb.EXPERIENCED, obj=obj, at=at, parent=unit_activity(profile, unit)
    )


def assessment_initialized(
    profile: Profile, scope: LtiScope, unit: UnitRef, attempt_id: uuid.UUID, at: dt.datetime
) -> Statement:
    """The learner started an attempt at a unit's assessment."""
    sid = AttemptIds(attempt_id).initialized()
    return compose(
        profile,
        scope,
        unit,
        sid=sid,
        verb=Verb.INITIALIZED,
        obj=assessment_activity(profile, unit),
        at=at,
        registration=attempt_id,
        parent=unit_activity(profile, unit),
    )


def item_answered(
    profile: Profile,
    scope: LtiScope,
    unit: UnitRef,
    attempt_id: uuid.UUID,
    item: Item,
    response: Response,
    correct: bool | None,
    at: dt.datetime,
) -> Statement:
    """The learner's final response to one item of an attempt (one per item and attempt, at submit).

    `correct` is None while a teacher has not scored the item (practical tasks).
    """
    iri = f"{unit_iri(profile, unit)}/items/{iri_segment(item.id)}"
    obj = {"objectType": "Activity", "id": iri, "definition": interaction_definition(item)}
    result: dict[str, Any] = {"completion": True}
    if (text := format_response(item, response)) is not None:
        result["response"] = text
    if correct is not None:
        result["success"] = correct
    return compose(
        profile,
        scope,
        unit,
        sid=AttemptIds(attempt_id).answered(item.id),
        verb=Verb.ANSWERED,
        obj=obj,
        at=at,
        registration=attempt_id,
        result=result,
        parent=assessment_activity(profile, unit),
        grouping=unit_activity(profile, unit),
    )


def assessment_completed(
    profile: Profile, scope: LtiScope, unit: UnitRef, attempt_id: uuid.UUID, score: Score, at: dt.datetime
) -> Statement:
    """The learner submitted the attempt (its score so far; practical items may await review)."""
    return compose(
        profile,
        scope,
        unit,
        sid=AttemptIds(attempt_id).completed(),
        verb=Verb.COMPLETED,
        obj=assessment_activity(profile, unit),
        at=at,
        registration=attempt_id,
        result={"completion": True, "score": score_json(score)},
        parent=unit_activity(profile, unit),
        skills=(unit.esco, unit.eqf_level),
    )


def assessment_graded(
    profile: Profile,
    scope: LtiScope,
    unit: UnitRef,
    attempt_id: uuid.UUID,
    score: Score,
    passed: bool,
    at: dt.datetime,
) -> Statement:
    """The attempt's final result: `passed` or `failed` (after a teacher's review where one is needed)."""
    verb = Verb.PASSED if passed else Verb.FAILED
    return compose(
        profile,
        scope,
        unit,
        sid=AttemptIds(attempt_id).graded(passed),
        verb=verb,
        obj=assessment_activity(profile, unit),
        at=at,
        registration=attempt_id,
        result={"completion": True, "success": passed, "score": score_json(score)},
        parent=unit_activity(profile, unit),
        skills=(unit.esco, unit.eqf_level),
    )


def outcome_mastered(
    profile: Profile,
    scope: LtiScope,
    unit: UnitRef,
    attempt_id: uuid.UUID,
    outcome: OutcomeRef,
    score: Score,
    at: dt.datetime,
) -> Statement:
    """The learner met a learning outcome's threshold in an attempt."""
    iri = f"{unit_iri(profile, unit)}/outcomes/{iri_segment(outcome.id)}"
    return compose(
        profile,
        scope,
        unit,
        sid=AttemptIds(attempt_id).outcome_mastered(outcome.id),
        verb=Verb.MASTERED,
        obj=activity(iri, ActivityType.OBJECTIVE.value, outcome.title),
        at=at,
        registration=attempt_id,
        result={"success": True, "score": score_json(score)},
        parent=unit_activity(profile, unit),
        skills=(outcome.esco, unit.eqf_level),
    )


def unit_mastered(
    profile: Profile, scope: LtiScope, unit: UnitRef, attempt_id: uuid.UUID, score: Score, at: dt.datetime
) -> Statement:
    """The learner mastered the unit (every outcome met): what justifies a credential."""
    return compose(
        profile,
        scope,
        unit,
        sid=AttemptIds(attempt_id).unit_mastered(unit.version),
        verb=Verb.MASTERED,
        obj=unit_activity(profile, unit),
        at=at,
        registration=attempt_id,
        result={"success": True, "completion": True, "score": score_json(score)},
        skills=(unit.esco, unit.eqf_level),
    )


def _credential_statement(
    profile: Profile,
    scope: LtiScope,
    unit: UnitRef,
    credential_id: uuid.UUID,
    verb: Verb | ToolVerb,
    attempt_id: uuid.UUID | None,
    at: dt.datetime,
    result: dict[str, Any] | None,
) -> Statement:
    obj = activity(
        credential_iri(profile, credential_id), profile.activity_type(ToolActivityType.MICRO_CREDENTIAL), unit.title
    )
    return compose(
        profile,
        scope,
        unit,
        sid=statement_id(verb_name(verb), credential_id),
        verb=verb,
        obj=obj,
        at=at,
        registration=attempt_id,
        result=result,
        grouping=unit_activity(profile, unit),
        skills=(unit.esco, unit.eqf_level),
        extra_extensions={Extension.CREDENTIAL_ID: str(credential_id)},
    )


def credential_earned(
    profile: Profile,
    scope: LtiScope,
    unit: UnitRef,
    credential_id: uuid.UUID,
    attempt_id: uuid.UUID | None,
    at: dt.datetime,
) -> Statement:
    """A credential was issued to the learner for a unit version."""
    return _credential_statement(profile, scope, unit, credential_id, Verb.EARNED, attempt_id, at, None)


def credential_revoked(
    profile: Profile,
    scope: LtiScope,
    unit: UnitRef,
    credential_id: uuid.UUID,
    at: dt.datetime,
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
        voids.append(
            {
                "id": statement_id("voided", target),
                "actor": actor(scope),
                "verb": {"id": Verb.VOIDED.value, "display": {"en": "voided"}},
                "object": {"objectType": "StatementRef", "id": str(uuid.UUID(target))},
                "context": {
                    "registration": str(attempt_id),
                    "extensions": {
                        profile.extension(e): v
                        for e, v in (
                            (Extension.LTI_PLATFORM, scope.issuer),
                            (Extension.LTI_DEPLOYMENT, scope.deployment_id),
                            (Extension.LTI_CONTEXT, scope.context_id),
                            (Extension.LTI_CLIENT, scope.client_id),
                        )
                        if v is not None
                    },
                },
                "timestamp": utc_timestamp(at),
            }
        )
    return voids
