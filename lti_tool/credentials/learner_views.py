"""Credential pages behind a launch: the learner's "My credentials" and the teacher's revocation page."""

from __future__ import annotations

import uuid

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.catalogue.unit_texts import localized
from lti_tool.credentials import services
from lti_tool.credentials.exports.reader import present
from lti_tool.credentials.models import Credential
from lti_tool.credentials.runtime import current_env
from lti_tool.db import db, utcnow
from lti_tool.errors import N_, Forbidden, NotFound, ValidationFailed
from lti_tool.launch.models import LaunchSession
from lti_tool.launch.web_session import current_launch, launched, require_context, staff_only
from lti_tool.negotiation import wants_json

bp = Blueprint("my_credentials", __name__)


def _entry(credential: Credential, base_url: str) -> dict[str, object]:
    return {
        "id": credential.id,
        "unit": credential.unit.slug,
        "url": services.credential_url(base_url, credential.id),
        "issued": credential.issued_at.isoformat(),
        "revoked": credential.revoked_at is not None,
    }


@bp.get("/api/me/credentials")
@launched
def api_my_credentials() -> ResponseReturnValue:
    """The launched learner's credentials (DESIGN.md §3)."""
    session = current_launch()
    base_url = current_env().base_url
    return jsonify({"credentials": [_entry(c, base_url) for c in services.credentials_of(db.session, session.user_pk)]})


@bp.get("/me/credentials")
@launched
def my_credentials() -> ResponseReturnValue:
    """The learner's page: each credential with downloads and a share link."""
    session = current_launch()
    base_url = current_env().base_url
    rows = [(c, present(c.document), services.credential_url(base_url, c.id))
            for c in services.credentials_of(db.session, session.user_pk)]
    return render_template("credentials/mine.html", rows=rows, session=session, role="learner", lang=session.locale)


def _teacher_of(session: LaunchSession, context_pk: int) -> None:
    staff_only(session)
    require_context(session, context_pk)


@bp.get("/courses/<int:context_pk>/credentials")
@launched
def course_credentials(context_pk: int) -> ResponseReturnValue:
    """Credentials earned in this course, with a revoke form each (teachers of the course only)."""
    session = current_launch()
    _teacher_of(session, context_pk)
    rows = [(c, present(c.document)) for c in services.credentials_of_context(db.session, context_pk)]
    return render_template("credentials/course.html", rows=rows, session=session, context_pk=context_pk,
                           role="instructor", revoked=request.args.get("revoked"))


@bp.get("/credentials/<uuid:cid>/revoke")
@launched
def revoke_confirm(cid: uuid.UUID) -> ResponseReturnValue:
    """Ask before revoking, naming the learner, the unit and the credential's title."""
    session = current_launch()
    credential = services.get_credential(db.session, str(cid))
    if credential is None or credential.context_pk is None:
        raise NotFound(N_("There is no such credential in your course."))
    _teacher_of(session, credential.context_pk)
    return render_template("credentials/revoke_confirm.html", credential=credential, view=present(credential.document),
                           unit_title=localized(credential.unit.doc.title, session.locale), session=session,
                           role="instructor")


@bp.post("/credentials/<uuid:cid>/revoke")
@launched
def revoke(cid: uuid.UUID) -> ResponseReturnValue:
    """Revoke a credential earned in the teacher's own course (CSRF-checked form or JSON)."""
    session = current_launch()
    credential = services.get_credential(db.session, str(cid))
    if credential is None:
        raise NotFound(N_("There is no such credential."))
    if credential.context_pk is None:
        raise Forbidden(N_("This credential was not earned in a course; only an administrator can revoke it."))
    _teacher_of(session, credential.context_pk)
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("reason", ""), str):
            raise ValidationFailed(N_("Send a JSON object with the reason as a string: {\"reason\": \"…\"}."))
        reason = body.get("reason", "").strip()
    else:
        reason = request.form.get("reason", "").strip()
    if not reason:
        raise ValidationFailed(N_("Give a reason for the revocation; the learner and verifiers will see it."))
    user = session.user
    changed = services.revoke(db.session, credential, reason, f"teacher {user.name or user.sub} ({user.issuer})",
                              now=utcnow())
    if wants_json() or request.is_json:
        return jsonify({"id": credential.id, "revoked": True, "changed": changed,
                        "revoked_at": credential.revoked_at.isoformat() if credential.revoked_at else None})
    return redirect(url_for("my_credentials.course_credentials", context_pk=credential.context_pk,
                            revoked=credential.id), code=303)
