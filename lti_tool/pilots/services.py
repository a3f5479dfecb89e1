"""Pilots: create, list, attach courses (at a launch with pilot=<code>, or afterwards), record learner launches."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from lti_tool.db import note_write, queue_insert, table_of, utcnow
from lti_tool.errors import Conflict, NotFound, ValidationFailed
from lti_tool.events import Launched
from lti_tool.launch.models import Context, Deployment, LaunchSession, Platform
from lti_tool.pilots import figures as fg
from lti_tool.pilots import statements as pst
from lti_tool.pilots.models import LearnerLaunch, Pilot, PilotCodeRequest, PilotCourse
from lti_tool.xapi.outbox import record_statements
from lti_tool.xapi.profile import Profile

SECTORS = ("wood", "agrofood", "building", "manufacturing")
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
PILOT_PARAM = "pilot"  # the LTI custom parameter a teacher sets: pilot=<code>


@dataclass(frozen=True)
class PilotInput:
    """What a pilot is made of, as typed by a coordinator (strings, checked by `check_input`)."""

    code: str
    name: str
    country: str
    sector: str
    partner: str
    starts_on: str
    ends_on: str
    target_learners: str
    platform_pk: int | None = None


def normalise_code(value: str) -> str:
    """Pilot codes are compared without case and surrounding spaces."""
    return value.strip().lower()


def check_input(data: PilotInput) -> dict[str, object]:
    """The checked fields of a pilot, or ValidationFailed naming every field that is wrong."""
    problems: list[str] = []
    code = normalise_code(data.code)
    if not CODE_PATTERN.match(code):
        problems.append("code: 2-64 characters, lower-case letters, digits, '-' or '_'")
    name, partner = data.name.strip(), data.partner.strip()
    if not name or len(name) > 255:
        problems.append("name: required, at most 255 characters")
    if not partner or len(partner) > 255:
        problems.append("partner: required, at most 255 characters")
    country = data.country.strip().upper()
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        problems.append("country: a two-letter ISO 3166-1 code such as IT")
    sector = data.sector.strip().lower()
    if sector not in SECTORS:
        problems.append(f"sector: one of {', '.join(SECTORS)}")
    dates: list[dt.date] = []
    for label, value in (("starts", data.starts_on), ("ends", data.ends_on)):
        try:
            dates.append(dt.date.fromisoformat(value.strip()))
        except ValueError:
            problems.append(f"{label}: a date as YYYY-MM-DD")
    if len(dates) == 2 and dates[1] < dates[0]:
        problems.append("ends: not before the start")
    try:
        target = int(data.target_learners.strip())
        if not 1 <= target <= 100_000:
            raise ValueError
    except ValueError:
        target = 0
        problems.append("target: a whole number of learners from 1 to 100000")
    if problems:
        raise ValidationFailed("; ".join(problems))
    return {"code": code, "name": name, "country": country, "sector": sector, "partner": partner,
            "starts_on": dates[0], "ends_on": dates[1], "target_learners": target, "platform_pk": data.platform_pk}


def facts_of(pilot: Pilot) -> pst.PilotFacts:
    """A pilot as statement input."""
    return pst.PilotFacts(code=pilot.code, name=pilot.name, country=pilot.country, sector=pilot.sector,
                          partner=pilot.partner, starts_on=pilot.starts_on, ends_on=pilot.ends_on,
                          target_learners=pilot.target_learners)


def course_ref(context: Context) -> pst.CourseRef:
    """A course as statement input."""
    return pst.CourseRef(issuer=context.deployment.platform.issuer,
                         deployment_id=context.deployment.deployment_id, context_id=context.context_id)


def create_pilot(db: so.Session, data: PilotInput, base_url: str, now: dt.datetime | None = None) -> Pilot:
    """A new pilot; courses that asked for its code at a launch before it existed join it now."""
    fields = check_input(data)
    if db.scalar(sa.select(Pilot.id).where(Pilot.code == fields["code"])) is not None:
        raise Conflict(f"A pilot with the code {fields['code']} exists already.")
    now = now or utcnow()
    pilot = Pilot(**fields)
    try:
        with db.begin_nested():
            db.add(pilot)
    except IntegrityError as error:
        raise Conflict(f"A pilot with the code {fields['code']} exists already.") from error
    record_statements(db, [pst.pilot_described(Profile(base_url), facts_of(pilot), now)])
    waiting = db.scalars(sa.select(PilotCodeRequest).where(PilotCodeRequest.code == pilot.code)).all()
    for request in waiting:
        context = db.get(Context, request.context_pk)
        db.delete(request)
        if context is not None:
            attach_course(db, pilot, context, "launch", base_url, now)
    return pilot


def update_pilot(db: so.Session, pilot: Pilot, data: PilotInput, base_url: str, now: dt.datetime | None = None) -> None:
    """Change a pilot's facts (not its code); the LRS learns the new facts."""
    fields = check_input(data)
    if fields["code"] != pilot.code:
        raise ValidationFailed("code: a pilot's code cannot change (teachers' links use it)")
    for key, value in fields.items():
        if key != "platform_pk" or value is not None:
            setattr(pilot, key, value)
    db.flush()
    record_statements(db, [pst.pilot_described(Profile(base_url), facts_of(pilot), now or utcnow())])


