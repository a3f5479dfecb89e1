"""Public credential endpoints: verification page, signed documents, status lists, issuer, DID, verify API."""

from __future__ import annotations

import uuid

from flask import Blueprint, Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from lti_tool.credentials import exports, services, status_store
from lti_tool.credentials.contexts import ContextUrl, default_loader
from lti_tool.credentials.models import Credential
from lti_tool.credentials.presentation import present
from lti_tool.credentials.runtime import current_env
from lti_tool.credentials.upload import read_upload
from lti_tool.credentials.verification import verify_any
from lti_tool.db import db, utcnow
from lti_tool.errors import NotFound

bp = Blueprint("credentials", __name__)

JSON_LD = "application/ld+json"
STATUS_MAX_AGE = 300  # seconds a verifier may cache a status list; a revocation shows within this time


def init_app(app: Flask) -> None:
    """Register the blueprints, the CLI group and the key ring."""
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
        raise NotFound("There is no credential with this address. Check the link you were given.")
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
    response = Response(render_template(
        "credentials/page.html", credential=credential, view=present(credential.document), result=result,
        page_url=services.credential_url(env.base_url, credential.id),
    ))
    response.vary.add("Accept")
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
    db.session.commit()
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


@bp.get("/credentials/status/<int:list_id>")
def status_list(list_id: int) -> ResponseReturnValue:
    """The signed BitstringStatusListCredential, cacheable and conditional (ETag / If-None-Match)."""
    row = status_store.get_list(db.session, list_id)
    if row is None or row.document is None:
        raise NotFound(f"There is no status list {list_id}.")
    # 304 when the verifier's cached copy is current (RFC 9110 §13.1.2).
    response = Response(status=304) if request.if_none_match.contains(row.etag) else _json_ld(row.document)
    response.set_etag(row.etag)
    response.cache_control.public = True
    response.cache_control.max_age = STATUS_MAX_AGE
    return response


@bp.get("/issuer")
def issuer_profile() -> ResponseReturnValue:
    """The issuer Profile (JSON-LD)."""
    return _json_ld(current_env().issuer.profile())


@bp.get("/.well-known/did.json")
@bp.get("/did.json")
def did_document() -> ResponseReturnValue:
    """The did:web DID document (only when the tool has a public HTTPS base URL)."""
    issuer = current_env().issuer
    if not issuer.uses_did_web:
        raise NotFound("This tool issues with a did:key (its base URL is not public HTTPS): there is no did:web.")
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
    result = verify_any(db.session, current_env(), payload, utcnow())
    db.session.rollback()  # verification only reads
    credential = result.pop("credential", None)
    summary = None
    if isinstance(credential, dict):
        issuer = credential.get("issuer")
        summary = {"id": credential.get("id"), "name": credential.get("name"),
                   "issuer": issuer.get("id") if isinstance(issuer, dict) else issuer}
    return jsonify({**result, "credential": summary, "verified_at": utcnow().isoformat()})
