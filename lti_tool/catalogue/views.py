"""Catalogue JSON and the pages a launch lands on (unit page, course page)."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.assessment.services import learner_attempts, learner_availability, learner_grade
from lti_tool.assessment.views import close_expired_attempt
from lti_tool.catalogue.rendering import render_markdown, study_figures
from lti_tool.catalogue.services import (
    course_placements,
    current_unit,
    current_units,
    placement_unit,
    unit_json,
    upgrade_placement,
)
from lti_tool.catalogue.unit_assets import FIGURE_FILES_KEY
from lti_tool.catalogue.unit_texts import content_language, localized
from lti_tool.db import db, utcnow
from lti_tool.errors import N_, Forbidden, NotFound
from lti_tool.events import SectionRead, publish
from lti_tool.launch.models import ResourceLink
from lti_tool.launch.web_session import current_launch, is_staff, launched, require_context, staff_only

bp = Blueprint("catalogue", __name__)


@bp.get("/api/units")
def api_units() -> ResponseReturnValue:
    """The public catalogue (no answer keys, no items)."""
    lang = request.args.get("lang") or request.accept_languages.best or "en"
    return jsonify({"units": [unit_json(unit, lang) for unit in current_units(db.session)]})


@bp.get("/units/<slug>")
@launched
def unit_page(slug: str) -> ResponseReturnValue:
    """A unit as the launched user sees it: study view for learners, overview for teachers."""
    session = current_launch()
    staff = is_staff(session)
    if not staff and session.unit_slug != slug:
        raise Forbidden(N_("This unit is not the activity you opened from your course."))
    link = session.resource_link
    unit = placement_unit(db.session, link) if link is not None and link.unit_slug == slug else None
    unit = unit or current_unit(db.session, slug)
    if unit is None:
        if staff:  # the teacher can fix the activity: say what it names and what it could name
            units = sorted((u.slug, unit_json(u, session.locale)["title"]) for u in current_units(db.session))
            return render_template("catalogue/unknown_unit.html", slug=slug, units=units, session=session), 404
        raise NotFound(f"The unit {slug!r} is not in the MASTERY catalogue. Ask your teacher to check the "
                       "activity's 'unit' setting.")
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
    db.session.commit()  # the placement may have been pinned to its version just now
    return page


@bp.post("/api/units/<slug>/sections/<section_id>/experienced")
@launched
def section_read(slug: str, section_id: str) -> ResponseReturnValue:
    """The unit page tells us a study section was read (scrolled into view): an xAPI "experienced"."""
    session = current_launch()
    link = session.resource_link
    if link is None or link.unit_slug != slug:
        raise Forbidden(N_("This unit is not the activity you opened from your course."))
    unit = placement_unit(db.session, link)
    if unit is None:
        raise NotFound(N_("The unit “%(slug)s” is not in the MASTERY catalogue."), slug=slug)
    if not any(str(section["id"]) == section_id for section in unit.document.get("sections", [])):
        raise NotFound(f"Section {section_id!r} is not part of this unit.")
    publish(db.session, SectionRead(session=session, unit=unit, section_id=section_id, at=utcnow()))
    db.session.commit()
    # Staff previews are not learning records: only a learner's reading is recorded.
    return jsonify({"recorded": 1 if session.is_learner else 0})


@bp.get("/courses/<int:context_pk>")
@launched
def course_page(context_pk: int) -> ResponseReturnValue:
    """The teacher's view of a course: which units are placed where."""
    session = current_launch()
    require_context(session, context_pk)
    staff_only(session)
    placements = course_placements(db.session, context_pk)
    units = {unit.slug: unit_json(unit, session.locale) for unit in current_units(db.session)}
    pinned = {link.id: placement_unit(db.session, link) for link in placements}
    db.session.commit()  # pinning a placement on first sight is a write
    return render_template("catalogue/course.html", session=session, placements=placements, units=units,
                           pinned=pinned)


@bp.post("/courses/<int:context_pk>/links/<int:link_pk>/upgrade")
@launched
def upgrade_link(context_pk: int, link_pk: int) -> ResponseReturnValue:
    """Move one placement to the newest version of its unit (attempts already made keep their version)."""
    session = current_launch()
    require_context(session, context_pk)
    staff_only(session)
    link = db.session.get(ResourceLink, link_pk)
    if link is None or link.context_pk != context_pk:
        raise NotFound(N_("There is no such activity in this course."))
    if upgrade_placement(db.session, link) is None:
        raise NotFound(N_("This activity's unit is no longer in the catalogue."))
    db.session.commit()
    return redirect(url_for("catalogue.course_page", context_pk=context_pk), code=303)


@bp.get("/nothing-placed")
@launched
def nothing_placed() -> ResponseReturnValue:
    """A learner launch from a link with no unit set."""
    return render_template("catalogue/nothing_placed.html", session=current_launch())


@bp.get("/api/me")
@launched
def api_me() -> ResponseReturnValue:
    """Who the launch session belongs to, and where (no secrets)."""
    session = current_launch()
    return jsonify({
        "user": {"issuer": session.user.issuer, "sub": session.user.sub, "name": session.user.name},
        "roles": session.roles,
        "deployment_id": session.deployment.deployment_id,
        "context": {"id": session.context.context_id, "title": session.context.title} if session.context else None,
        "unit": session.unit_slug,
    })
