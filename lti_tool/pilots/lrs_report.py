"""The pilot figures from an LRS alone: xAPI statements + the published profile + the unit files (pure).

What a chamber, a ministry or a researcher with read access to the LRS can compute without the tool's
database. Only statements of one tool deployment count: those in the category of its published profile
(plus the voiding statements, which xAPI 1.0.3 §2.3.2 says remove their target from every count).
The facts go through the same `figures.compute` as the dashboard's, so both agree when their facts agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from lti_tool.pilots import figures as fg
from lti_tool.pilots.statements import TOOL_ACCOUNT
from lti_tool.xapi.profile import ActivityType, Extension, Profile, ResultExtension, ToolActivityType, ToolVerb, Verb

Statement = Mapping[str, Any]


class ReportError(ValueError):
    """The profile or the statements cannot give the figures (said in one sentence)."""


def profile_from_document(document: Mapping[str, Any]) -> Profile:
    """The tool's IRIs from its published xAPI profile; refuses a profile without the pilot terms."""
    profile_id = str(document.get("id", ""))
    if not profile_id.endswith("/xapi/profile"):
        raise ReportError(f"not a MASTERY xAPI profile (id {profile_id!r})")
    profile = Profile(profile_id.removesuffix("/xapi/profile"))
    declared = {str(concept.get("id")) for concept in document.get("concepts", ())}
    needed = {profile.verb(v) for v in (ToolVerb.DESCRIBED, ToolVerb.INCLUDED, ToolVerb.COUNTED)}
    needed |= {profile.activity_type(ToolActivityType.PILOT), profile.activity_type(ToolActivityType.QUESTIONNAIRE)}
    needed |= {profile.extension(e) for e in (Extension.PILOT_COUNTRY, Extension.ENROLLED, Extension.LTI_CONTEXT)}
    needed |= {profile.extension(e) for e in ResultExtension}
    missing = sorted(needed - declared)
    if missing:
        raise ReportError(f"the profile {profile_id} does not declare {missing[0]} (a version before 1.1.0?)")
    return profile


def _voided(statements: Iterable[Statement]) -> set[str]:
    return {str(s["object"]["id"]) for s in statements if s.get("verb", {}).get("id") == Verb.VOIDED.value
            and s.get("object", {}).get("objectType") == "StatementRef"}


def _ours(statement: Statement, profile: Profile) -> bool:
    category = statement.get("context", {}).get("contextActivities", {}).get("category", ())
    return any(str(a.get("id", "")) == profile.version_id or str(a.get("id", "")).startswith(profile.id + "/v")
               for a in category)


def _ts(statement: Statement) -> dt.datetime:
    return dt.datetime.fromisoformat(str(statement["timestamp"]).replace("Z", "+00:00")).astimezone(dt.UTC)


def _segment(iri: str, prefix: str) -> str | None:
    if not iri.startswith(prefix):
        return None
    return unquote(iri[len(prefix):].split("/", 1)[0])


@dataclass
class _Attempt:
    course: fg.CourseKey
    learner: fg.Learner
    unit: str
    started_at: dt.datetime
    submitted_at: dt.datetime | None = None
    mastered: bool = False
    met: set[str] = field(default_factory=set)


