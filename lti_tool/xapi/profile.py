"""The MASTERY xAPI profile: verb, activity-type and extension IRIs, and its xAPI Profile document.

Standard verbs and activity types are reused from the ADL vocabulary and the xAPI registry; terms the
standards lack (the "revoked" verb, ESCO/EQF/credential activity types, LTI and unit extensions) live under
the tool's base URL (`TOOL_BASE_URL`), so every deployment publishes the profile it uses.
Spec: xAPI Profiles 1.0 (https://github.com/adlnet/xapi-profiles), Part Two "Profile document structure".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

PROFILE_VERSION = "1.1.0"  # 1.1.0: pilot statements and the learners' questionnaire
PROFILE_CONTEXT = "https://w3id.org/xapi/profiles/context"
PROFILES_SPEC = "https://w3id.org/xapi/profiles#1.0"
# The date this profile version was published; bump with PROFILE_VERSION.
PROFILE_VERSION_DATE = "2026-12-05T00:00:00Z"
EQF_LEVEL_IRI = "http://data.europa.eu/snb/eqf/{level}"


class Verb(StrEnum):
    """Verbs with a fixed, public IRI (ADL vocabulary; `earned` from the xAPI registry)."""

    LAUNCHED = "http://adlnet.gov/expapi/verbs/launched"
    INITIALIZED = "http://adlnet.gov/expapi/verbs/initialized"
    EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
    ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
    ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"
    COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
    PASSED = "http://adlnet.gov/expapi/verbs/passed"
    FAILED = "http://adlnet.gov/expapi/verbs/failed"
    MASTERED = "http://adlnet.gov/expapi/verbs/mastered"
    TERMINATED = "http://adlnet.gov/expapi/verbs/terminated"
    VOIDED = "http://adlnet.gov/expapi/verbs/voided"
    EARNED = "http://id.tincanapi.com/verb/earned"
    RESPONDED = "http://adlnet.gov/expapi/verbs/responded"


class ActivityType(StrEnum):
    """Activity types with a fixed, public IRI (ADL vocabulary)."""

    MODULE = "http://adlnet.gov/expapi/activities/module"  # a unit
    LESSON = "http://adlnet.gov/expapi/activities/lesson"  # a study section of a unit
    ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
    INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"  # an item
    OBJECTIVE = "http://adlnet.gov/expapi/activities/objective"  # a learning outcome
    PROFILE = "http://adlnet.gov/expapi/activities/profile"  # xAPI Profiles: the profile in `category`


class ToolVerb(StrEnum):
    """Verbs defined by this profile; the value is the path under `<base>/xapi/verbs/`."""

    # Revocation is a new fact, not a retraction: voiding `earned` would erase that the credential
    # was issued, and an issuer reading the LRS would then see nothing to explain the status-list bit.
    REVOKED = "revoked"
    # Pilot bookkeeping (lti_tool.pilots), stated by the tool itself so the LRS alone can group the figures.
    DESCRIBED = "described"  # the tool states a pilot's country, sector, partner, dates and target
    INCLUDED = "included"  # an LMS course (LTI context) takes part in the pilot
    COUNTED = "counted"  # the learners enrolled in a pilot course (NRPS roster ∪ launches), a number only


class ToolActivityType(StrEnum):
    """Activity types defined by this profile; the value is the path under `<base>/xapi/activity-types/`."""

    MICRO_CREDENTIAL = "micro-credential"
    ESCO_SKILL = "esco-skill"
    EQF_LEVEL = "eqf-level"
    PILOT = "pilot"
    QUESTIONNAIRE = "questionnaire"


class Extension(StrEnum):
    """Context extensions defined by this profile; the value is the path under `<base>/xapi/extensions/`."""

    LTI_PLATFORM = "lti-platform"  # the platform issuer (LTI `iss`)
    LTI_DEPLOYMENT = "lti-deployment"  # LTI deployment_id
    LTI_CLIENT = "lti-client-id"  # the tool's LTI client_id at that platform (one registration of several)
    LTI_CONTEXT = "lti-context"  # LTI context (course) id
    UNIT_VERSION = "unit-version"
    ESCO_SKILLS = "esco-skills"  # list of ESCO skill URIs
    EQF_LEVEL = "eqf-level"  # integer 1..8
    CREDENTIAL_ID = "credential-id"  # the credential's UUID (its page is <base>/credentials/<uuid>)
    PILOT_COUNTRY = "pilot-country"  # ISO 3166-1 alpha-2
    PILOT_SECTOR = "pilot-sector"
    PILOT_PARTNER = "pilot-partner"
    PILOT_STARTS = "pilot-starts"  # ISO 8601 date
    PILOT_ENDS = "pilot-ends"  # ISO 8601 date
    PILOT_TARGET = "pilot-target"  # target number of learners
    ENROLLED = "enrolled"  # number of learners enrolled in the course


class ResultExtension(StrEnum):
    """Result extensions of the learners' questionnaire; the value is the path under `<base>/xapi/extensions/`."""

    RELEVANCE = "relevance"  # 1..5: relevance of the unit to the learner's work
    WORKLOAD_HOURS = "workload-hours"  # hours the unit took, as the learner felt it
    CLARITY = "clarity"  # 1..5
    RECOMMEND = "recommend"  # boolean


