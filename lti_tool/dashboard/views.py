"""Teacher dashboard pages: a course's placed units, one unit's learners, roster refresh, reset, CSV."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from lti_tool.assessment.credential_names import correct_name, course_credentials, course_learner
from lti_tool.assessment.grade_policy import GradePolicy
from lti_tool.assessment.grading import change_policy
from lti_tool.catalogue.esco import esco_label
from lti_tool.catalogue.placements import not_yet_opened
from lti_tool.catalogue.unit_texts import localized
from lti_tool.credentials.exports.reader import present
from lti_tool.credentials.services import live_credential
from lti_tool.dashboard import pages, services
from lti_tool.dashboard.attempt_detail import attempt_detail
from lti_tool.dashboard.export import csv_bytes, filename
from lti_tool.dashboard.lms_placements import placed_in_lms, without_lms_placements
from lti_tool.dashboard.progress import OUTCOME_WORDS, STATUS_WORDS, SYMBOLS, SYNC_WORDS, OutcomeState
from lti_tool.dashboard.reset import MAX_REASON, attempt_of_course, close_attempt, reset_attempt
from lti_tool.dashboard.roster_state import RecentFailures, RosterState, roster_state
from lti_tool.dashboard.sizes import human_size
from lti_tool.db import db, utcnow
from lti_tool.errors import N_, ValidationFailed
from lti_tool.launch.models import Context, LaunchSession
from lti_tool.launch.web_session import current_launch, launched, require_context, staff_only
from lti_tool.lms.extension import services_client
from lti_tool.runtime import current_settings, runtime, wired

bp = Blueprint("dashboard", __name__)

# A refresh the LMS refused: the request itself was fine, the service it depends on failed (RFC 4918 §11.4).
REFRESH_FAILED = 424


def init_app(app: Flask) -> None:
    """Register the blueprint and the per-process memory of recent roster failures."""
    runtime(app).parts.roster_failures = RecentFailures()
    app.add_template_filter(lambda size: human_size(int(size), str(get_locale() or "en")), "filesize")
    # uri|esco_label(lang): ESCO's own label in the page's language where its data has one, else English;
    # pages mark it with the label's lang.
    app.add_template_filter(esco_label, "esco_label")
    app.register_blueprint(bp)


def _teacher(context_pk: int) -> tuple[LaunchSession, Context]:
    session = current_launch()
    require_context(session, context_pk)
    staff_only(session)
    return session, services.course(db.session, context_pk)


def _roster(context: Context, *, refresh: bool = False) -> RosterState:
    failures = wired(runtime().parts.roster_failures, "the recent roster failures")
    return roster_state(db.session, services_client(), context, failures, refresh=refresh)


def _render(template: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    db.session.commit()  # the roster cache and access token read along the way, kept on a REFRESH_FAILED answer too
    return render_template(template, role="instructor", symbols=SYMBOLS, status_words=STATUS_WORDS,
                           sync_words=SYNC_WORDS,
                           outcome_words=OUTCOME_WORDS, no_result=OutcomeState.NO_RESULT, max_reason=MAX_REASON,
                           **context), status


def _course_page(context_pk: int, *, refresh: bool) -> ResponseReturnValue:
    session, context = _teacher(context_pk)
    roster = _roster(context, refresh=refresh)
    if refresh and not roster.failed:  # Post/Redirect/Get: a reload does not ask the LMS again
        return redirect(url_for("dashboard.course", context_pk=context_pk, refreshed=1), code=303)
    views = pages.placements(db.session, context, roster, session.locale)
    waiting = not_yet_opened(db.session, context_pk, [v.link for v in views])
    in_lms = placed_in_lms(db.session, services_client(), context, unit_slugs=services.unit_slugs(db.session),
                           launched_links={v.link.resource_link_id for v in views})
    waiting = without_lms_placements(waiting, in_lms.placements)
    return _render("dashboard/course.html", REFRESH_FAILED if refresh else 200, session=session, context=context,
                   roster=roster, waiting=waiting, in_lms=in_lms,
                   summaries=pages.summaries(views), refreshed=request.args.get("refreshed") == "1", refresh=refresh,
                   credentials_url=_optional_url("my_credentials.course_credentials", context_pk=context_pk))


def _optional_url(endpoint: str, **values: Any) -> str | None:
    # Pages another package owns: their names may still change; a missing one drops the link, not the page.
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.get("/courses/<int:context_pk>/dashboard")
@launched
def course(context_pk: int) -> ResponseReturnValue:
    """Every placed unit of the course with its counts."""
    return _course_page(context_pk, refresh=False)


@bp.post("/courses/<int:context_pk>/dashboard/refresh")
@launched
def refresh_course(context_pk: int) -> ResponseReturnValue:
    """Read the roster from the LMS again, then show the dashboard (or why the LMS did not answer)."""
    return _course_page(context_pk, refresh=True)


def _link_page(context_pk: int, resource_link_pk: int, *, refresh: bool) -> ResponseReturnValue:
    session, context = _teacher(context_pk)
    link = services.placement(db.session, context_pk, resource_link_pk)
    roster = _roster(context, refresh=refresh)
    if refresh and not roster.failed:
        return redirect(url_for("dashboard.link", context_pk=context_pk, resource_link_pk=resource_link_pk,
                                refreshed=1), code=303)
    [view] = pages.placements(db.session, context, roster, session.locale, only=link)
    return _render("dashboard/link.html", REFRESH_FAILED if refresh else 200, session=session, context=context,
                   roster=roster, view=view,
                   refreshed=request.args.get("refreshed") == "1", reset_done=request.args.get("reset"),
                   closed_done=request.args.get("closed"),
                   policy_saved=request.args.get("policy"), policies=list(GradePolicy), refresh=refresh)


@bp.get("/courses/<int:context_pk>/links/<int:resource_link_pk>")
@launched
def link(context_pk: int, resource_link_pk: int) -> ResponseReturnValue:
    """One placed unit: each learner's status, outcome matrix, attempts, grade sync and credential."""
    return _link_page(context_pk, resource_link_pk, refresh=False)


