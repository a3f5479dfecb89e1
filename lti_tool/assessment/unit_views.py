"""The learner's unit page: the study text, the attempts made and the grade (teachers see an overview)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from lti_tool.assessment.services import learner_attempts, learner_availability, learner_grade
from lti_tool.assessment.views import close_expired_attempt
from lti_tool.catalogue.services import current_unit, current_units, pin_placement_unit, study_view, unit_json
from lti_tool.db import db, utcnow
from lti_tool.errors import N_, Forbidden, NotFound
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
    unit = pin_placement_unit(db.session, link) if link is not None and link.unit_slug == slug else None
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

    study = study_view(unit, text_lang)
    entry = unit_json(unit, text_lang)
    if not staff:
        close_expired_attempt(session)  # a timed attempt that ran out while away shows its result here
    attempts = [] if staff else learner_attempts(db.session, session)
    grade = learner_grade(db.session, session, unit, attempts)
    standing = None if staff else learner_availability(db.session, session, unit, now=utcnow())
    page = render_template(
        "catalogue/unit.html", unit=unit, entry=entry, sections=study.sections, staff=staff, session=session,
        outcomes=list(zip(unit.doc.outcomes, entry["outcomes"], strict=True)), lang=lang, text_lang=text_lang,
        fallback=text_lang != lang.split("-", 1)[0].lower(), references=study.references,
        workload=study.workload,
        attempts=attempts, grade=grade, standing=standing,
    )
    return page
