"""What a learner's unit page reads, in one statement: the placement's pinned unit row, the learner's attempts at
the placement, and whether they have submitted an attempt at that unit anywhere in the course (the questionnaire
link asks). Three statements before (docs/scaling.md, "Unit page and every request's fixed cost, session 6")."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.assessment.models import Attempt, AttemptState
from lti_tool.catalogue.models import Unit
from lti_tool.launch.models import LaunchSession

# A learner's submitted attempt at a unit (by slug, any version or placement) in a course. Aliased: the page's
# statement below selects from the same tables, whose rows must not correlate into this test.
_attempt, _unit = so.aliased(Attempt), so.aliased(Unit)
SUBMITTED_IN_COURSE = sa.exists().where(
    _attempt.user_pk == sa.bindparam("user_pk"), _attempt.context_pk == sa.bindparam("context_pk"),
    _attempt.state == AttemptState.SUBMITTED, _unit.id == _attempt.unit_pk, _unit.slug == sa.bindparam("slug"))

# One row per attempt at the placement, oldest first (placement_attempts' order), or one row with no attempt.
_UNIT_PAGE = (
    sa.select(Unit, SUBMITTED_IN_COURSE.label("submitted"), Attempt)
    .outerjoin(Attempt, sa.and_(Attempt.user_pk == sa.bindparam("user_pk"),
                                Attempt.resource_link_pk == sa.bindparam("resource_link_pk")))
    .where(Unit.id == sa.bindparam("unit_pk"))
    .order_by(Attempt.number))


@dataclass(frozen=True)
class UnitPageRead:
    """The unit row, every attempt of the learner at the placement (as placement_attempts gives), and whether
    they submitted an attempt at ``session.unit_slug`` in the course."""

    unit: Unit
    attempts: list[Attempt]
    submitted_in_course: bool


def read_unit_page(db: so.Session, session: LaunchSession, unit_pk: int) -> UnitPageRead | None:
    """One statement for a learner's page of the unit row ``unit_pk`` at the launched placement (None: no such
    row, or the session has no placement or course)."""
    if session.resource_link_pk is None or session.context_pk is None:
        return None
    rows = db.execute(_UNIT_PAGE, {"unit_pk": unit_pk, "user_pk": session.user_pk,
                                   "resource_link_pk": session.resource_link_pk,
                                   "context_pk": session.context_pk, "slug": session.unit_slug}).all()
    if not rows:
        return None
    return UnitPageRead(rows[0][0], [row[2] for row in rows if row[2] is not None], bool(rows[0][1]))
