"""The learner's unit page: the study text, the attempts made and the grade (teachers see an overview)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, g, render_template
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext
from markupsafe import Markup

from lti_tool.assessment.grade_policy import GradedAttempt
from lti_tool.assessment.models import AttemptState
from lti_tool.assessment.services import learner_attempts, learner_availability, learner_grade, placement_attempts
from lti_tool.assessment.unit_page import PageUnit, read_unit_page
from lti_tool.assessment.views import close_expired_attempt
from lti_tool.catalogue.models import Unit
from lti_tool.catalogue.services import current_unit, current_units, pin_placement_unit, study_view, unit_json
from lti_tool.db import db, utcnow
from lti_tool.errors import N_, Forbidden, NotFound
from lti_tool.fragments import cached, render_fragment, render_page
from lti_tool.launch.models import LaunchSession
from lti_tool.launch.web_session import current_launch, is_staff, launched

bp = Blueprint("units", __name__)


@bp.get("/units/<slug>")
@launched
def unit_page(slug: str) -> ResponseReturnValue:
    """A unit as the launched user sees it: study view for learners, overview for teachers."""
    return render_unit_page(current_launch(), slug)


def render_unit_page(session: LaunchSession, slug: str) -> ResponseReturnValue:
    """The unit page for this launch (a launch may land on it)."""
    staff = is_staff(session)
    if not staff and session.unit_slug != slug:
        raise Forbidden(N_("This unit is not the activity you opened from your course."))
    link = session.resource_link
    placed = link is not None and link.unit_slug == slug
    # A learner at a placement already pinned: the unit row, their attempts and the questionnaire's fact at once.
    read = read_unit_page(db.session, session, link.unit_pk) if (
        placed and not staff and link is not None and link.unit_pk is not None) else None
    unit: Unit | PageUnit | None
    if read is not None and read.unit.slug == slug:
        unit = read.unit
        g.unit_page_submitted = (session.id, slug, read.submitted_in_course)
    else:
        read = None
        unit = pin_placement_unit(db.session, link) if placed and link is not None else None
        unit = unit or current_unit(db.session, slug)
    if unit is None:
        if staff:  # the teacher can fix the activity: say what it names and what it could name
            units = sorted((u.slug, unit_json(u, session.locale)["title"]) for u in current_units(db.session))
            return render_template("catalogue/unknown_unit.html", slug=slug, units=units, session=session), 404
        raise NotFound(N_("The unit %(unit)s is not in the MASTERY catalogue. Ask your teacher to check the "
                          "activity's 'unit' setting."), unit=slug)
    lang = session.locale
    # The unit's texts are shown in the learner's language only where the unit is complete in it.
    text_lang = unit.doc.content_language(lang)
    # One read for the list and the standing.
    every: Sequence[GradedAttempt] = (
        [] if staff else read.attempts if read is not None else placement_attempts(db.session, session))
    if any(a.state == AttemptState.IN_PROGRESS for a in every) and close_expired_attempt(session) is not None:
        every = placement_attempts(db.session, session)  # a timed attempt ran out while away: show its result
        g.pop("unit_page_submitted", None)  # it is submitted now: the questionnaire asks the database
    attempts = learner_attempts(every)
    grade = learner_grade(db.session, session, unit, attempts)
    standing = None if staff else learner_availability(unit, every, now=utcnow())
    # The catalogue entry, the top of the page, the outcomes and the study text are the same for every reader of
    # this unit version in this language: rendered once per process (lti_tool.fragments), keyed by every column
    # they show, they were most of this page's template time (docs/scaling.md).
    key = ("unit-page", unit.id, unit.content_hash, unit.slug, unit.version, unit.sector, unit.eqf_level,
           unit.ects, unit.workload_hours, unit.participation, text_lang, lang, str(get_locale()))
    parts = cached(key, lambda: _parts(_orm_unit(unit), text_lang, lang))
    entry = parts.entry
    shared = {"unit": unit, "entry": entry, "parts": parts, "study": parts.study, "staff": staff, "lang": lang,
              "text_lang": text_lang,
              "outcomes": list(zip(unit.doc.outcomes, entry["outcomes"], strict=True)) if staff else []}
    if staff:  # the teacher's overview shows the course and its links: rendered whole
        return render_template("catalogue/unit.html", **shared, session=session, attempts=attempts, grade=grade,
                               standing=standing)
    # A learner's page is the same around their own part (catalogue/_unit_learner.html) and the pilot notices:
    # that text is kept with the parts, and only those two are rendered for each request.
    return render_page(key, "catalogue/unit.html", shared, _PER_LEARNER, session=session, attempts=attempts,
                       grade=grade, standing=standing)


# The templates of a learner's unit page that show the request's reader (rendered per request by render_page).
_PER_LEARNER = ("catalogue/_unit_learner.html", "pilots/_notice.html")


def submitted_in_course(session: LaunchSession, slug: str) -> bool | None:
    """Whether the learner of `session` has submitted an attempt at `slug` in the course, when this request's unit
    page read it with its attempts (None: not read here; ask the database)."""
    known = g.get("unit_page_submitted")
    if known is None or known[0] != session.id or known[1] != slug:
        return None
    return bool(known[2])


def _orm_unit(unit: Unit | PageUnit) -> Unit:
    """The unit's ORM row, which the shared parts are rendered from (read only when they are not kept yet)."""
    return unit if isinstance(unit, Unit) else db.session.get_one(Unit, unit.id)


@dataclass(frozen=True)
class _UnitParts:
    """What a unit page shows the same way to every reader of one unit version in one language."""

    entry: dict[str, Any]  # unit_json's: shared by the requests of this process, read only
    head: Markup  # catalogue/_unit_head.html: sector, level, credits, title, summary, workload
    outcomes: Markup  # catalogue/_unit_outcomes.html
    study: Markup  # catalogue/_study.html


def _parts(unit: Unit, text_lang: str, lang: str) -> _UnitParts:
    """The unit's shared parts, texts in `text_lang`, the page's words in the request's locale."""
    entry = unit_json(unit, text_lang)
    view = study_view(unit, text_lang, table_label=gettext("Table"))
    return _UnitParts(
        entry=entry,
        head=render_fragment("catalogue/_unit_head.html", unit=unit, entry=entry, text_lang=text_lang,
                             fallback=text_lang != lang.split("-", 1)[0].lower(), workload=view.workload),
        outcomes=render_fragment("catalogue/_unit_outcomes.html", entry=entry, text_lang=text_lang),
        study=render_fragment("catalogue/_study.html", sections=view.sections, references=view.references,
                              text_lang=text_lang, lang=lang))
