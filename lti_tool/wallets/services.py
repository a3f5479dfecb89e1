"""OpenID4VCI 1.0 pre-authorized code flow: offers, token, nonce, credential (exactly once per offer).

Spec sections: credential offer §4, token endpoint §6 (pre-authorized code grant, tx_code), nonce endpoint §7,
credential endpoint §8, issuer metadata §12.2. The caller owns the transaction; every state change here is a
conditional UPDATE or DELETE whose row count decides, so racing requests cannot use a code, a token or a nonce
twice.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.credentials.models import Credential
from lti_tool.credentials.proof import vcjwt
from lti_tool.credentials.proof.contexts import CREDENTIAL_CONTEXT
from lti_tool.credentials.proof.dataintegrity import issuer_id
from lti_tool.credentials.proof.fast_proof import sign_fast
from lti_tool.credentials.runtime import CredentialEnv
from lti_tool.wallets.models import CredentialOffer, WalletNonce
from lti_tool.wallets.proofs import ALGORITHMS, ProofError, check_proof

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
OFFER_SCHEME = "openid-credential-offer://"
OFFER_LIFETIME = dt.timedelta(minutes=10)
TOKEN_LIFETIME = dt.timedelta(minutes=5)
NONCE_LIFETIME = dt.timedelta(minutes=5)
TX_CODE_LENGTH = 4
TX_CODE_ATTEMPTS = 5
TOKEN_PATH, NONCE_PATH, CREDENTIAL_PATH = "/oid4vci/token", "/oid4vci/nonce", "/oid4vci/credential"
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
LDP_VC = "OpenBadgeCredential_ldp_vc"
JWT_VC_JSON = "OpenBadgeCredential_jwt_vc_json"


class OAuthError(Exception):
    """An error answered as ``{"error": code, "error_description": text}`` (RFC 6749 §5.2, OpenID4VCI §8.3.1.2)."""

    def __init__(self, code: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.code, self.description, self.status = code, description, status


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def configurations() -> dict[str, dict[str, Any]]:
    """credential_configurations_supported: the OB 3.0 credential as ldp_vc and as jwt_vc_json (Appendix A)."""
    proof_types = {"jwt": {"proof_signing_alg_values_supported": list(ALGORITHMS)}}
    binding = ["did:key", "jwk"]
    display = [{"name": "MASTERY micro-credential", "locale": "en"}]
    return {
        LDP_VC: {
            "format": "ldp_vc", "scope": "OpenBadgeCredential",
            "credential_definition": {"@context": copy.deepcopy(CREDENTIAL_CONTEXT), "type": CREDENTIAL_TYPES},
            "cryptographic_binding_methods_supported": binding,
            "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
            "proof_types_supported": proof_types, "display": display,
        },
        JWT_VC_JSON: {
            "format": "jwt_vc_json", "scope": "OpenBadgeCredential",
            "credential_definition": {"type": CREDENTIAL_TYPES},
            "cryptographic_binding_methods_supported": binding,
            "credential_signing_alg_values_supported": ["EdDSA"],
            "proof_types_supported": proof_types, "display": display,
        },
    }


def issuer_metadata(env: CredentialEnv) -> dict[str, Any]:
    """Credential Issuer Metadata (§12.2); the authorization server is the issuer itself."""
    return {
        "credential_issuer": env.base_url,
        "credential_endpoint": env.base_url + CREDENTIAL_PATH,
        "nonce_endpoint": env.base_url + NONCE_PATH,
        "display": [{"name": env.issuer.info().name, "locale": "en"}],
        "credential_configurations_supported": configurations(),
    }


def authorization_server_metadata(env: CredentialEnv) -> dict[str, Any]:
    """OAuth 2.0 Authorization Server Metadata (RFC 8414) for the pre-authorized code grant only."""
    return {
        "issuer": env.base_url,
        "token_endpoint": env.base_url + TOKEN_PATH,
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }


@dataclass(frozen=True)
class Offer:
    """A new offer as the learner's page shows it (the secrets exist only here, never stored in clear)."""

    offer: CredentialOffer
    document: dict[str, Any]
    uri: str
    tx_code: str | None


