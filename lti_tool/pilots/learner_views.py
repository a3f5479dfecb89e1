"""The learner's side: the optional questionnaire after a unit, and the download of their own data."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from lti_tool.assessment.unit_views import submitted_in_course
from lti_tool.catalogue.services import current_unit
from lti_tool.db import db
from lti_tool.errors import Conflict, Forbidden, NotFound, ValidationFailed
from lti_tool.launch.web_session import current_launch, is_staff, launched
from lti_tool.pilots import questionnaire, rights
from lti_tool.runtime import current_settings, runtime

bp = Blueprint("pilot_learner", __name__)



def _learner_unit(slug: str):  # type: ignore[no-untyped-def]
    session = current_launch()
    if is_staff(session) or session.context_pk is None:
        raise Forbidden("The questionnaire is for the learners of a course.")
    if session.unit_slug != slug:
        raise Forbidden("This unit is not the activity you opened from your course.")
    unit = current_unit(db.session, slug)
    if unit is None:
        raise NotFound(f"The unit {slug!r} is not in the MASTERY catalogue.")
    return session, unit


@bp.route("/units/<slug>/questionnaire", methods=["GET", "POST"])
@launched
def questionnaire_page(slug: str) -> ResponseReturnValue:
    """The optional questionnaire (GET) and its answers (POST): out-of-range answers → 422, nothing stored."""
    session, unit = _learner_unit(slug)
    declared = unit.workload_hours
    if request.method == "GET":
        if questionnaire.answered(db.session, session, slug) is not None:
            return render_template("pilots/questionnaire.html", unit=unit, declared=declared, done=True, form={})
        if not questionnaire.may_answer(db.session, session, unit.slug):
            raise Conflict(gettext("The questionnaire opens once you have submitted the unit's assessment."))
        return render_template("pilots/questionnaire.html", unit=unit, declared=declared, done=False, form={})
    if not questionnaire.may_answer(db.session, session, unit.slug):
        if questionnaire.answered(db.session, session, slug) is not None:
            raise Conflict(gettext("You have answered this questionnaire already. Thank you!"))
        raise Conflict(gettext("The questionnaire opens once you have submitted the unit's assessment."))
    form = {k: request.form.get(k, "") for k in ("relevance", "workload_hours", "clarity", "recommend", "comment")}
    try:
        answers = questionnaire.check_answers(form)
    except ValidationFailed as error:
        fields = getattr(error, "fields", [])
        message = gettext(error.message, fields=", ".join(fields))
        page = render_template("pilots/questionnaire.html", unit=unit, declared=declared, done=False, form=form,
                               error=message, wrong=fields)
        return page, 422
    questionnaire.record(db.session, session, unit, answers, current_settings().base_url)
    return redirect(url_for("pilot_learner.questionnaire_page", slug=slug, **_ls()), code=303)


@bp.get("/me/data")
@launched
def my_data() -> ResponseReturnValue:
    """What the tool holds about the launched person, and the download of all of it."""
    session = current_launch()
    return render_template("pilots/my_data.html", user=session.user)


@bp.get("/me/data.zip")
@launched
def my_data_zip() -> ResponseReturnValue:
    """Everything the tool holds about the launched person: data.json and their evidence files (GDPR Art. 15, 20)."""
    session = current_launch()
    body = rights.export_data(db.session, session.user, runtime().upload_store)
    response = Response(body, mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="my-mastery-data.zip"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _ls() -> dict[str, Any]:  # url_for values (typed Any there)
    token = g.get("launch_token")
    return {"ls": token} if token else {}


def questionnaire_link() -> dict[str, object]:
    """For a learner on a unit they submitted and have not answered: the link the page header shows."""
    session = g.get("launch_session")
    if session is None or is_staff(session) or not session.unit_slug or session.context_pk is None:
        return {}
    if request.endpoint == "pilot_learner.questionnaire_page":
        return {}
    # Runs on every page a learner sees: one query. A submitted attempt at this slug implies the unit exists.
    # The unit page read the first fact with its attempts (assessment.unit_page): then only the answer is asked.
    if not questionnaire.may_answer(db.session, session, session.unit_slug,
                                    submitted=submitted_in_course(session, session.unit_slug)):
        return {}
    return {"questionnaire_url": url_for("pilot_learner.questionnaire_page", slug=session.unit_slug)}


def init_app(app: Flask) -> None:
    """Register the learner pages and the questionnaire link."""
    app.register_blueprint(bp)
    app.context_processor(questionnaire_link)
