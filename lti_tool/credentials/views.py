"""Public credential endpoints: verification page, signed documents, status lists, issuer, DID, verify API."""

from __future__ import annotations

import uuid

from flask import Blueprint, Flask, Response, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.catalogue.models import Unit
from lti_tool.catalogue.unit_texts import localized
from lti_tool.credentials import services
from lti_tool.credentials.exports import badge
from lti_tool.credentials.exports import services as exports
from lti_tool.credentials.exports.reader import issuer_view, present, verdict
from lti_tool.credentials.exports.sharing import learner_language_texts, linkedin_add_url
from lti_tool.credentials.models import Credential
from lti_tool.credentials.proof.contexts import ContextUrl, default_loader
from lti_tool.credentials.runtime import current_env
from lti_tool.credentials.status import store as status_store
from lti_tool.credentials.verification.payload import read_upload
from lti_tool.credentials.verification.services import verify_any
from lti_tool.db import db, utcnow
from lti_tool.errors import N_, NotFound
from lti_tool.locales import SUPPORTED_LOCALES

bp = Blueprint("credentials", __name__)

JSON_LD = "application/ld+json"
STATUS_MAX_AGE = 300  # seconds a verifier may cache a status list; a revocation shows within this time


def init_app(app: Flask) -> None:
    """Register the blueprints, the CLI group and the key ring (the wallet endpoints are lti_tool.wallets')."""
    from lti_tool.credentials import cli, learner_views, runtime

    runtime.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(learner_views.bp)
    cli.init_app(app)


def _json_ld(document: object, status: int = 200) -> Response:
    response = jsonify(document)
    response.status_code = status
    response.mimetype = JSON_LD
    return response


def _credential(cid: uuid.UUID) -> Credential:
    credential = services.get_credential(db.session, str(cid))
    if credential is None:
        raise NotFound(N_("There is no credential with this address. Check the link you were given."))
    return credential