def pilots(db: so.Session, platform_pk: int | None = None) -> list[Pilot]:
    """Every pilot, or those of one platform (owned by it, or with one of its courses)."""
    query = sa.select(Pilot).order_by(Pilot.country, Pilot.code)
    if platform_pk is not None:
        on_platform = (sa.select(PilotCourse.pilot_pk).join(Context, Context.id == PilotCourse.context_pk)
                       .join(Deployment, Deployment.id == Context.deployment_pk)
                       .where(Deployment.platform_id == platform_pk))
        query = query.where(sa.or_(Pilot.platform_pk == platform_pk, Pilot.id.in_(on_platform)))
    return list(db.scalars(query))


def pilot_by_code(db: so.Session, code: str) -> Pilot:
    """The pilot with this code, or NotFound."""
    pilot = db.scalar(sa.select(Pilot).where(Pilot.code == normalise_code(code)))
    if pilot is None:
        raise NotFound(f"There is no pilot with the code {normalise_code(code)!r}.")
    return pilot


def pilot_of_context(db: so.Session, context_pk: int) -> Pilot | None:
    """The pilot a course takes part in, if any."""
    return db.scalar(sa.select(Pilot).join(PilotCourse).where(PilotCourse.context_pk == context_pk))


def attach_course(db: so.Session, pilot: Pilot, context: Context, by: str, base_url: str,
                  now: dt.datetime | None = None) -> PilotCourse:
    """Put a course into a pilot (a course takes part in one pilot only)."""
    existing = db.scalar(sa.select(PilotCourse).where(PilotCourse.context_pk == context.id))
    if existing is not None:
        if existing.pilot_pk == pilot.id:
            return existing
        raise Conflict(f"This course takes part in the pilot {existing.pilot.code} already.")
    now = now or utcnow()
    link = PilotCourse(pilot_pk=pilot.id, context_pk=context.id, attached_by=by, attached_at=now)
    try:
        with db.begin_nested():
            db.add(link)
    except IntegrityError as error:  # a concurrent first launch attached it
        raise Conflict("This course was just attached to a pilot.") from error
    db.execute(sa.delete(PilotCodeRequest).where(PilotCodeRequest.context_pk == context.id))
    record_statements(db, [pst.course_included(Profile(base_url), facts_of(pilot), course_ref(context), now)])
    return link


def find_context(db: so.Session, issuer: str, deployment_id: str, context_id: str) -> Context:
    """A course the tool has seen a launch from, by its LTI ids."""
    context = db.scalar(
        sa.select(Context).join(Deployment, Deployment.id == Context.deployment_pk)
        .join(Platform, Platform.id == Deployment.platform_id)
        .where(Platform.issuer == issuer, Deployment.deployment_id == deployment_id, Context.context_id == context_id))
    if context is None:
        raise NotFound("No launch from this course has reached the tool yet (platform, deployment and context id).")
    return context


def unattached_courses(db: so.Session, platform_pk: int | None = None) -> list[Context]:
    """Courses seen at a launch that take part in no pilot yet."""
    query = (sa.select(Context).join(Deployment, Deployment.id == Context.deployment_pk)
             .where(~Context.id.in_(sa.select(PilotCourse.context_pk))).order_by(Context.title, Context.id))
    if platform_pk is not None:
        query = query.where(Deployment.platform_id == platform_pk)
    return list(db.scalars(query))