@bp.post("/courses/<int:context_pk>/links/<int:resource_link_pk>/refresh")
@launched
def refresh_link(context_pk: int, resource_link_pk: int) -> ResponseReturnValue:
    """Read the roster from the LMS again, then show the placed unit (or why the LMS did not answer)."""
    return _link_page(context_pk, resource_link_pk, refresh=True)


@bp.get("/courses/<int:context_pk>/attempts/<attempt_id>/reset")
@launched
def reset_confirm(context_pk: int, attempt_id: str) -> ResponseReturnValue:
    """Ask before a reset, naming the learner, the unit, the attempt and any credential the learner holds for it."""
    session, context = _teacher(context_pk)
    attempt = attempt_of_course(db.session, context_pk, attempt_id)
    credential = live_credential(db.session, attempt.user_pk, attempt.unit_pk)
    return _render("dashboard/reset_confirm.html", session=session, context=context, attempt=attempt,
                   unit_title=localized(attempt.unit.doc.title, session.locale),
                   credential=credential, credential_title=present(credential.document).title if credential else "")


@bp.post("/courses/<int:context_pk>/attempts/<attempt_id>/reset")
@launched
def reset(context_pk: int, attempt_id: str) -> ResponseReturnValue:
    """Reset a submitted attempt (form or JSON field ``reason``, required); back to the placed unit's page."""
    session, _context = _teacher(context_pk)
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("reason", ""), str):
            raise ValidationFailed(N_("Send a JSON object with the reason as a string: {\"reason\": \"…\"}."))
        reason = body.get("reason", "")
    else:
        reason = request.form.get("reason", "")
    record = reset_attempt(db.session, session, context_pk, attempt_id, reason, now=utcnow())
    link_pk = record.attempt.resource_link_pk
    if request.is_json:
        return {"attempt": attempt_id, "state": "reset", "reset_at": record.reset_at.isoformat()}, 200
    return redirect(url_for("dashboard.link", context_pk=context_pk, resource_link_pk=link_pk, reset=attempt_id),
                    code=303)


