"""Learner JSON API for attempts (DESIGN.md §3) and the assessment pages that use it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, g, jsonify, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from lti_tool.assessment import autosave, credential_names, services
from lti_tool.assessment.availability import Blocked
from lti_tool.assessment.models import Attempt
from lti_tool.assessment.responses import AMBIGUOUS_NUMBER, number_hint
from lti_tool.assessment.uploads import discard_upload, download_name, readable_upload, store_upload
from lti_tool.catalogue.services import pin_placement_unit
from lti_tool.catalogue.unit_texts import localized
from lti_tool.credentials.exports.reader import present
from lti_tool.credentials.runtime import current_env
from lti_tool.credentials.services import credential_for, credential_url
from lti_tool.db import db, utcnow
from lti_tool.errors import N_, Conflict, NotFound, ValidationFailed
from lti_tool.launch.models import LaunchSession
from lti_tool.launch.web_session import current_launch, launched
from lti_tool.runtime import current_settings, runtime

bp = Blueprint("assessment", __name__)


def init_app(app: Flask) -> None:
    """Register the blueprint (what else happens when an attempt starts or ends: lti_tool.events)."""
    app.register_blueprint(bp)


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed(N_("Send a JSON object as the request body."))
    return body


@bp.post("/api/attempts")
@launched
def start() -> ResponseReturnValue:
    """Start (or resume) an attempt at the launched unit."""
    slug = _json_body().get("unit")
    if not isinstance(slug, str) or not slug:
        raise ValidationFailed(N_("Give the unit's slug as \"unit\"."))
    launch = current_launch()
    expired = close_expired_attempt(launch)
    attempt, created = services.start_attempt(db.session, launch, slug, now=utcnow())
    view = services.attempt_view(db.session, attempt, launch.locale)
    if expired is not None:
        view["expired_attempt"] = expired.id
    return jsonify(view), 201 if created else 200


def close_expired_attempt(launch: LaunchSession) -> Attempt | None:
    """Score and commit the launched learner's attempt whose time ran out, before anything else is decided."""
    expired = services.close_expired(db.session, launch, now=utcnow())
    if expired is not None:
        db.session.commit()  # the expiry stands whatever the rest of the request answers
    return expired


@bp.get("/api/attempts/<attempt_id>")
@launched
def show(attempt_id: str) -> ResponseReturnValue:
    """An attempt with its items (never the key), saved responses and, once submitted, the result."""
    launch = current_launch()
    attempt = services.own_attempt(db.session, launch, attempt_id)
    return jsonify(services.attempt_view(db.session, attempt, launch.locale))


@bp.put("/api/attempts/<attempt_id>/responses/<item_id>")
@launched
def save(attempt_id: str, item_id: str) -> ResponseReturnValue:
    """Autosave one response."""
    body = _json_body()
    if "response" not in body:
        raise ValidationFailed(N_("Send the answer as \"response\"."))
    value = autosave.save_response(db.session, current_launch(), attempt_id, item_id, body["response"], now=utcnow())
    return jsonify({"item": item_id, "response": value, "saved": True})


@bp.post("/api/attempts/<attempt_id>/submit")
@launched
def submit(attempt_id: str) -> ResponseReturnValue:
    """Submit; a second submit returns the same body."""
    body, late = services.submit(db.session, current_launch(), attempt_id, now=utcnow())
    db.session.commit()  # a late submit is scored and kept, and then answered with a 409
    if late:
        raise Conflict(N_("The time limit had passed when this attempt was submitted; the answers saved before the "
                          "deadline were scored. Open the unit to see your results."), code="time_limit_passed")
    return jsonify(body)


@bp.get("/units/<slug>/assessment")
@launched
def assessment_page(slug: str) -> ResponseReturnValue:
    """The assessment page: shows the attempt in progress, or a button that starts one (a GET never starts)."""
    launch = current_launch()
    services.check_placement(launch, slug)
    expired = close_expired_attempt(launch)
    attempt = services.open_attempt(db.session, launch)
    if attempt is None:
        unit = pin_placement_unit(db.session, launch.resource_link) if launch.resource_link is not None else None
        if unit is None:
            raise NotFound(N_("The unit “%(slug)s” is not in the catalogue."), slug=slug)
        if expired is None and request.args.get("expired"):
            try:
                expired = services.own_attempt(db.session, launch, request.args["expired"])
            except NotFound:
                expired = None  # a stale or foreign id in the URL: just offer the start
        return render_template("assessment/start.html", slug=slug, expired=expired,
                               unit_title=localized(unit.doc.title, launch.locale))
    view = services.attempt_view(db.session, attempt, launch.locale)
    return render_template("assessment/attempt.html", attempt=view, unit_title=localized(
        attempt.unit.doc.title, launch.locale), slug=slug, outcomes=_outcome_titles(attempt, launch.locale),
        ambiguous_number=AMBIGUOUS_NUMBER, number_hint=number_hint(launch.locale))


