"""The dashboard's queries: placed units of a course, their learners (LMS roster ∪ our own data), progress.

Views call these with ``db.session``; nothing here commits. Every query is scoped to one context (course),
and users are matched to roster members by (platform issuer, LTI ``sub``), never by name or e-mail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.assessment.grading import placement_policy
from lti_tool.assessment.models import Attempt
from lti_tool.catalogue.models import Unit
from lti_tool.catalogue.services import current_unit
from lti_tool.catalogue.unit_texts import localized
from lti_tool.credentials.models import Credential
from lti_tool.dashboard.progress import Progress, progress
from lti_tool.dashboard.roster_state import RosterState
from lti_tool.errors import N_, NotFound
from lti_tool.launch.claims import Role
from lti_tool.launch.models import Context, LaunchSession, ResourceLink, User
from lti_tool.lms.grade_sync import latest_syncs
from lti_tool.lms.models import GradeSync, SyncState
from lti_tool.lms.nrps import Member

_CHUNK = 500  # bound parameters per IN (...) query


@dataclass(frozen=True)
class Outcome:
    """A column of the mastery matrix."""

    id: str
    title: str


@dataclass(frozen=True)
class Learner:
    """A learner of the course: from the LMS roster, from our own records, or both."""

    user_id: str  # the LTI sub
    name: str
    user_pk: int | None  # None: on the roster but never launched the tool
    in_roster: bool
    roster_status: str | None = None  # NRPS status (Active/Inactive) when on the roster
    name_source: str = ""  # "learner" (given in the tool) or "teacher" (corrected); "" when from the LMS


@dataclass(frozen=True)
class LearnerRow:
    """One line of a placement's table."""

    learner: Learner
    progress: Progress
    grade: GradeSync | None
    credential: Credential | None


@dataclass(frozen=True)
class PlacementSummary:
    """The counts of one placed unit on the course dashboard."""

    link: ResourceLink
    unit_title: str
    learners: int
    started: int
    submitted: int
    mastered: int
    pending_review: int
    grade_failures: int
    credentials: int


def course(db: so.Session, context_pk: int) -> Context:
    """The course, or NotFound."""
    found = db.get(Context, context_pk)
    if found is None:
        raise NotFound(N_("There is no such course."))
    return found


def unit_slugs(db: so.Session) -> set[str]:
    """The slugs of every unit in the catalogue (any version)."""
    return set(db.scalars(sa.select(Unit.slug).distinct()))


def placed_units(db: so.Session, context_pk: int) -> list[ResourceLink]:
    """The course's resource links that place a unit."""
    return list(db.scalars(sa.select(ResourceLink).where(
        ResourceLink.context_pk == context_pk, ResourceLink.unit_slug.is_not(None)).order_by(ResourceLink.id)))


def placement(db: so.Session, context_pk: int, resource_link_pk: int) -> ResourceLink:
    """A placed unit of this course; a link of another course is simply not found here."""
    link = db.get(ResourceLink, resource_link_pk)
    if link is None or link.context_pk != context_pk or not link.unit_slug:
        raise NotFound(N_("This course has no such placed unit."))
    return link


def pin_placement_unit(db: so.Session, link: ResourceLink) -> Unit | None:
    """The unit version the placement uses (read only: the dashboard never pins a version)."""
    if link.unit_pk is not None:
        pinned = db.get(Unit, link.unit_pk)
        if pinned is not None and pinned.slug == link.unit_slug:
            return pinned
    return current_unit(db, link.unit_slug) if link.unit_slug else None


def outcome_columns(unit: Unit | None, attempts: Iterable[Attempt], lang: str) -> list[Outcome]:
    """The unit's outcomes in order, then any other outcome ids found in results (attempts of older versions)."""
    columns = [Outcome(o.id, localized(o.title, lang)) for o in (unit.doc.outcomes if unit else ())]
    known = {c.id for c in columns}
    for attempt in attempts:
        for entry in (attempt.result or {}).get("outcomes") or ():
            oid = str(entry.get("id")) if isinstance(entry, dict) else ""
            if oid and oid not in known:
                known.add(oid)
                columns.append(Outcome(oid, oid))
    return columns


def attempts_by_user(db: so.Session, context_pk: int, link_pks: Sequence[int]) -> dict[int, dict[int, list[Attempt]]]:
    """resource_link_pk → user_pk → attempts (reset ones included: progress leaves them out)."""
    found: dict[int, dict[int, list[Attempt]]] = defaultdict(lambda: defaultdict(list))
    if link_pks:
        rows = db.scalars(sa.select(Attempt).where(  # context_pk first: it is indexed
            Attempt.context_pk == context_pk, Attempt.resource_link_pk.in_(list(link_pks))).order_by(Attempt.number))
        for attempt in rows:
            found[attempt.resource_link_pk][attempt.user_pk].append(attempt)
    return found


