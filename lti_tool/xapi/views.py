"""The published xAPI profile (and its concept IRIs), the administrator's outbox page, and the unit page's
"section read" signal."""

from __future__ import annotations

import json
import uuid

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.catalogue.services import pin_placement_unit
from lti_tool.db import db, utcnow
from lti_tool.errors import N_, Forbidden, NotFound, ToolError, ValidationFailed
from lti_tool.events import SectionRead, publish
from lti_tool.launch.claims import Role
from lti_tool.launch.models import LaunchSession
from lti_tool.launch.web_session import current_launch, is_staff, launched, session_roles
from lti_tool.runtime import current_settings
from lti_tool.xapi import outbox
from lti_tool.xapi.export import parse_since
from lti_tool.xapi.lrs_client import LrsError
from lti_tool.xapi.profile import PROFILE_VERSION, profile_document
from lti_tool.xapi.services import export_csv

bp = Blueprint("xapi", __name__)
JSON_LD = "application/ld+json"


class LrsUnavailable(ToolError):
    """The LRS cannot be read (the export needs it; delivery does not)."""

    status = 502
    code = "lrs_unavailable"
    title = N_("The learning record store is not answering")



def _json_ld(document: object) -> Response:
    response = Response(json.dumps(document, ensure_ascii=False, indent=2), mimetype=JSON_LD)
    response.headers["Access-Control-Allow-Origin"] = "*"  # public vocabulary, read by other tools' LRS UIs
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/xapi/profile")
@bp.get(f"/xapi/profile/v{PROFILE_VERSION}")
def profile() -> ResponseReturnValue:
    """The xAPI Profile document; its `id` is this URL, its version IRI the versioned one."""
    return _json_ld(profile_document(current_settings().base_url))


@bp.get("/xapi/<any(verbs, 'activity-types', extensions):kind>/<name>")
def concept(kind: str, name: str) -> ResponseReturnValue:
    """One concept of the profile (a verb, activity type or extension IRI resolves to its definition)."""
    document = profile_document(current_settings().base_url)
    iri = f"{current_settings().base_url}/xapi/{kind}/{name}"
    for item in document["concepts"]:
        if item["id"] == iri:
            return _json_ld({"@context": document["@context"], **item})
    raise NotFound("This term is not part of the MASTERY xAPI profile.")


def _administrator() -> LaunchSession:
    session = current_launch()
    if not (is_staff(session) and Role.ADMINISTRATOR in session_roles(session)):
        raise Forbidden("Only an administrator of your platform can see the learning-record delivery.")
    return session


def _tenant(session: LaunchSession) -> outbox.Tenant:
    """The (issuer, client id, deployment) the administrator launched from: two registrations on one issuer
    (institutions on a shared cloud LMS) never see, requeue or export each other's statements."""
    deployment = session.deployment
    return outbox.Tenant(issuer=deployment.platform.issuer, client_id=deployment.platform.client_id,
                         deployment_id=deployment.deployment_id)


# The outbox states in the administrator's words (the raw state stays in each row's data-state).
STATE_LABELS = {"pending": N_("waiting"), "delivered": N_("delivered"),
                "conflict": N_("conflict (another statement holds this id)"), "dead": N_("refused (dead letter)")}


@bp.get("/xapi/admin")
@launched
def admin() -> ResponseReturnValue:
    """Backlog, dead letters and conflicts of the administrator's platform, with a requeue button."""
    tenant = _tenant(_administrator())
    return render_template("xapi/admin.html", role="administrator", backlog=outbox.backlog(db.session, tenant=tenant),
                           problems=outbox.problems(db.session, tenant=tenant), lrs_url=current_settings().lrs_url,
                           requeued=request.args.get("requeued"), state_labels=STATE_LABELS)


@bp.post("/xapi/admin/requeue")
@launched
def admin_requeue() -> ResponseReturnValue:
    """Requeue one statement (`id`), every dead letter (`dead`), or every waiting statement."""
    session = _administrator()
    raw = request.form.get("id", "").strip()
    try:
        ids = [uuid.UUID(raw)] if raw else []
    except ValueError:
        raise ValidationFailed("That is not a statement id.") from None
    count = outbox.requeue(db.session, dead=bool(request.form.get("dead")), ids=ids, tenant=_tenant(session))
    return redirect(url_for("xapi.admin", requeued=count), code=303)


@bp.get("/xapi/admin/export.csv")
@launched
def admin_export() -> ResponseReturnValue:
    """The consortium CSV for the administrator's platform, read from the LRS."""
    session = _administrator()
    try:
        since = parse_since(request.args.get("since"))
    except ValueError as error:
        raise ValidationFailed(str(error)) from None
    try:
        body = export_csv(db.session, current_settings(), since, tenant=_tenant(session))
    except LrsError:
        raise LrsUnavailable("The learning record store cannot be read right now. Try again later.") from None
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="mastery-xapi-export.csv"'
    return response


@bp.post("/api/units/<slug>/sections/<section_id>/experienced")
@launched
def section_read(slug: str, section_id: str) -> ResponseReturnValue:
    """The unit page tells us a study section was read (scrolled into view): an xAPI "experienced"."""
    session = current_launch()
    link = session.resource_link
    if link is None or link.unit_slug != slug:
        raise Forbidden(N_("This unit is not the activity you opened from your course."))
    unit = pin_placement_unit(db.session, link)
    if unit is None:
        raise NotFound(N_("The unit “%(slug)s” is not in the MASTERY catalogue."), slug=slug)
    if unit.doc.section(section_id) is None:
        raise NotFound(N_("Section %(section)s is not part of this unit."), section=section_id)
    publish(db.session, SectionRead(session=session, unit=unit, section_id=section_id, at=utcnow()))
    # Staff previews are not learning records: only a learner's reading is recorded.
    return jsonify({"recorded": 1 if session.is_learner else 0})