def _wants_json_ld() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", JSON_LD, "application/json"])
    return best in {JSON_LD, "application/json"} and (
        request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


@bp.get("/credentials/<uuid:cid>")
def credential_page(cid: uuid.UUID) -> ResponseReturnValue:
    """The public verification page (HTML), or the signed credential for a JSON-LD client."""
    credential = _credential(cid)
    if _wants_json_ld():
        return _json_ld(credential.document)
    env = current_env()
    result = verify_any(db.session, env, credential.document, utcnow())
    page_url = services.credential_url(env.base_url, credential.id)
    response = Response(render_template(
        "credentials/page.html", credential=credential, view=present(credential.document), result=result,
        verdict=verdict(result["checks"], revoked=credential.revoked_at is not None),
        learner_texts=learner_language_texts(credential), page_url=page_url,
        badge_png=env.base_url + url_for("credentials.badge_png", cid=credential.id),
        linkedin_url=linkedin_add_url(credential, page_url),
    ))
    response.vary.add("Accept")
    response.vary.add("Accept-Language")
    return response


@bp.get("/credentials/<uuid:cid>.json")
def credential_json(cid: uuid.UUID) -> ResponseReturnValue:
    """The signed credential (JSON-LD with its Data Integrity proof)."""
    response = _json_ld(_credential(cid).document)
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="credential-{cid}.json"'
    return response


@bp.get("/credentials/<uuid:cid>.jwt")
def credential_jwt(cid: uuid.UUID) -> ResponseReturnValue:
    """The credential as a VC-JWT (made on first request, then kept)."""
    credential = _credential(cid)
    token = services.vc_jwt(db.session, credential)
    response = Response(token, mimetype="application/jwt")
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="credential-{cid}.jwt"'
    return response


@bp.get("/credentials/<uuid:cid>.pdf")
def credential_pdf(cid: uuid.UUID) -> ResponseReturnValue:
    """The printable certificate (PDF) with the Annex I elements and a QR code to this page."""
    pdf = exports.certificate(_credential(cid), current_env())
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="mastery-certificate-{cid}.pdf"'
    return response


@bp.get("/credentials/<uuid:cid>/qr.svg")
def credential_qr(cid: uuid.UUID) -> ResponseReturnValue:
    """A QR code of the public verification page."""
    return Response(exports.page_qr_svg(_credential(cid), current_env()), mimetype="image/svg+xml")


@bp.get("/credentials/<uuid:cid>/elm.json")
def credential_elm(cid: uuid.UUID) -> ResponseReturnValue:
    """The ELM v3 (Europass) export: unsigned JSON-LD, ready for a Europass JAdES e-seal."""
    response = _json_ld(exports.elm_document(_credential(cid), current_env()))
    response.headers["Content-Disposition"] = f'attachment; filename="credential-{cid}.elm.jsonld"'
    return response


def _badge_facts(unit: Unit, language: str = "en") -> badge.BadgeFacts:
    """The unit's badge in one language (the credential's: its title, in the image as in the signed caption)."""
    language = language if language in SUPPORTED_LOCALES else "en"
    return badge.BadgeFacts(title=localized(unit.doc.title, language), sector=unit.sector, language=language,
                            eqf_level=unit.eqf_level)


def _credential_badge(credential: Credential) -> badge.BadgeFacts:
    achievement = credential.document.get("credentialSubject", {}).get("achievement", {})
    return _badge_facts(credential.unit, str(achievement.get("inLanguage") or "en"))


def _image(body: str | bytes, mimetype: str, *, download: str | None = None) -> Response:
    response = Response(body, mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="{download}"'
    return response


@bp.get("/achievements/<slug>/<version>/badge.svg")
def achievement_badge(slug: str, version: str) -> ResponseReturnValue:
    """The unit's badge image (``achievement.image`` of every credential for this unit version)."""
    unit = services.unit_version(db.session, slug, version)
    if unit is None:
        raise NotFound(N_("There is no unit with this name and version."))
    # A credential in another language than English names its badge with ?lang= (issuing/builder.py).
    return _image(badge.badge_svg(_badge_facts(unit, request.args.get("lang", "en"))), "image/svg+xml")


@bp.get("/credentials/<uuid:cid>/badge.svg")
def badge_svg(cid: uuid.UUID) -> ResponseReturnValue:
    """The badge of the credential's unit (SVG)."""
    return _image(badge.badge_svg(_credential_badge(_credential(cid))), "image/svg+xml")


@bp.get("/credentials/<uuid:cid>/badge.png")
def badge_png(cid: uuid.UUID) -> ResponseReturnValue:
    """The badge of the credential's unit (PNG, for link previews)."""
    return _image(badge.badge_png(_credential_badge(_credential(cid))), "image/png")


@bp.get("/credentials/<uuid:cid>/baked.svg")
def baked_svg(cid: uuid.UUID) -> ResponseReturnValue:
    """The badge with the signed credential baked in (OB 3.0 §5.3, SVG)."""
    credential = _credential(cid)
    body = badge.bake_svg(badge.badge_svg(_credential_badge(credential)), credential.document)
    return _image(body, "image/svg+xml", download=f"badge-{cid}.svg")


@bp.get("/credentials/<uuid:cid>/baked.png")
def baked_png(cid: uuid.UUID) -> ResponseReturnValue:
    """The badge with the signed credential baked in (OB 3.0 §5.3, PNG iTXt chunk)."""
    credential = _credential(cid)
    body = badge.bake_png(badge.badge_png(_credential_badge(credential)), credential.document)
    return _image(body, "image/png", download=f"badge-{cid}.png")


@bp.get("/credentials/status/<int:list_id>")
def status_list(list_id: int) -> ResponseReturnValue:
    """The signed BitstringStatusListCredential, cacheable and conditional (ETag / If-None-Match)."""
    row = status_store.get_list(db.session, list_id)
    if row is None or row.document is None:
        raise NotFound(N_("There is no status list %(list)s."), list=list_id)
    # 304 when the verifier's cached copy is current (RFC 9110 §13.1.2).
    response = Response(status=304) if request.if_none_match.contains(row.etag) else _json_ld(row.document)
    response.set_etag(row.etag)
    response.cache_control.public = True
    response.cache_control.max_age = STATUS_MAX_AGE
    return response


@bp.get("/issuer.json")
def issuer_profile_json() -> ResponseReturnValue:
    """The issuer Profile (JSON-LD), whatever the client accepts."""
    return _json_ld(current_env().issuer.profile())


@bp.get("/issuer")
def issuer_profile() -> ResponseReturnValue:
    """The issuer Profile: JSON-LD for machines, a page for a person's browser (content negotiation)."""
    profile = current_env().issuer.profile()
    if request.accept_mimetypes.best_match([JSON_LD, "application/json", "text/html"]) == "text/html":
        response = Response(render_template("credentials/issuer.html", profile=profile, view=issuer_view(profile)))
    else:
        response = _json_ld(profile)
    response.vary.add("Accept")
    return response


@bp.get("/.well-known/did.json")
@bp.get("/did.json")
def did_document() -> ResponseReturnValue:
    """The did:web DID document (only when the tool has a public HTTPS base URL)."""
    issuer = current_env().issuer
    if not issuer.uses_did_web:
        raise NotFound(N_("This tool issues with a did:key (its base URL is not public HTTPS): there is no did:web."))
    return Response(_json_ld(issuer.did_document()).get_data(), mimetype="application/did+ld+json")


@bp.get("/contexts/mastery/v1.jsonld")
def mastery_context() -> ResponseReturnValue:
    """The exact pinned bytes of the MASTERY JSON-LD context."""
    response = Response(default_loader().raw_bytes(ContextUrl.MASTERY_V1.value), mimetype=JSON_LD)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.post("/api/verify")
def api_verify() -> ResponseReturnValue:
    """Verify an uploaded credential (JSON-LD, VC-JWT, or a multipart file); every check's result."""
    payload = read_upload(request)
    env = current_env()
    result = verify_any(db.session, env, payload, utcnow())
    credential = result.pop("credential", None)
    summary, record = None, None
    if isinstance(credential, dict):
        issuer = credential.get("issuer")
        summary = {"id": credential.get("id"), "name": credential.get("name"),
                   "issuer": issuer.get("id") if isinstance(issuer, dict) else issuer}
        record = services.own_credential(db.session, env.base_url, credential.get("id"))
    revocation = None
    if record is not None:
        # The status bit says "revoked"; the issuer's own record says when and why.
        revocation = {"revoked": record.revoked_at is not None,
                      "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
                      "reason": record.revocation_reason if record.revoked_at else None,
                      "superseded_by": (services.credential_url(env.base_url, record.superseded_by)
                                        if record.superseded_by else None)}
    db.session.rollback()  # verification only reads
    plain = verdict(result["checks"], revoked=bool(revocation and revocation["revoked"]))
    return jsonify({**result, "verdict": {"state": plain.state, "problems": list(plain.problems)},
                    "revocation": revocation, "credential": summary, "verified_at": utcnow().isoformat()})
