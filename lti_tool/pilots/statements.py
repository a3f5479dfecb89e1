"""xAPI statements of pilots and of the learners' questionnaire (pure: no Flask, no DB, no clock).

Pilot statements are stated by the tool itself (actor = the tool's account under its base URL, no person):
"described" carries a pilot's facts, "included" puts an LMS course into it, "counted" says how many learners
the course has. With them, the statements alone are enough to group the figures per pilot, country and sector
(lti_tool.pilots.lrs_report). The questionnaire statement is the learner's, pseudonymous like every other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from lti_tool.xapi.envelope import (
    PLATFORM_NAME,
    Statement,
    activity,
    actor,
    iri_segment,
    statement_id,
    unit_activity,
    unit_iri,
    utc_timestamp,
    verb_name,
)
from lti_tool.xapi.profile import ActivityType, Extension, Profile, ResultExtension, ToolActivityType, ToolVerb, Verb
from lti_tool.xapi.refs import LtiScope, UnitRef

TOOL_ACCOUNT = "mastery-tool"


@dataclass(frozen=True, slots=True)
class PilotFacts:
    """A pilot as the statements describe it."""

    code: str
    name: str
    country: str
    sector: str
    partner: str
    starts_on: dt.date
    ends_on: dt.date
    target_learners: int


@dataclass(frozen=True, slots=True)
class CourseRef:
    """An LMS course: platform issuer, deployment id, context id."""

    issuer: str
    deployment_id: str
    context_id: str


@dataclass(frozen=True, slots=True)
class Answers:
    """The questionnaire's answers, already checked (lti_tool.pilots.questionnaire)."""

    relevance: int
    workload_hours: float
    clarity: int
    recommend: bool
    comment: str = ""


def pilot_iri(profile: Profile, code: str) -> str:
    """Activity id of a pilot."""
    return f"{profile.base_url}/pilots/{iri_segment(code)}"


def tool_actor(profile: Profile) -> dict[str, Any]:
    """The tool itself as the actor of its bookkeeping statements."""
    return {"objectType": "Agent", "account": {"homePage": profile.base_url, "name": TOOL_ACCOUNT}}


def _pilot_statement(profile: Profile, sid: str, verb: ToolVerb, pilot: PilotFacts, at: dt.datetime,
                     extensions: dict[Extension, Any]) -> Statement:
    return {
        "id": sid,
        "actor": tool_actor(profile),
        "verb": {"id": profile.verb(verb), "display": {"en": verb_name(verb)}},
        "object": activity(pilot_iri(profile, pilot.code), profile.activity_type(ToolActivityType.PILOT), pilot.name),
        "context": {
            "platform": PLATFORM_NAME,
            "contextActivities": {"category": [activity(profile.version_id, ActivityType.PROFILE.value)]},
            "extensions": {profile.extension(key): value for key, value in extensions.items()},
        },
        "timestamp": utc_timestamp(at),
    }


def pilot_described(profile: Profile, pilot: PilotFacts, at: dt.datetime) -> Statement:
    """The pilot's facts as they are now (the newest "described" statement of a pilot wins)."""
    facts = {
        Extension.PILOT_COUNTRY: pilot.country,
        Extension.PILOT_SECTOR: pilot.sector,
        Extension.PILOT_PARTNER: pilot.partner,
        Extension.PILOT_STARTS: pilot.starts_on.isoformat(),
        Extension.PILOT_ENDS: pilot.ends_on.isoformat(),
        Extension.PILOT_TARGET: pilot.target_learners,
    }
    sid = statement_id("pilot-described", pilot.code, pilot.name, *facts.values(), utc_timestamp(at))
    return _pilot_statement(profile, sid, ToolVerb.DESCRIBED, pilot, at, facts)


def _course_extensions(course: CourseRef) -> dict[Extension, Any]:
    return {Extension.LTI_PLATFORM: course.issuer, Extension.LTI_DEPLOYMENT: course.deployment_id,
            Extension.LTI_CONTEXT: course.context_id}


def course_included(profile: Profile, pilot: PilotFacts, course: CourseRef, at: dt.datetime) -> Statement:
    """An LMS course takes part in the pilot from now on."""
    sid = statement_id("pilot-included", pilot.code, course.issuer, course.deployment_id, course.context_id,
                       utc_timestamp(at))
    return _pilot_statement(profile, sid, ToolVerb.INCLUDED, pilot, at, _course_extensions(course))


def course_counted(profile: Profile, pilot: PilotFacts, course: CourseRef, enrolled: int, at: dt.datetime) -> Statement:
    """How many learners the course has (a number only; the newest "counted" statement of a course wins)."""
    sid = statement_id("pilot-counted", pilot.code, course.issuer, course.deployment_id, course.context_id, enrolled,
                       utc_timestamp(at))
    return _pilot_statement(profile, sid, ToolVerb.COUNTED, pilot, at,
                            {**_course_extensions(course), Extension.ENROLLED: enrolled})


def questionnaire_iri(profile: Profile, unit: UnitRef) -> str:
    """Activity id of a unit's questionnaire."""
    return f"{unit_iri(profile, unit)}/questionnaire"


def questionnaire_answered(profile: Profile, scope: LtiScope, unit: UnitRef, answers: Answers,
                           at: dt.datetime) -> Statement:
    """The learner's answers to the questionnaire after a unit (one statement per learner, course and unit)."""
    result: dict[str, Any] = {
        "completion": True,
        "extensions": {
            profile.extension(ResultExtension.RELEVANCE): answers.relevance,
            profile.extension(ResultExtension.WORKLOAD_HOURS): answers.workload_hours,
            profile.extension(ResultExtension.CLARITY): answers.clarity,
            profile.extension(ResultExtension.RECOMMEND): answers.recommend,
        },
    }
    if answers.comment:
        result["response"] = answers.comment
    extensions = {
        Extension.LTI_PLATFORM: scope.issuer,
        Extension.LTI_DEPLOYMENT: scope.deployment_id,
        Extension.LTI_CONTEXT: scope.context_id,
        Extension.UNIT_VERSION: unit.version,
    }
    return {
        "id": statement_id("questionnaire", scope.issuer, scope.sub, scope.deployment_id, scope.context_id, unit.slug),
        "actor": actor(scope),
        "verb": {"id": Verb.RESPONDED.value, "display": {"en": verb_name(Verb.RESPONDED)}},
        "object": activity(questionnaire_iri(profile, unit), profile.activity_type(ToolActivityType.QUESTIONNAIRE),
                           unit.title),
        "context": {
            "platform": PLATFORM_NAME,
            "contextActivities": {
                "category": [activity(profile.version_id, ActivityType.PROFILE.value)],
                "parent": [unit_activity(profile, unit)],
            },
            "extensions": {profile.extension(k): v for k, v in extensions.items() if v is not None},
        },
        "result": result,
        "timestamp": utc_timestamp(at),
    }