def pilot_launch_recorder(base_url: str) -> Callable[[so.Session, Launched], None]:
    """The subscriber to launches that keeps the pilots' launch records (see record_pilot_launch)."""

    def record(db: so.Session, event: Launched) -> None:
        record_pilot_launch(db, event.session, event.custom, base_url)

    return record


@functools.cache
def _record_learner_launch(dialect: str) -> sa.Insert:
    """INSERT the learner's launch record unless it exists, built once per dialect and run as Core.

    `INSERT … SELECT … WHERE NOT EXISTS`: a relaunch (every launch but the first) inserts nothing and draws no id
    from the sequence (a plain ON CONFLICT DO NOTHING would draw one per launch); ON CONFLICT covers two first
    launches at once. No statement of its own on PostgreSQL: it goes with the launch session's INSERT
    (lti_tool.db.queue_insert).
    """
    table = table_of(LearnerLaunch)
    key: dict[str, sa.BindParameter[Any]] = {"context_pk": sa.bindparam("context_pk", type_=sa.Integer),
           "user_pk": sa.bindparam("user_pk", type_=sa.Integer),
           "unit_slug": sa.bindparam("unit_slug", type_=sa.String)}
    absent = ~sa.exists().where(*(table.c[name] == value for name, value in key.items()))
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.from_select(
        [*key, "first_at"], sa.select(*key.values(), sa.bindparam("first_at", type_=table.c.first_at.type))
        .where(absent)).on_conflict_do_nothing(index_elements=list(key))


def record_pilot_launch(db: so.Session, session: LaunchSession, custom: Mapping[str, object], base_url: str) -> None:
    """At a launch: remember that a learner opened this course/unit; attach the course by `pilot=<code>`."""
    if session.context_pk is None:
        return
    if session.is_learner:
        row = {"context_pk": session.context_pk, "user_pk": session.user_pk, "unit_slug": session.unit_slug or "",
               "first_at": utcnow()}
        insert = _record_learner_launch(db.get_bind().dialect.name)
        if not queue_insert(db, insert, [row]):
            db.connection().execute(insert, row)
            note_write(db)
    raw = custom.get(PILOT_PARAM)
    if not isinstance(raw, str) or not raw.strip():
        return
    code = normalise_code(raw)[:64]
    if db.scalar(sa.select(PilotCourse.id).where(PilotCourse.context_pk == session.context_pk)) is not None:
        return  # attached already (moving a course is a coordinator's decision)
    pilot = db.scalar(sa.select(Pilot).where(Pilot.code == code))
    context = db.get(Context, session.context_pk)
    if pilot is not None and context is not None:
        with contextlib.suppress(Conflict):  # a concurrent launch attached it
            attach_course(db, pilot, context, "launch", base_url)
        return
    request = db.scalar(sa.select(PilotCodeRequest).where(PilotCodeRequest.context_pk == session.context_pk))
    if request is None:
        try:
            with db.begin_nested():
                db.add(PilotCodeRequest(context_pk=session.context_pk, code=code))
        except IntegrityError:
            pass
    else:
        request.code = code


def report_enrolment(db: so.Session, facts: fg.Facts, base_url: str, now: dt.datetime | None = None) -> int:
    """Tell the LRS each pilot course's enrolment when it changed (a number, no identities); how many changed."""
    changed = 0
    for link in db.scalars(sa.select(PilotCourse)):
        ref = course_ref(link.context)
        enrolled = facts.enrolled.get((ref.issuer, ref.deployment_id, ref.context_id))
        if enrolled is None or enrolled == link.enrolled_reported:
            continue
        link.enrolled_reported = enrolled
        record_statements(db, [pst.course_counted(Profile(base_url), facts_of(link.pilot), ref, enrolled,
                                                  now or utcnow())])
        changed += 1
    return changed


def unknown_code_notice(db: so.Session, session: LaunchSession) -> str | None:
    """For a teacher: the pilot code their course asked for that no pilot has, else None."""
    if session.context_pk is None or not session.is_staff:
        return None
    return db.scalar(sa.select(PilotCodeRequest.code).where(PilotCodeRequest.context_pk == session.context_pk))
