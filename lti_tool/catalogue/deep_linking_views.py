"""The Deep Linking unit picker and the signed answer sent back to the platform (Deep Linking 2.0)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from lti_tool.catalogue.models import Unit
from lti_tool.catalogue.picker import UnitFilter, esco_label, filter_choices
from lti_tool.catalogue.placements import record_deep_link
from lti_tool.catalogue.services import current_unit, current_units, unit_json
from lti_tool.db import db, utcnow
from lti_tool.errors import N_, Forbidden, ValidationFailed
from lti_tool.launch.deep_linking import (
    DeepLinkingSettings,
    PickedUnit,
    check_selection,
    content_items,
    parse_settings,
    response_claims,
    sign,
)
from lti_tool.launch.keys import ensure_active_key
from lti_tool.launch.models import LaunchSession
from lti_tool.launch.web_session import current_launch, is_staff, launched
from lti_tool.negotiation import wants_json
from lti_tool.runtime import current_settings
from lti_tool.settings import Settings

bp = Blueprint("deep_linking", __name__)

MAX_UNITS_PER_ANSWER = 50  # more than the catalogue holds; bounds the JWT's size


def _teacher_request(session: LaunchSession) -> DeepLinkingSettings:
    """Only staff may place units (Deep Linking is a teacher's action); the request must be answerable."""
    if not is_staff(session):
        raise Forbidden(N_("Only teachers and course designers can add MASTERY units to a course. "
                           "Open the unit your teacher placed in the course instead."), code="not_teacher")
    return parse_settings(session.claims)


def _entry(unit: Unit, lang: str) -> dict[str, Any]:
    """A picker card: the public catalogue entry plus the unit's languages and skill labels in ``lang``."""
    entry = unit_json(unit, lang)
    entry["languages"] = list(unit.doc.languages)
    entry["skills"] = [(uri, esco_label(uri, lang)) for uri in entry["esco"]]
    return entry


@bp.get("/lti/deep-linking")
@launched  # its URL carries the launch's token (ls), as a unit page's does: a reload in a frame without cookies
def picker() -> ResponseReturnValue:
    """Where a deep-linking launch lands: the unit picker."""
    return picker_page(current_launch())


def picker_page(session: LaunchSession) -> ResponseReturnValue:
    """The unit picker a deep-linking launch lands on: search, filters, previews, multi-select."""
    settings = _teacher_request(session)
    entries = [_entry(unit, session.locale) for unit in current_units(db.session)]
    chosen = UnitFilter.from_args(request.args)
    return render_template(
        "launch/deep_linking_picker.html", session=session, settings=settings, chosen=chosen,
        choices=filter_choices(entries, session.locale), entries=[entry for entry in entries if chosen.matches(entry)],
        total=len(entries), lang=session.locale,
    )


@bp.post("/lti/deep-linking/response")
@launched
def respond() -> ResponseReturnValue:
    """Sign the LtiDeepLinkingResponse for the picked units and hand it to the browser for the platform."""
    session = current_launch()
    settings = _teacher_request(session)
    slugs = [slug.strip() for slug in request.form.getlist("unit") if slug.strip()][:MAX_UNITS_PER_ANSWER + 1]
    check_selection(settings, slugs)
    if len(slugs) > MAX_UNITS_PER_ANSWER:
        raise ValidationFailed(N_("Pick at most %(limit)s units at once."), code="too_many", limit=MAX_UNITS_PER_ANSWER)
    picked: list[PickedUnit] = []
    for slug in slugs:
        unit = current_unit(db.session, slug)
        if unit is None:
            raise ValidationFailed(N_("The unit %(unit)s is not in the MASTERY catalogue."), code="unknown_unit",
                                   unit=slug)
        entry = unit_json(unit, session.locale)
        picked.append(PickedUnit(slug=unit.slug, title=entry["title"], text=entry["summary"], version=unit.version))
    tool: Settings = current_settings()
    platform = session.deployment.platform
    claims = response_claims(
        issuer=platform.issuer, client_id=platform.client_id, deployment_id=session.deployment.deployment_id,
        settings=settings, items=content_items(picked, launch_url=tool.base_url + "/lti/launch",
                                                settings=settings),
        message=f"{len(picked)} MASTERY unit(s) added.",
    )
    key = ensure_active_key(db.session)
    token = sign(claims, kid=key.kid, private_pem=key.private_pem)
    # The course dashboard lists the units from now on, before the LMS launches them the first time.
    record_deep_link(db.session, session, [(p.slug, p.version, p.title) for p in picked], utcnow())
    current_app.logger.info("deep-linking response for %s: %s", platform.issuer, ", ".join(slugs))
    if wants_json():
        # The picker's script asks for JSON when cookies are blocked and it sends the session in a header.
        return jsonify({"return_url": settings.return_url, "JWT": token})
    return render_template("launch/deep_linking_return.html", session=session, return_url=settings.return_url,
                           jwt=token, picked=picked)