_LABELS: dict[str, tuple[str, str]] = {
    ToolVerb.REVOKED: ("revoked", "The issuer revoked the credential the object identifies."),
    ToolActivityType.MICRO_CREDENTIAL: (
        "micro-credential",
        "An Open Badges 3.0 micro-credential with the EU Annex I elements, issued by the MASTERY Tool.",
    ),
    ToolActivityType.ESCO_SKILL: ("ESCO skill", "A skill or competence of the ESCO classification."),
    ToolActivityType.EQF_LEVEL: ("EQF level", "A level of the European Qualifications Framework."),
    Extension.LTI_PLATFORM: ("LTI platform", "The LTI 1.3 platform issuer (iss) the learner launched from."),
    Extension.LTI_DEPLOYMENT: ("LTI deployment", "The LTI 1.3 deployment_id of the launch."),
    Extension.LTI_CLIENT: ("LTI client id", "The LTI 1.3 client_id of the tool's registration at the platform."),
    Extension.LTI_CONTEXT: ("LTI context", "The LTI 1.3 context (course) id of the launch."),
    Extension.UNIT_VERSION: ("unit version", "The version of the MASTERY unit the statement is about."),
    Extension.ESCO_SKILLS: ("ESCO skills", "The ESCO skill URIs the unit or outcome covers (array)."),
    Extension.EQF_LEVEL: ("EQF level", "The EQF level of the unit (integer 1-8)."),
    Extension.CREDENTIAL_ID: ("credential", "The id (UUID) of the credential the statement is about."),
    ToolVerb.DESCRIBED: ("described", "The tool states the facts of a pilot (country, sector, dates, target)."),
    ToolVerb.INCLUDED: ("included", "The LMS course in the context extensions takes part in the pilot."),
    ToolVerb.COUNTED: ("counted", "The number of learners enrolled in the LMS course, from its roster."),
    ToolActivityType.PILOT: ("pilot", "A MASTERY pilot: LMS courses in one country and sector, with a target."),
    ToolActivityType.QUESTIONNAIRE: ("questionnaire", "The learners' short questionnaire after a unit."),
    Extension.PILOT_COUNTRY: ("pilot country", "The pilot's country (ISO 3166-1 alpha-2)."),
    Extension.PILOT_SECTOR: ("pilot sector", "The pilot's sector (wood, agrofood, building, manufacturing)."),
    Extension.PILOT_PARTNER: ("pilot partner", "The partner organisation running the pilot."),
    Extension.PILOT_STARTS: ("pilot start", "The first day of the pilot (ISO 8601 date)."),
    Extension.PILOT_ENDS: ("pilot end", "The last day of the pilot (ISO 8601 date)."),
    Extension.PILOT_TARGET: ("pilot target", "The number of learners the pilot aims to reach."),
    Extension.ENROLLED: ("enrolled", "The number of learners enrolled in the course (a count, no identities)."),
    ResultExtension.RELEVANCE: ("relevance", "How relevant the unit is to the learner's work, 1 (not) to 5 (very)."),
    ResultExtension.WORKLOAD_HOURS: ("workload felt", "The hours the unit took, as the learner felt it."),
    ResultExtension.CLARITY: ("clarity", "How clear the unit was, 1 (not) to 5 (very)."),
    ResultExtension.RECOMMEND: ("would recommend", "Whether the learner would recommend the unit."),
}