def create_offer(session: so.Session, env: CredentialEnv, credential: Credential, *, now: dt.datetime,
                 with_tx_code: bool) -> Offer:
    """A single-use, short-lived offer of ``credential`` (both formats), optionally with a transaction code."""
    code = secrets.token_urlsafe(32)
    tx_code = "".join(secrets.choice("0123456789") for _ in range(TX_CODE_LENGTH)) if with_tx_code else None
    row = CredentialOffer(id=str(uuid.uuid4()), credential_id=credential.id, code_hash=_hash(code),
                          tx_code_hash=_hash(tx_code) if tx_code else None, expires_at=now + OFFER_LIFETIME,
                          created_at=now)
    session.add(row)
    session.flush()
    grant: dict[str, Any] = {"pre-authorized_code": code}
    if tx_code:
        grant["tx_code"] = {"input_mode": "numeric", "length": TX_CODE_LENGTH,
                            "description": "The code shown next to the QR code on your credential page"}
    document = {"credential_issuer": env.base_url, "credential_configuration_ids": [LDP_VC, JWT_VC_JSON],
                "grants": {PRE_AUTHORIZED_GRANT: grant}}
    uri = OFFER_SCHEME + "?credential_offer=" + quote(json.dumps(document, separators=(",", ":")), safe="")
    return Offer(row, document, uri, tx_code)


def exchange_code(session: so.Session, form: dict[str, str], *, now: dt.datetime) -> dict[str, Any]:
    """Token endpoint: a pre-authorized code (and tx_code) for an access token, once."""
    if form.get("grant_type") != PRE_AUTHORIZED_GRANT:
        raise OAuthError("unsupported_grant_type", "only the pre-authorized code grant is supported")
    code = form.get("pre-authorized_code") or ""
    if not code:
        raise OAuthError("invalid_request", "pre-authorized_code is missing")
    offer = session.scalar(sa.select(CredentialOffer).where(CredentialOffer.code_hash == _hash(code)))
    if offer is None or offer.code_used_at is not None or _aware(offer.expires_at) <= now or offer.format:
        # (a row with a format from the start is a VC-API exchange, not an OpenID4VCI offer)
        raise OAuthError("invalid_grant", "the pre-authorized code is unknown, expired or already used")
    tx_code = form.get("tx_code")
    if offer.tx_code_hash is None and tx_code is not None:
        raise OAuthError("invalid_request", "this offer has no transaction code")
    if offer.tx_code_hash is not None:
        if not tx_code:
            raise OAuthError("invalid_request", "the transaction code (tx_code) is missing")
        if not secrets.compare_digest(_hash(tx_code), offer.tx_code_hash):
            # A wrong guess burns the offer after a few tries: a 4-digit code must not be brute-forced.
            failures = offer.tx_code_failures + 1
            values: dict[str, Any] = {"tx_code_failures": failures}
            if failures >= TX_CODE_ATTEMPTS:
                values["code_used_at"] = now
            session.execute(sa.update(CredentialOffer).where(CredentialOffer.id == offer.id).values(**values))
            raise OAuthError("invalid_grant", "the transaction code is wrong")
    token = secrets.token_urlsafe(32)
    claimed = session.execute(
        sa.update(CredentialOffer)
        .where(CredentialOffer.id == offer.id, CredentialOffer.code_used_at.is_(None))
        .values(code_used_at=now, token_hash=_hash(token), token_expires_at=now + TOKEN_LIFETIME)
    ).rowcount  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult, which has it
    if claimed != 1:
        raise OAuthError("invalid_grant", "the pre-authorized code is unknown, expired or already used")
    return {"access_token": token, "token_type": "Bearer", "expires_in": int(TOKEN_LIFETIME.total_seconds()),
            "authorization_details": [
                {"type": "openid_credential", "credential_configuration_id": cid,
                 "credential_identifiers": [offer.credential_id]} for cid in (LDP_VC, JWT_VC_JSON)]}


def new_nonce(session: so.Session, *, now: dt.datetime) -> str:
    """Nonce endpoint: a fresh c_nonce, kept (hashed) until used or expired."""
    session.execute(sa.delete(WalletNonce).where(WalletNonce.expires_at <= now))
    nonce = secrets.token_urlsafe(24)
    session.add(WalletNonce(nonce_hash=_hash(nonce), expires_at=now + NONCE_LIFETIME))
    return nonce


