"""The pilot facts read from the tool's database (the dashboard's source)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.assessment.models import Attempt, AttemptState
from lti_tool.catalogue.models import Unit
from lti_tool.catalogue.unit_doc import UnitDoc
from lti_tool.catalogue.unit_texts import localized
from lti_tool.credentials.models import Credential
from lti_tool.launch.models import Context, Deployment, Platform, User
from lti_tool.lms.models import RosterCache
from lti_tool.pilots import figures as fg
from lti_tool.pilots.models import LearnerLaunch, Pilot, PilotCourse, QuestionnaireAnswer


def unit_info(doc: UnitDoc, lang: str) -> fg.UnitInfo:
    """A unit (a stored version, or a unit file parsed) as figure input."""
    return fg.UnitInfo(
        slug=doc.slug, title=localized(doc.title, lang), sector=doc.sector, workload_hours=doc.workload_hours,
        esco=doc.esco, outcomes=tuple((o.id, localized(o.title, lang)) for o in doc.outcomes),
    )


def learner_key(issuer: str, sub: str) -> fg.Learner:
    """The pseudonymous learner key, the same one the statements' actor gives."""
    return f"{issuer}\x1f{sub}"


def pilot_info(pilot: Pilot) -> fg.PilotInfo:
    return fg.PilotInfo(code=pilot.code, name=pilot.name, country=pilot.country, sector=pilot.sector,
                        partner=pilot.partner, starts_on=pilot.starts_on, ends_on=pilot.ends_on,
                        target_learners=pilot.target_learners)


def _roster_learners(members: list[Any]) -> set[str]:
    """LTI user ids of the active learners in a cached NRPS membership list (NRPS 2.0 §2.4)."""
    found = set()
    for member in members or ():
        if not isinstance(member, Mapping):
            continue
        roles = [str(r) for r in member.get("roles") or ()]
        status = str(member.get("status") or "Active")
        if status == "Active" and any(r.endswith("#Learner") or r == "Learner" for r in roles):
            found.add(str(member.get("user_id")))
    return found


def load(db: so.Session, lang: str, pilot_pks: set[int] | None = None) -> fg.Facts:
    """Every fact of the given pilots (all pilots when None)."""
    facts = fg.Facts()
    query = sa.select(Pilot)
    if pilot_pks is not None:
        query = query.where(Pilot.id.in_(pilot_pks or {-1}))
    chosen = {pilot.id: pilot for pilot in db.scalars(query)}
    for pilot in chosen.values():
        facts.pilots[pilot.code] = pilot_info(pilot)
    rows = db.execute(
        sa.select(PilotCourse.context_pk, Pilot.code, Platform.issuer, Deployment.deployment_id, Context.context_id)
        .join(Pilot, Pilot.id == PilotCourse.pilot_pk).join(Context, Context.id == PilotCourse.context_pk)
        .join(Deployment, Deployment.id == Context.deployment_pk).join(Platform, Platform.id == Deployment.platform_id)
        .where(PilotCourse.pilot_pk.in_(chosen or {-1})))
    course_of: dict[int, fg.CourseKey] = {}
    for context_pk, code, issuer, deployment_id, context_id in rows:
        course_of[context_pk] = (issuer, deployment_id, context_id)
        facts.courses[course_of[context_pk]] = code
    contexts = list(course_of)
    users = {u.id: u for u in db.scalars(sa.select(User).where(User.id.in_(
        sa.select(LearnerLaunch.user_pk).where(LearnerLaunch.context_pk.in_(contexts)).union(
            sa.select(Attempt.user_pk).where(Attempt.context_pk.in_(contexts))))))}

    def key(user_pk: int) -> fg.Learner:
        user = users[user_pk]
        return learner_key(user.issuer, user.sub)

    launched_subs: dict[int, set[str]] = {pk: set() for pk in contexts}
    for launch in db.scalars(sa.select(LearnerLaunch).where(LearnerLaunch.context_pk.in_(contexts))):
        facts.launches.add((course_of[launch.context_pk], key(launch.user_pk), launch.unit_slug))
        launched_subs[launch.context_pk].add(users[launch.user_pk].sub)
    rosters = {r.context_pk: r for r in db.scalars(sa.select(RosterCache).where(RosterCache.context_pk.in_(contexts)))}
    for context_pk in contexts:
        roster = rosters.get(context_pk)
        members = _roster_learners(roster.members) if roster is not None else set()
        facts.enrolled[course_of[context_pk]] = len(members | launched_subs[context_pk])
    units = {u.id: u for u in db.scalars(sa.select(Unit))}
    kept = sa.select(Attempt).where(Attempt.context_pk.in_(contexts), Attempt.state != AttemptState.RESET)
    for attempt in db.scalars(kept):
        result = attempt.result or {}
        met = frozenset(str(o["id"]) for o in result.get("outcomes", ()) if o.get("met"))
        facts.attempts.append(fg.AttemptFact(
            course=course_of[attempt.context_pk], learner=key(attempt.user_pk), unit=units[attempt.unit_pk].slug,
            registration=attempt.id, started_at=attempt.started_at,
            submitted_at=attempt.submitted_at if attempt.state == AttemptState.SUBMITTED else None,
            mastered=attempt.mastered, outcomes_met=met))
    for credential in db.scalars(sa.select(Credential).where(Credential.context_pk.in_(contexts))):
        if credential.context_pk is None:  # never: the IN above leaves out credentials without a course
            continue
        facts.credentials.append(fg.CredentialFact(
            course=course_of[credential.context_pk], learner=learner_key(credential.user.issuer, credential.user.sub),
            unit=units[credential.unit_pk].slug, credential_id=credential.id,
            revoked=credential.revoked_at is not None))
    for answer in db.scalars(sa.select(QuestionnaireAnswer).where(QuestionnaireAnswer.context_pk.in_(contexts))):
        a = answer.answers
        facts.answers.append(fg.AnswerFact(
            course=course_of[answer.context_pk], learner=learner_key(answer.user.issuer, answer.user.sub),
            unit=answer.unit_slug, relevance=int(a["relevance"]), workload_hours=float(a["workload_hours"]),
            clarity=int(a["clarity"]), recommend=bool(a["recommend"]), comment=str(a.get("comment", ""))))
    for unit in units.values():
        if unit.is_current:
            facts.units[unit.slug] = unit_info(unit.doc, lang)
    return facts