@bp.post("/units/<slug>/assessment")
@launched
def start_page(slug: str) -> ResponseReturnValue:
    """Start (or resume) the attempt from the page's form, then show it."""
    launch = current_launch()
    services.check_placement(launch, slug)
    expired = close_expired_attempt(launch)
    if expired is not None:
        # Say what happened before starting anything new: the page shows the scored attempt and a start button.
        return _redirect_in_session("assessment.assessment_page", slug=slug, expired=expired.id)
    try:
        services.start_attempt(db.session, launch, slug, now=utcnow())
    except Conflict as refused:
        if refused.code not in set(Blocked):
            raise
        # Not an error for a person: the unit page shows the state (attempts left, when the next one opens).
        db.session.rollback()
        return _redirect_in_session("units.unit_page", slug=slug)
    return _redirect_in_session("assessment.assessment_page", slug=slug)


def _redirect_in_session(endpoint: str, **values: str) -> ResponseReturnValue:
    token = g.get("launch_token")  # cookies blocked: the session travels in the URL (never logged)
    params: dict[str, Any] = {**values, **({"ls": token} if token else {})}
    return redirect(url_for(endpoint, **params), code=303)


@bp.get("/units/<slug>/attempts/<attempt_id>")
@launched
def result_page(slug: str, attempt_id: str) -> ResponseReturnValue:
    """Results per learning outcome of a submitted attempt."""
    launch = current_launch()
    attempt = services.own_attempt(db.session, launch, attempt_id)
    view = services.attempt_view(db.session, attempt, launch.locale)
    earned = credential_for(db.session, launch.user_pk, attempt.unit_pk) if attempt.mastered else None
    # The unit's own texts are in the learner's language only where the unit is complete in it (lang= says so).
    text_lang = attempt.unit.doc.content_language(launch.locale)
    prompts = {str(item["id"]): item["prompt"] for item in view["items"]}
    return render_template("assessment/result.html", attempt=view, slug=slug, text_lang=text_lang, prompts=prompts,
                           unit_title=localized(attempt.unit.doc.title, text_lang),
                           outcomes=_outcome_titles(attempt, text_lang), credential=earned,
                           credential_view=present(earned.document) if earned else None,
                           credential_url=credential_url(current_env().base_url, earned.id) if earned else "")


def _outcome_titles(attempt: Attempt, lang: str) -> dict[str, str]:
    return {o.id: localized(o.title, lang) for o in attempt.unit.doc.outcomes}



@bp.post("/me/name")
@launched
def give_name() -> ResponseReturnValue:
    """The learner gives the name their credentials print (asked once, when the LMS shared none)."""
    launch = current_launch()
    body = request.get_json(silent=True) if request.is_json else None
    raw = body.get("name") if isinstance(body, dict) else request.form.get("name", "")
    issued = credential_names.give_name(db.session, launch, str(raw or ""), utcnow())
    if request.is_json:
        return jsonify({"name": launch.user.printed_name, "issued": [c.id for c in issued]})
    target = url_for("units.unit_page", slug=launch.unit_slug) if launch.unit_slug else url_for(
        "my_credentials.my_credentials")
    return redirect(f"{target}?name_saved=1", code=303)


@bp.post("/api/attempts/<attempt_id>/uploads/<item_id>")
@launched
def upload(attempt_id: str, item_id: str) -> ResponseReturnValue:
    """Store one evidence file (multipart field "file"); answer its id to put in the practical response."""
    sent = request.files.get("file")
    if sent is None:
        raise ValidationFailed(N_("Send the file as the multipart field \"file\"."))
    settings, store = current_settings(), runtime().upload_store
    stored = store_upload(db.session, current_launch(), attempt_id, item_id, sent.stream, sent.filename or "",
                          store=store, now=utcnow(), max_bytes=settings.evidence_max_mb * 1024 * 1024)
    try:
        db.session.commit()  # here, not at the request end: a row that cannot be kept takes its file with it
    except SQLAlchemyError:
        discard_upload(stored, store=store)  # no row, no file: nothing orphaned
        raise
    return jsonify({"upload": stored.id, "filename": stored.filename, "size": stored.size,
                    "content_type": stored.content_type}), 201


@bp.get("/uploads/<upload_id>")
@launched
def download(upload_id: str) -> ResponseReturnValue:
    """An evidence file, for its learner and the teachers of the course only; never rendered inline."""
    stored, stream, size = readable_upload(db.session, current_launch(), upload_id, store=runtime().upload_store)
    mimetype = stored.content_type + ("; charset=utf-8" if stored.content_type == "text/plain" else "")
    # Saved under the name it was shown with, ending in the extension of what it really is ("run.bat.txt").
    response = send_file(stream, mimetype=mimetype, as_attachment=True,
                         download_name=download_name(stored.filename, stored.content_type), max_age=0)
    response.content_length = size  # a stream has no length of its own
    return response
