"""OpenID4VCI endpoints (metadata, token, nonce, credential) and the learner's "Add to wallet" offer page."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from lti_tool.credentials import services as credential_services
from lti_tool.credentials.exports.qr import qr_svg
from lti_tool.credentials.runtime import current_env
from lti_tool.db import db, utcnow
from lti_tool.errors import N_, Conflict, NotFound
from lti_tool.launch.web_session import current_launch, launched
from lti_tool.wallets import exchange, services
from lti_tool.wallets.services import OAuthError

bp = Blueprint("wallets", __name__)


def _no_store(response: Response) -> Response:
    # RFC 6749 §5.1: token responses (and anything carrying a secret) must not be cached.
    response.headers["Cache-Control"] = "no-store"
    return response


def _error(error: OAuthError) -> Response:
    response = jsonify({"error": error.code, "error_description": error.description})
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer error="{error.code}"'
    return _no_store(response)


@bp.get("/.well-known/openid-credential-issuer")
def issuer_metadata() -> ResponseReturnValue:
    """Credential Issuer Metadata (OpenID4VCI 1.0 §12.2)."""
    return jsonify(services.issuer_metadata(current_env()))


@bp.get("/.well-known/oauth-authorization-server")
def authorization_server_metadata() -> ResponseReturnValue:
    """Authorization Server Metadata (RFC 8414): the token endpoint of the pre-authorized code grant."""
    return jsonify(services.authorization_server_metadata(current_env()))


@bp.post(services.TOKEN_PATH)
def token() -> ResponseReturnValue:
    """Token endpoint: pre-authorized code (+ tx_code) → access token, once."""
    form = {key: value for key, value in request.form.items()}
    try:
        answer = services.exchange_code(db.session, form, now=utcnow())
    except OAuthError as error:
        db.session.commit()  # a wrong tx_code is counted, so the offer burns after a few guesses
        return _error(error)
    return _no_store(jsonify(answer))


@bp.post(services.NONCE_PATH)
def nonce() -> ResponseReturnValue:
    """Nonce endpoint (§7): a fresh c_nonce for the wallet's proof."""
    value = services.new_nonce(db.session, now=utcnow())
    return _no_store(jsonify({"c_nonce": value}))


@bp.post(services.CREDENTIAL_PATH)
def credential() -> ResponseReturnValue:
    """Credential endpoint (§8): the holder-bound credential, checked and issued exactly once per offer."""
    body = request.get_json(silent=True) if request.is_json else None
    try:
        answer = services.issue(db.session, current_env(), request.headers.get("Authorization"), body, now=utcnow())
    except OAuthError as error:
        db.session.rollback()
        return _error(error)
    return _no_store(jsonify(answer))


@bp.post(exchange.EXCHANGE_PATH + "/<uuid:exchange_id>/<transaction>")
def exchange_complete(exchange_id: uuid.UUID, transaction: str) -> ResponseReturnValue:
    """VC-API exchange, step two (and the DCC deep link's vc_request_url): DIDAuth in, credential out, once."""
    body = request.get_json(silent=True) if request.is_json else None
    if body == {}:
        # An empty body starts the exchange (VC-API): answer with the request for DIDAuth.
        try:
            answer = exchange.presentation_request(db.session, current_env(), str(exchange_id), transaction,
                                                   now=utcnow())
        except OAuthError as error:
            return _error(error)
        return _no_store(jsonify(answer))
    try:
        issued = exchange.complete(db.session, current_env(), str(exchange_id), transaction[:256], body,
                                   now=utcnow())
    except OAuthError as error:
        db.session.rollback()
        return _error(error)
    return _no_store(jsonify(issued))


@bp.post("/me/credentials/<uuid:cid>/wallet")
@launched
def wallet_offer(cid: uuid.UUID) -> ResponseReturnValue:
    """The learner's own credential offered to a wallet: QR code, openid-credential-offer:// link, tx_code."""
    session = current_launch()
    found = credential_services.get_credential(db.session, str(cid))
    if found is None or found.user_pk != session.user_pk or found.superseded_at is not None:
        raise NotFound(N_("There is no such credential among yours."))
    if found.revoked_at is not None:
        raise Conflict(N_("This credential was revoked; it cannot be put into a wallet."))
    env = current_env()
    offer = services.create_offer(db.session, env, found, now=utcnow(), with_tx_code=True)
    lcw = exchange.create_exchange(db.session, env, found, now=utcnow())
    page = render_template("credentials/wallet_offer.html", credential=found, offer=offer, lcw=lcw,
                           qr=qr_svg(offer.uri, title="Credential offer for your wallet"),
                           lcw_qr=qr_svg(lcw.deep_link, title="Learner Credential Wallet link"),
                           minutes=int(services.OFFER_LIFETIME.total_seconds() // 60),
                           session=session, role="learner", lang=session.locale)
    return _no_store(Response(page))
