"""Catalogue JSON and the teacher's course page (which units are placed where)."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.catalogue.services import (
    course_placements,
    current_units,
    pin_placement_unit,
    unit_json,
    upgrade_placement,
)
from lti_tool.db import db
from lti_tool.errors import N_, NotFound
from lti_tool.launch.models import LaunchSession, ResourceLink
from lti_tool.launch.web_session import current_launch, launched, require_context, staff_only

bp = Blueprint("catalogue", __name__)


@bp.get("/api/units")
def api_units() -> ResponseReturnValue:
    """The public catalogue (no answer keys, no items)."""
    lang = request.args.get("lang") or request.accept_languages.best or "en"
    return jsonify({"units": [unit_json(unit, lang) for unit in current_units(db.session)]})


@bp.get("/courses/<int:context_pk>")
@launched
def course_page(context_pk: int) -> ResponseReturnValue:
    """The teacher's view of a course: which units are placed where."""
    return render_course_page(current_launch(), context_pk)


def render_course_page(session: LaunchSession, context_pk: int) -> ResponseReturnValue:
    """The course page for this launch (a launch may land on it)."""
    require_context(session, context_pk)
    staff_only(session)
    placements = course_placements(db.session, context_pk)
    units = {unit.slug: unit_json(unit, session.locale) for unit in current_units(db.session)}
    pinned = {link.id: pin_placement_unit(db.session, link) for link in placements}
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
    return redirect(url_for("catalogue.course_page", context_pk=context_pk), code=303)


@bp.get("/nothing-placed")
@launched
def nothing_placed() -> ResponseReturnValue:
    """A learner launch from a link with no unit set."""
    return render_nothing_placed(current_launch())


def render_nothing_placed(session: LaunchSession) -> ResponseReturnValue:
    """The page for a launch from a link with no unit set (a launch may land on it)."""
    return render_template("catalogue/nothing_placed.html", session=session)


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
