"""The learners' short questionnaire after a unit: checking the answers (pure) and recording them."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.exc import IntegrityError

from lti_tool.assessment.unit_page import SUBMITTED_IN_COURSE
from lti_tool.catalogue.models import Unit
from lti_tool.db import utcnow
from lti_tool.errors import N_, Conflict, ValidationFailed
from lti_tool.launch.models import LaunchSession
from lti_tool.pilots.models import QuestionnaireAnswer
from lti_tool.pilots.statements import Answers, questionnaire_answered
from lti_tool.xapi.learning_records import session_scope, unit_ref
from lti_tool.xapi.outbox import record_statements
from lti_tool.xapi.profile import Profile

MAX_COMMENT = 1000
MAX_HOURS = 200.0
_NUMBER = re.compile(r"^\d{1,3}([.,]\d{1,2})?$")


def check_answers(form: Mapping[str, str]) -> Answers:
    """The answers, or ValidationFailed naming each wrong one (nothing is stored then)."""
    problems: list[str] = []

    def scale(name: str) -> int:
        value = str(form.get(name, "")).strip()
        if value not in {"1", "2", "3", "4", "5"}:
            problems.append(name)
            return 0
        return int(value)

    relevance, clarity = scale("relevance"), scale("clarity")
    raw_hours = str(form.get("workload_hours", "")).strip()
    hours = float(raw_hours.replace(",", ".")) if _NUMBER.match(raw_hours) else math.nan
    if not 0 <= hours <= MAX_HOURS:
        problems.append("workload_hours")
    recommend = str(form.get("recommend", "")).strip()
    if recommend not in {"yes", "no"}:
        problems.append("recommend")
    comment = str(form.get("comment", "")).strip()
    if len(comment) > MAX_COMMENT:
        problems.append("comment")
    if problems:
        error = ValidationFailed(N_("Some answers are missing or out of range: %(fields)s."))
        error.fields = problems  # type: ignore[attr-defined]
        raise error
    return Answers(relevance=relevance, workload_hours=round(hours, 2), clarity=clarity, recommend=recommend == "yes",
                   comment=comment)


# Asked on every learner page (the questionnaire link): built once and run as Core (bench/launch.py --profile). The
# same test the unit page reads with its attempts (assessment.unit_page), so both ask one question.
_SUBMITTED = sa.select(SUBMITTED_IN_COURSE)


def may_answer(db: so.Session, session: LaunchSession, slug: str, *, submitted: bool | None = None) -> bool:
    """A learner who submitted an attempt at the unit `slug` in this course and has not answered yet
    (`submitted`: that first fact, when the request has read it already)."""
    if submitted is None:
        db.flush()  # what the ORM's autoflush did: an attempt submitted in this request counts
        submitted = bool(db.connection().execute(_SUBMITTED, {
            "user_pk": session.user_pk, "context_pk": session.context_pk, "slug": slug}).scalar())
    return submitted and answered(db, session, slug) is None


def answered(db: so.Session, session: LaunchSession, slug: str) -> QuestionnaireAnswer | None:
    """This learner's answer for the unit in this course, if any."""
    return db.scalar(sa.select(QuestionnaireAnswer).where(
        QuestionnaireAnswer.user_pk == session.user_pk, QuestionnaireAnswer.context_pk == session.context_pk,
        QuestionnaireAnswer.unit_slug == slug))


def record(db: so.Session, session: LaunchSession, unit: Unit, answers: Answers, base_url: str,
           now: dt.datetime | None = None) -> QuestionnaireAnswer:
    """Store the answers and queue their xAPI statement, in one transaction; once per learner, course, unit."""
    now = now or utcnow()
    if answered(db, session, unit.slug) is not None:
        raise Conflict(N_("You have answered this questionnaire already. Thank you!"))
    row = QuestionnaireAnswer(user_pk=session.user_pk, context_pk=session.context_pk, unit_slug=unit.slug,
                              answers={"relevance": answers.relevance, "workload_hours": answers.workload_hours,
                                       "clarity": answers.clarity, "recommend": answers.recommend,
                                       "comment": answers.comment}, answered_at=now)
    try:
        with db.begin_nested():
            db.add(row)
    except IntegrityError as error:
        raise Conflict(N_("You have answered this questionnaire already. Thank you!")) from error
    record_statements(db, [questionnaire_answered(Profile(base_url), session_scope(session), unit_ref(unit), answers,
                                                  now)])
    return row