@bp.post("/courses/<int:context_pk>/attempts/<attempt_id>/close")
@launched
def close(context_pk: int, attempt_id: str) -> ResponseReturnValue:
    """Close a learner's attempt in progress: score what was saved; back to the placed unit's page."""
    _teacher(context_pk)
    attempt = close_attempt(db.session, context_pk, attempt_id, now=utcnow())
    link_pk, result = attempt.resource_link_pk, attempt.result
    if request.is_json:
        return {"attempt": attempt_id, "state": "submitted", "result": result}, 200
    return redirect(url_for("dashboard.link", context_pk=context_pk, resource_link_pk=link_pk, closed=attempt_id),
                    code=303)


@bp.post("/courses/<int:context_pk>/links/<int:resource_link_pk>/grade-policy")
@launched
def grade_policy(context_pk: int, resource_link_pk: int) -> ResponseReturnValue:
    """Choose which attempt counts for the gradebook on this placement; every learner's grade follows."""
    _teacher(context_pk)
    link = services.placement(db.session, context_pk, resource_link_pk)
    body = request.get_json(silent=True) if request.is_json else None
    chosen = body.get("policy") if isinstance(body, dict) else request.form.get("policy", "")
    queued = change_policy(db.session, link, str(chosen or ""), utcnow())
    if request.is_json:
        return {"policy": link.grade_policy, "queued": queued}, 200
    return redirect(url_for("dashboard.link", context_pk=context_pk, resource_link_pk=resource_link_pk,
                            policy=link.grade_policy), code=303)


@bp.get("/courses/<int:context_pk>/attempts/<attempt_id>")
@launched
def attempt(context_pk: int, attempt_id: str) -> ResponseReturnValue:
    """One learner's attempt: their answers, the correct ones, scores per outcome, evidence and reviews."""
    session, context = _teacher(context_pk)
    detail = attempt_detail(db.session, context_pk, attempt_id, session.locale, yes=_("true"), no=_("false"))
    return _render("dashboard/attempt.html", session=session, context=context, detail=detail,
                   attempt=detail.attempt)


@bp.route("/courses/<int:context_pk>/learners/<int:user_pk>/name", methods=["GET", "POST"])
@launched
def learner_name(context_pk: int, user_pk: int) -> ResponseReturnValue:
    """See and correct the name a learner's credentials print; a correction reissues them (old ones superseded)."""
    session, context = _teacher(context_pk)
    learner = course_learner(db.session, context_pk, user_pk)
    reissued = None
    if request.method == "POST":
        fresh = correct_name(db.session, session, context_pk, user_pk, request.form.get("name", ""), utcnow())
        return redirect(url_for("dashboard.learner_name", context_pk=context_pk, user_pk=user_pk,
                                reissued=len(fresh)), code=303)
    if request.args.get("reissued", "").isdigit():
        reissued = int(request.args["reissued"])
    return _render("dashboard/learner_name.html", session=session, context=context, learner=learner,
                   credentials=course_credentials(db.session, context_pk, user_pk), reissued=reissued)


def _csv(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"  # learner data: keep it out of shared caches
    return response


@bp.get("/courses/<int:context_pk>/links/<int:resource_link_pk>/export.csv")
@launched
def export_link(context_pk: int, resource_link_pk: int) -> ResponseReturnValue:
    """CSV of one placed unit: one row per learner, a column per outcome."""
    session, context = _teacher(context_pk)
    link = services.placement(db.session, context_pk, resource_link_pk)
    [view] = pages.placements(db.session, context, _roster(context), session.locale, only=link)
    header, rows = pages.placement_table(view, current_settings().base_url, _)
    return _csv(csv_bytes(header, rows), filename("mastery", context.context_id, link.unit_slug or "", "learners"))


@bp.get("/courses/<int:context_pk>/dashboard/export.csv")
@launched
def export_course(context_pk: int) -> ResponseReturnValue:
    """CSV of the course: one row per learner, every placed unit's columns side by side."""
    session, context = _teacher(context_pk)
    views = pages.placements(db.session, context, _roster(context), session.locale)
    header, rows = pages.course_table(views, current_settings().base_url, _)
    return _csv(csv_bytes(header, rows), filename("mastery", context.context_id, "course"))