_EXTENSION_SCHEMAS: dict[str, dict[str, Any]] = {
    Extension.ESCO_SKILLS: {"type": "array", "items": {"type": "string", "format": "iri"}},
    Extension.EQF_LEVEL: {"type": "integer", "minimum": 1, "maximum": 8},
    Extension.CREDENTIAL_ID: {"type": "string", "format": "uuid"},
    Extension.PILOT_TARGET: {"type": "integer", "minimum": 0},
    Extension.ENROLLED: {"type": "integer", "minimum": 0},
    Extension.PILOT_STARTS: {"type": "string", "format": "date"},
    Extension.PILOT_ENDS: {"type": "string", "format": "date"},
    ResultExtension.RELEVANCE: {"type": "integer", "minimum": 1, "maximum": 5},
    ResultExtension.WORKLOAD_HOURS: {"type": "number", "minimum": 0, "maximum": 200},
    ResultExtension.CLARITY: {"type": "integer", "minimum": 1, "maximum": 5},
    ResultExtension.RECOMMEND: {"type": "boolean"},
}


@dataclass(frozen=True, slots=True)
class Profile:
    """The profile's IRIs for one tool base URL (e.g. `http://127.0.0.1:5000`)."""

    base_url: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    @property
    def id(self) -> str:
        """The profile IRI (stable across versions)."""
        return f"{self.base_url}/xapi/profile"

    @property
    def version_id(self) -> str:
        """The IRI of this profile version (goes into context.contextActivities.category)."""
        return f"{self.id}/v{PROFILE_VERSION}"

    def verb(self, verb: Verb | ToolVerb) -> str:
        """Verb IRI."""
        return f"{self.base_url}/xapi/verbs/{verb.value}" if isinstance(verb, ToolVerb) else verb.value

    def activity_type(self, kind: ActivityType | ToolActivityType) -> str:
        """Activity type IRI."""
        if isinstance(kind, ToolActivityType):
            return f"{self.base_url}/xapi/activity-types/{kind.value}"
        return kind.value

    def extension(self, ext: Extension | ResultExtension) -> str:
        """Context extension IRI."""
        return f"{self.base_url}/xapi/extensions/{ext.value}"


# Statement templates: (name, verb, object type, parent type, grouping type, extra rules).
_A, _T = ActivityType, ToolActivityType
_TEMPLATES: tuple[tuple[str, Verb | ToolVerb, ActivityType | ToolActivityType | None, ActivityType | None,
                         ActivityType | None, tuple[str, ...]], ...] = (
    ("unit launched", Verb.LAUNCHED, _A.MODULE, None, None, ()),
    ("section experienced", Verb.EXPERIENCED, _A.LESSON, _A.MODULE, None, ()),
    ("assessment initialized", Verb.INITIALIZED, _A.ASSESSMENT, _A.MODULE, None, ("$.context.registration",)),
    (
        "item answered",
        Verb.ANSWERED,
        _A.INTERACTION,
        _A.ASSESSMENT,
        _A.MODULE,
        ("$.context.registration", "$.result.completion", "$.object.definition.interactionType"),
    ),
    (
        "assessment completed",
        Verb.COMPLETED,
        _A.ASSESSMENT,
        _A.MODULE,
        None,
        ("$.context.registration", "$.result.score.scaled", "$.result.completion"),
    ),
    (
        "assessment passed",
        Verb.PASSED,
        _A.ASSESSMENT,
        _A.MODULE,
        None,
        ("$.context.registration", "$.result.score.scaled", "$.result.success"),
    ),
    (
        "assessment failed",
        Verb.FAILED,
        _A.ASSESSMENT,
        _A.MODULE,
        None,
        ("$.context.registration", "$.result.score.scaled", "$.result.success"),
    ),
    (
        "outcome mastered",
        Verb.MASTERED,
        _A.OBJECTIVE,
        _A.MODULE,
        None,
        ("$.context.registration", "$.result.score.scaled", "$.result.success"),
    ),
    (
        "unit mastered",
        Verb.MASTERED,
        _A.MODULE,
        None,
        None,
        ("$.context.registration", "$.result.score.scaled", "$.result.success"),
    ),
    ("credential earned", Verb.EARNED, _T.MICRO_CREDENTIAL, None, _A.MODULE, ("@credential",)),
    ("credential revoked", ToolVerb.REVOKED, _T.MICRO_CREDENTIAL, None, _A.MODULE, ("@credential",)),
    ("statement voided", Verb.VOIDED, None, None, None, ()),
    ("questionnaire answered", Verb.RESPONDED, _T.QUESTIONNAIRE, _A.MODULE, None, ()),
    ("pilot described", ToolVerb.DESCRIBED, _T.PILOT, None, None, ()),
    ("pilot course included", ToolVerb.INCLUDED, _T.PILOT, None, None, ()),
    ("pilot course counted", ToolVerb.COUNTED, _T.PILOT, None, None, ()),
)


