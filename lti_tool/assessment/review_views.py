"""Teacher pages: the review queue of a course and rubric scoring of practical evidence."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.assessment import services
from lti_tool.assessment.review import review_queue
from lti_tool.db import db, utcnow
from lti_tool.errors import N_, ValidationFailed
from lti_tool.launch.web_session import current_launch, launched, require_context, staff_only

bp = Blueprint("review", __name__)


@bp.get("/courses/<int:context_pk>/review")
@launched
def queue(context_pk: int) -> ResponseReturnValue:
    """Practical evidence waiting for this course's teachers."""
    session = current_launch()
    require_context(session, context_pk)
    staff_only(session)
    show_all = request.args.get("all") == "1"
    items = review_queue(db.session, context_pk, session.locale, include_reviewed=show_all)
    return render_template("assessment/review_queue.html", items=items, context_pk=context_pk, show_all=show_all,
                           session=session)


@bp.post("/courses/<int:context_pk>/review/<attempt_id>/<item_id>")
@launched
def score(context_pk: int, attempt_id: str, item_id: str) -> ResponseReturnValue:
    """Score one practical item against its rubric (form fields points-<criterion id>, comment)."""
    session = current_launch()
    require_context(session, context_pk)
    staff_only(session)
    points: dict[str, float] = {}
    for key, value in request.form.items():
        if key.startswith("points-"):
            try:
                points[key.removeprefix("points-")] = float(value)
            except ValueError as exc:
                raise ValidationFailed(N_("Points for %(criterion)s must be a number."),
                                       criterion=key.removeprefix("points-")) from exc
    services.review_practical(db.session, session, attempt_id, item_id, points, request.form.get("comment", ""),
                              now=utcnow())
    return redirect(url_for("review.queue", context_pk=context_pk), code=303)