def _learner_launches(db: so.Session, context_pk: int) -> set[int]:
    """The users who opened something of this course with a learner role."""
    query = sa.select(LaunchSession.user_pk, LaunchSession.roles).where(LaunchSession.context_pk == context_pk)
    return {user_pk for user_pk, roles in db.execute(query) if Role.LEARNER.value in (roles or ())}


def _users(db: so.Session, pks: Iterable[int]) -> dict[int, User]:
    wanted, found = sorted(set(pks)), {}
    for start in range(0, len(wanted), _CHUNK):
        for user in db.scalars(sa.select(User).where(User.id.in_(wanted[start:start + _CHUNK]))):
            found[user.id] = user
    return found


def _users_by_sub(db: so.Session, issuer: str, subs: Sequence[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for start in range(0, len(subs), _CHUNK):
        query = sa.select(User).where(User.issuer == issuer, User.sub.in_(list(subs[start:start + _CHUNK])))
        for user in db.scalars(query):
            found[user.sub] = user
    return found


def _member_name(member: Member) -> str:
    return member.name or " ".join(p for p in (member.given_name, member.family_name) if p)


def learners(db: so.Session, context: Context, roster: RosterState, attempt_users: Iterable[int]) -> list[Learner]:
    """The roster's learners plus anyone our records show as a learner here (launched or attempted), by name."""
    issuer = context.deployment.platform.issuer
    members = list(roster.learners or ())
    by_sub = _users_by_sub(db, issuer, [m.user_id for m in members])
    found: dict[str, Learner] = {}
    for member in members:
        user = by_sub.get(member.user_id)
        given = user.credential_name if user else ""
        name = given or _member_name(member) or (user.name if user else "") or member.user_id
        found[member.user_id] = Learner(member.user_id, name, user.id if user else None, True, member.status.value,
                                        user.credential_name_source if user and given else "")
    # Someone who only ever opened the course as staff is no learner, unless they made attempts.
    ours = _learner_launches(db, context.id) | set(attempt_users)
    for user in _users(db, ours).values():
        if user.issuer == issuer and user.sub not in found:
            found[user.sub] = Learner(user.sub, user.printed_name or user.sub, user.id, False,
                                      name_source=user.credential_name_source if user.credential_name else "")
    return sorted(found.values(), key=lambda item: (item.name.casefold(), item.user_id))


def credentials_by_user(db: so.Session, context_pk: int, unit_slug: str) -> dict[int, Credential]:
    """user_pk → the newest live credential for this unit (any version) earned in this course."""
    rows = db.scalars(sa.select(Credential).join(Unit, Credential.unit_pk == Unit.id).where(
        Credential.context_pk == context_pk, Unit.slug == unit_slug, Credential.superseded_at.is_(None),
    ).order_by(Credential.issued_at))
    return {row.user_pk: row for row in rows}


def placement_rows(db: so.Session, context: Context, link: ResourceLink, outcome_ids: Sequence[str],
                   attempts: dict[int, list[Attempt]], people: Sequence[Learner]) -> list[LearnerRow]:
    """One row per learner of the course for this placed unit."""
    syncs = latest_syncs(db, link.id)
    credentials = credentials_by_user(db, context.id, link.unit_slug or "")
    policy = placement_policy(link)
    rows = []
    for person in people:
        pk = person.user_pk
        mine = attempts.get(pk, []) if pk is not None else []
        # A credential shows on the activity where it was earned, not on every placement of the same unit.
        earned_here = any(a.mastered and not a.pending_review for a in mine)
        rows.append(LearnerRow(
            person, progress(mine, outcome_ids, policy),
            syncs.get(pk) if pk is not None else None, credentials.get(pk) if pk is not None and earned_here else None,
        ))
    return rows


def summary(link: ResourceLink, unit_title: str, rows: Sequence[LearnerRow]) -> PlacementSummary:
    """The counts of one placement (a learner counts once per column)."""
    return PlacementSummary(
        link=link, unit_title=unit_title, learners=len(rows),
        started=sum(r.progress.started for r in rows), submitted=sum(r.progress.submitted for r in rows),
        mastered=sum(r.progress.mastered for r in rows), pending_review=sum(r.progress.pending_review for r in rows),
        grade_failures=sum(r.grade is not None and r.grade.state == SyncState.FAILED for r in rows),
        credentials=sum(r.credential is not None and r.credential.revoked_at is None for r in rows),
    )