def facts_from_statements(statements: Iterable[Statement], profile: Profile,
                          units: Mapping[str, fg.UnitInfo]) -> fg.Facts:
    """The pilot facts the statements of this tool deployment hold (voided ones left out)."""
    everything = list(statements)
    voided = _voided(everything)
    kept = sorted((s for s in everything if str(s.get("id")) not in voided and _ours(s, profile)),
                  key=lambda s: (_ts(s), str(s["id"])))
    ext = {e: profile.extension(e) for e in Extension}
    units_prefix = profile.base_url + "/units/"
    pilots_prefix = profile.base_url + "/pilots/"
    facts = fg.Facts(units=dict(units))
    attempts: dict[str, _Attempt] = {}
    credentials: dict[str, fg.CredentialFact] = {}
    revoked: set[str] = set()
    for s in kept:
        verb = s["verb"]["id"]
        obj = s.get("object", {})
        iri = str(obj.get("id", ""))
        kind = obj.get("definition", {}).get("type")
        context_ext = s.get("context", {}).get("extensions", {})
        course = (str(context_ext.get(ext[Extension.LTI_PLATFORM], "")),
                  str(context_ext.get(ext[Extension.LTI_DEPLOYMENT], "")),
                  str(context_ext.get(ext[Extension.LTI_CONTEXT], "")))
        account = s.get("actor", {}).get("account", {})
        if account.get("homePage") == profile.base_url and account.get("name") == TOOL_ACCOUNT:
            code = _segment(iri, pilots_prefix)
            if code is None:
                continue
            if verb == profile.verb(ToolVerb.DESCRIBED):  # the newest description of a pilot wins
                names = obj.get("definition", {}).get("name", {})
                facts.pilots[code] = fg.PilotInfo(
                    code=code, name=str(names.get("en") or next(iter(names.values()), code)),
                    country=str(context_ext[ext[Extension.PILOT_COUNTRY]]),
                    sector=str(context_ext[ext[Extension.PILOT_SECTOR]]),
                    partner=str(context_ext[ext[Extension.PILOT_PARTNER]]),
                    starts_on=dt.date.fromisoformat(context_ext[ext[Extension.PILOT_STARTS]]),
                    ends_on=dt.date.fromisoformat(context_ext[ext[Extension.PILOT_ENDS]]),
                    target_learners=int(context_ext[ext[Extension.PILOT_TARGET]]))
            elif verb == profile.verb(ToolVerb.INCLUDED):
                facts.courses[course] = code
            elif verb == profile.verb(ToolVerb.COUNTED):
                facts.enrolled[course] = int(context_ext[ext[Extension.ENROLLED]])
            continue
        learner = f"{account.get('homePage', '')}\x1f{account.get('name', '')}"
        slug = _segment(iri, units_prefix)
        registration = str(s.get("context", {}).get("registration", ""))
        if verb == Verb.LAUNCHED.value and slug and kind == ActivityType.MODULE.value:
            facts.launches.add((course, learner, slug))
        elif verb == Verb.INITIALIZED.value and slug and registration:
            attempts[registration] = _Attempt(course, learner, slug, _ts(s))
        elif verb == Verb.COMPLETED.value and registration in attempts:
            attempts[registration].submitted_at = _ts(s)
        elif verb == Verb.MASTERED.value and registration in attempts:
            if kind == ActivityType.MODULE.value:
                attempts[registration].mastered = True
            elif kind == ActivityType.OBJECTIVE.value and "/outcomes/" in iri:
                attempts[registration].met.add(unquote(iri.rsplit("/outcomes/", 1)[1]))
        elif verb == Verb.EARNED.value and kind == profile.activity_type(ToolActivityType.MICRO_CREDENTIAL):
            unit_iri = next((a["id"] for a in s["context"]["contextActivities"].get("grouping", ())), "")
            credential_id = str(context_ext.get(ext[Extension.CREDENTIAL_ID], iri.rsplit("/", 1)[-1]))
            credentials[credential_id] = fg.CredentialFact(course, learner, _segment(unit_iri, units_prefix) or "",
                                                           credential_id, False)
        elif verb == profile.verb(ToolVerb.REVOKED):
            revoked.add(str(context_ext.get(ext[Extension.CREDENTIAL_ID], iri.rsplit("/", 1)[-1])))
        elif verb == Verb.RESPONDED.value and kind == profile.activity_type(ToolActivityType.QUESTIONNAIRE) and slug:
            result = s.get("result", {})
            answers = result.get("extensions", {})
            facts.answers.append(fg.AnswerFact(
                course, learner, slug, relevance=int(answers[profile.extension(ResultExtension.RELEVANCE)]),
                workload_hours=float(answers[profile.extension(ResultExtension.WORKLOAD_HOURS)]),
                clarity=int(answers[profile.extension(ResultExtension.CLARITY)]),
                recommend=bool(answers[profile.extension(ResultExtension.RECOMMEND)]),
                comment=str(result.get("response", ""))))
    facts.attempts = [fg.AttemptFact(a.course, a.learner, a.unit, registration, a.started_at, a.submitted_at,
                                     a.mastered, frozenset(a.met)) for registration, a in attempts.items()]
    facts.credentials = [fg.CredentialFact(c.course, c.learner, c.unit, c.credential_id, c.credential_id in revoked)
                         for c in credentials.values()]
    return facts
