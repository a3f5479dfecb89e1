"""What a learner's unit page reads, in one Core statement: the placement's pinned unit row (the columns the page
shows), the learner's attempts at the placement (the columns the page and the grade policy read), and whether they
have submitted an attempt at that unit anywhere in the course (the questionnaire link asks).

Plain rows, not ORM objects: the ORM's loading of a Unit and its Attempts (every column, the attempts' selection
and result documents) was a third of this page's CPU (docs/scaling.md, "Unit page render, session 7"). Three
statements before session 6 ("Unit page and every request's fixed cost, session 6")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.assessment.models import Attempt, AttemptState
from lti_tool.catalogue.models import Unit
from lti_tool.catalogue.unit_doc import UnitDoc, parsed_unit
from lti_tool.db import table_of
from lti_tool.launch.models import LaunchSession

_UNIT, _ATTEMPT = table_of(Unit), table_of(Attempt)

# A learner's submitted attempt at a unit (by slug, any version or placement) in a course. Aliased: the page's
# statement below selects from the same tables, whose rows must not correlate into this test.
_attempt, _unit = _ATTEMPT.alias("submitted_attempt"), _UNIT.alias("submitted_unit")
SUBMITTED_IN_COURSE = sa.exists().where(
    _attempt.c.user_pk == sa.bindparam("user_pk"), _attempt.c.context_pk == sa.bindparam("context_pk"),
    _attempt.c.state == AttemptState.SUBMITTED, _unit.c.id == _attempt.c.unit_pk,
    _unit.c.slug == sa.bindparam("slug"))

_UNIT_COLUMNS = ("id", "slug", "version", "content_hash", "sector", "eqf_level", "ects", "workload_hours",
                 "participation")
_ATTEMPT_COLUMNS = ("id", "number", "state", "practice", "score", "mastered", "pending_review", "submitted_at",
                    "result")

# One row per attempt at the placement, oldest first (placement_attempts' order), or one row with no attempt.
_UNIT_PAGE = (
    sa.select(*(_UNIT.c[name] for name in _UNIT_COLUMNS), SUBMITTED_IN_COURSE.label("submitted"),
              *(_ATTEMPT.c[name].label(f"attempt_{name}") for name in _ATTEMPT_COLUMNS))
    .select_from(_UNIT.outerjoin(_ATTEMPT, sa.and_(_ATTEMPT.c.user_pk == sa.bindparam("user_pk"),
                                                   _ATTEMPT.c.resource_link_pk == sa.bindparam("resource_link_pk"))))
    .where(_UNIT.c.id == sa.bindparam("unit_pk"))
    .order_by(_ATTEMPT.c.number))


@dataclass(frozen=True)
class PageUnit:
    """The unit row's columns the page shows, with its typed document (parsed once per process)."""

    id: int
    slug: str
    version: str
    content_hash: str
    sector: str
    eqf_level: int
    ects: float
    workload_hours: float
    participation: str
    doc: UnitDoc


@dataclass
class PageAttempt:
    """What the page and the grade policy read of an attempt (grade_policy.GradedAttempt)."""

    id: str
    number: int
    state: str
    practice: bool
    score: float | None
    mastered: bool
    pending_review: bool
    submitted_at: dt.datetime | None
    result: dict[str, Any] | None


@dataclass(frozen=True)
class UnitPageRead:
    """The unit row, every attempt of the learner at the placement (as placement_attempts gives), and whether
    they submitted an attempt at ``session.unit_slug`` in the course."""

    unit: PageUnit
    attempts: list[PageAttempt]
    submitted_in_course: bool


def read_unit_page(db: so.Session, session: LaunchSession, unit_pk: int) -> UnitPageRead | None:
    """One statement for a learner's page of the unit row ``unit_pk`` at the launched placement (None: no such
    row, or the session has no placement or course). The first read of a unit version in this process also loads
    its document (Unit.doc), as the ORM read did."""
    if session.resource_link_pk is None or session.context_pk is None:
        return None
    rows = db.connection().execute(_UNIT_PAGE, {
        "unit_pk": unit_pk, "user_pk": session.user_pk, "resource_link_pk": session.resource_link_pk,
        "context_pk": session.context_pk, "slug": session.unit_slug}).all()
    if not rows:
        return None
    first = rows[0]
    doc = parsed_unit(first.id, first.content_hash)
    if doc is None:  # not parsed in this process yet
        doc = db.get_one(Unit, first.id).doc
    unit = PageUnit(first.id, first.slug, first.version, first.content_hash, first.sector, first.eqf_level, first.ects,
                    first.workload_hours, first.participation, doc)
    attempts = [PageAttempt(row.attempt_id, row.attempt_number, row.attempt_state, row.attempt_practice,
                            row.attempt_score, row.attempt_mastered, row.attempt_pending_review,
                            row.attempt_submitted_at, row.attempt_result) for row in rows if row.attempt_id is not None]
    return UnitPageRead(unit, attempts, bool(first.submitted))