def _rule(location: str) -> dict[str, Any]:
    return {"location": location, "presence": "included"}


def statement_templates(profile: Profile) -> list[dict[str, Any]]:
    """The profile's Statement Templates, one per statement the builders make."""
    templates = []
    for name, verb, obj, parent, grouping, extra in _TEMPLATES:
        rules = [
            _rule("$.id"),
            _rule("$.timestamp"),
            _rule("$.actor.account.homePage"),
            _rule("$.actor.account.name"),
            # Pseudonymous by design: no name or e-mail of the learner ever leaves the tool.
            {"location": "$.actor.mbox", "presence": "excluded"},
            {"location": "$.actor.name", "presence": "excluded"},
        ]
        for location in extra:
            if location == "@credential":
                location = f"$.context.extensions['{profile.extension(Extension.CREDENTIAL_ID)}']"
            rules.append(_rule(location))
        template: dict[str, Any] = {
            "id": f"{profile.id}/templates/{name.replace(' ', '-')}",
            "type": "StatementTemplate",
            "inScheme": profile.version_id,
            "prefLabel": {"en": name},
            "definition": {"en": f"The statement the tool sends when: {name}."},
            "verb": profile.verb(verb),
        }
        if obj is None:  # a voiding statement targets another statement
            rules.append({"location": "$.object.objectType", "presence": "included", "all": ["StatementRef"]})
        else:
            template["objectActivityType"] = profile.activity_type(obj)
            rules.append(_rule(f"$.context.extensions['{profile.extension(Extension.LTI_PLATFORM)}']"))
            rules.append({"location": "$.context.contextActivities.category[*].id", "any": [profile.version_id]})
        if parent is not None:
            template["contextParentActivityType"] = [profile.activity_type(parent)]
        if grouping is not None:
            template["contextGroupingActivityType"] = [profile.activity_type(grouping)]
        template["rules"] = rules
        templates.append(template)
    return templates


def _concept(profile: Profile, concept_type: str, iri: str, key: str) -> dict[str, Any]:
    label, definition = _LABELS[key]
    concept: dict[str, Any] = {
        "id": iri,
        "type": concept_type,
        "inScheme": profile.version_id,
        "prefLabel": {"en": label},
        "definition": {"en": definition},
    }
    if concept_type in {"ContextExtension", "ResultExtension"}:
        concept["recommendedVerbs"] = [v.value for v in Verb if v is not Verb.VOIDED]
        # xAPI Profiles: `inlineSchema` is a JSON Schema written as a string.
        concept["inlineSchema"] = json.dumps(_EXTENSION_SCHEMAS.get(key, {"type": "string"}))
    return concept


def profile_document(base_url: str) -> dict[str, Any]:
    """The xAPI Profile (JSON-LD) of this tool at `base_url`, version PROFILE_VERSION."""
    profile = Profile(base_url)
    concepts = (
        [_concept(profile, "Verb", profile.verb(v), v) for v in ToolVerb]
        + [_concept(profile, "ActivityType", profile.activity_type(t), t) for t in ToolActivityType]
        + [_concept(profile, "ContextExtension", profile.extension(e), e) for e in Extension]
        + [_concept(profile, "ResultExtension", profile.extension(e), e) for e in ResultExtension]
    )
    return {
        "@context": PROFILE_CONTEXT,
        "id": profile.id,
        "type": "Profile",
        "conformsTo": PROFILES_SPEC,
        "prefLabel": {"en": "MASTERY Tool xAPI profile"},
        "definition": {
            "en": "Statements the MASTERY Tool (LTI 1.3) sends about units, assessments, learning outcomes "
            "and green-skills micro-credentials, enough for a separate issuer to decide on credentials."
        },
        "author": {"type": "Organization", "name": "MASTERY Tool"},
        "versions": [{"id": profile.version_id, "generatedAtTime": PROFILE_VERSION_DATE}],
        "concepts": concepts,
        "templates": statement_templates(profile),
    }