def _bearer(header: str | None) -> str:
    if not header or not header.startswith("Bearer ") or not header[7:].strip():
        raise OAuthError("invalid_token", "an access token (Authorization: Bearer) is required", 401)
    return header[7:].strip()


def _holder_bound(credential: Credential, env: CredentialEnv, holder: str, fmt: str, now: dt.datetime) -> Any:
    unsecured = {k: v for k, v in copy.deepcopy(credential.document).items() if k != "proof"}
    unsecured["credentialSubject"] = {"id": holder, **unsecured["credentialSubject"]}
    key = env.issuer.key_for_issuer(issuer_id(unsecured) or "")
    if key is None:
        raise OAuthError("credential_request_denied", "the issuer key of this credential is no longer held", 400)
    method = env.issuer.method_id(key)
    if fmt == JWT_VC_JSON:
        return vcjwt.encode(unsecured, key.private_key, method)
    return sign_fast(unsecured, key.private_key, method, now)


def issue(session: so.Session, env: CredentialEnv, authorization: str | None, body: Any, *,
          now: dt.datetime) -> dict[str, Any]:
    """Credential endpoint: check token, request and proof, then issue the holder-bound credential once."""
    token = _bearer(authorization)
    offer = session.scalar(sa.select(CredentialOffer).where(CredentialOffer.token_hash == _hash(token)))
    if offer is None or offer.token_expires_at is None or _aware(offer.token_expires_at) <= now:
        raise OAuthError("invalid_token", "the access token is unknown or expired", 401)
    if offer.issued_at is not None:
        raise OAuthError("invalid_token", "this offer's credential was already issued", 401)
    if not isinstance(body, dict):
        raise OAuthError("invalid_credential_request", "the request body must be a JSON object")
    identifier = body.get("credential_identifier")
    if identifier is not None and identifier != offer.credential_id:
        # Another learner's (or any other) credential: this token was granted for one credential only.
        raise OAuthError("unknown_credential_identifier", "this access token does not grant that credential")
    configuration = body.get("credential_configuration_id")
    if identifier is None and configuration not in (LDP_VC, JWT_VC_JSON):
        raise OAuthError("unknown_credential_configuration",
                         f"credential_configuration_id must be {LDP_VC} or {JWT_VC_JSON}")
    fmt = configuration if configuration in (LDP_VC, JWT_VC_JSON) else LDP_VC
    proofs = body.get("proofs")
    jwts = proofs.get("jwt") if isinstance(proofs, dict) else None
    if not isinstance(proofs, dict) or not isinstance(jwts, list) or len(jwts) != 1 or set(proofs) != {"jwt"}:
        raise OAuthError("invalid_proof", "send exactly one proof: proofs = {\"jwt\": [<proof JWT>]}")
    try:
        proven = check_proof(jwts[0], audience=env.base_url, now=now)
    except ProofError as exc:
        raise OAuthError(exc.code, str(exc)) from exc
    used = session.execute(sa.delete(WalletNonce).where(
        WalletNonce.nonce_hash == _hash(proven.nonce), WalletNonce.expires_at > now)).rowcount  # type: ignore[attr-defined]  # a DELETE's result is a CursorResult, which has it
    if used != 1:
        raise OAuthError("invalid_nonce", "the proof's nonce is not a current c_nonce from the nonce endpoint")
    credential = offer.credential
    if credential.revoked_at is not None or credential.superseded_at is not None:
        raise OAuthError("credential_request_denied", "this credential has been revoked")
    claimed = session.execute(
        sa.update(CredentialOffer).where(CredentialOffer.id == offer.id, CredentialOffer.issued_at.is_(None))
        .values(issued_at=now, holder=proven.holder[:4000], format=fmt)
    ).rowcount  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult, which has it
    if claimed != 1:
        raise OAuthError("invalid_token", "this offer's credential was already issued", 401)
    return {"credentials": [{"credential": _holder_bound(credential, env, proven.holder, fmt, now)}]}
