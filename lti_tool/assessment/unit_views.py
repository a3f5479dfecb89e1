"""The learner's unit page: the study text, the attempts made and the grade (teachers see an overview)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from lti_tool.assessment.services import learner_attempts, learner_availability, learner_grade
from lti_tool.assessment.views import close_expired_attempt
from lti_tool.catalogue.rendering import render_markdown, study_figures
from lti_tool.catalogue.services import current_unit, current_units, pin_placement_unit, unit_json
from lti_tool.catalogue.unit_assets import FIGURE_FILES_KEY
from lti_tool.catalogue.unit_texts import content_language, localized
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
    text_lang = content_language(unit.document, lang)

    def pick(text: object) -> str:
        return localized(text, text_lang)  # type: ignore[arg-type]

    files = unit.document.get(FIGURE_FILES_KEY, {})
    sections = [
        {"id": s["id"], "title": pick(s["title"]), "html": render_markdown(pick(s["body"])),
         "kind": s.get("kind", "study"), "minutes": s.get("minutes"), "figures": study_figures(s, files, pick)}
        for s in unit.document.get("sections", [])
    ]
    references = [{"title": pick(r["title"]), "url": r["url"], "publisher": r.get("publisher"),
                   "read": pick(r["read"])} for r in unit.document.get("references", [])]
    entry = unit_json(unit, text_lang)
    if not staff:
        close_expired_attempt(session)  # a timed attempt that ran out while away shows its result here
    attempts = [] if staff else learner_attempts(db.session, session)
    grade = learner_grade(db.session, session, unit, attempts)
    standing = None if staff else learner_availability(db.session, session, unit, now=utcnow())
    page = render_template(
        "catalogue/unit.html", unit=unit, entry=entry, sections=sections, staff=staff, session=session,
        outcomes=list(zip(unit.outcomes, entry["outcomes"], strict=True)), lang=lang, text_lang=text_lang,
        fallback=text_lang != lang.split("-", 1)[0].lower(), references=references,
        workload=unit.document.get("workload"),
        attempts=attempts, grade=grade, standing=standing,
    )
    return page
