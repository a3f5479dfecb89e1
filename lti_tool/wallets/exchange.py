"""The VC-API exchange the Learner Credential Wallet uses, reached through the DCC deep link.

From the Digital Credentials Consortium's documentation (workflow-coordinator README, "Wallet Exchange"): the
learner opens ``https://lcw.app/request.html?issuer=…&auth_type=bearer&challenge=<tx>&vc_request_url=<url>``;
the wallet POSTs a DIDAuth Verifiable Presentation (holder = its DID, proof purpose ``authentication``, the
challenge) to ``vc_request_url`` and receives the signed credential, issued to that DID. In the two-step form
(W3C CCG VC-API "initiate exchange"), the wallet first POSTs ``{}`` to the exchange URL and is answered with a
Verifiable Presentation Request for ``DIDAuthentication`` carrying the same challenge and that URL.

An exchange is a ``CredentialOffer`` row whose ``format`` is ``vc-api`` from the start; its transaction id is the
secret (stored hashed) and is consumed once, by the same conditional UPDATE as an OpenID4VCI offer.
"""

from __future__ import annotations

import copy
import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.credentials.models import Credential
from lti_tool.credentials.proof.dataintegrity import issuer_id, verify_authentication
from lti_tool.credentials.proof.fast_proof import sign_fast
from lti_tool.credentials.proof.resolver import Resolver
from lti_tool.credentials.runtime import CredentialEnv
from lti_tool.wallets.models import CredentialOffer
from lti_tool.wallets.services import OFFER_LIFETIME, OAuthError, _aware, _hash

VC_API = "vc-api"
LCW_REQUEST = "https://lcw.app/request.html"
EXCHANGE_PATH = "/exchanges"


@dataclass(frozen=True)
class Exchange:
    """A new exchange as the learner's page shows it."""

    row: CredentialOffer
    url: str
    deep_link: str
    transaction_id: str


def create_exchange(session: so.Session, env: CredentialEnv, credential: Credential, *,
                    now: dt.datetime) -> Exchange:
    """A single-use, short-lived exchange of ``credential`` and the DCC deep link that opens it in LCW."""
    transaction = secrets.token_urlsafe(24)
    row = CredentialOffer(id=str(uuid.uuid4()), credential_id=credential.id, code_hash=_hash(transaction),
                          expires_at=now + OFFER_LIFETIME, created_at=now, format=VC_API)
    session.add(row)
    session.flush()
    url = f"{env.base_url}{EXCHANGE_PATH}/{row.id}/{transaction}"
    link = LCW_REQUEST + "?" + urlencode({"issuer": urlsplit(env.base_url).netloc, "auth_type": "bearer",
                                          "challenge": transaction, "vc_request_url": url})
    return Exchange(row, url, link, transaction)


def _live(session: so.Session, exchange_id: str, now: dt.datetime) -> CredentialOffer:
    row = session.get(CredentialOffer, exchange_id)
    if row is None or row.format != VC_API or row.code_used_at is not None or _aware(row.expires_at) <= now:
        raise OAuthError("invalid_exchange", "this exchange is unknown, expired or already used", 404)
    return row


def presentation_request(session: so.Session, env: CredentialEnv, exchange_id: str, transaction: str | None,
                         *, now: dt.datetime) -> dict[str, Any]:
    """Step one (VC-API "initiate exchange"): ask for a DIDAuth over this exchange's challenge."""
    row = _live(session, exchange_id, now)
    if transaction is None or not secrets.compare_digest(_hash(transaction), row.code_hash):
        raise OAuthError("invalid_exchange", "this exchange is unknown, expired or already used", 404)
    return {"verifiablePresentationRequest": {
        "query": [{"type": "DIDAuthentication"}],
        "challenge": transaction,
        "domain": env.base_url,
        "interact": {"service": [{"type": "UnmediatedPresentationService2021",
                                  "serviceEndpoint": f"{env.base_url}{EXCHANGE_PATH}/{row.id}/{transaction}"}]},
    }}


def complete(session: so.Session, env: CredentialEnv, exchange_id: str, transaction: str, body: Any, *,
             now: dt.datetime) -> dict[str, Any]:
    """Step two: check the DIDAuth, then issue the credential to the holder's DID, once."""
    row = _live(session, exchange_id, now)
    if not secrets.compare_digest(_hash(transaction), row.code_hash):
        raise OAuthError("invalid_exchange", "this exchange is unknown, expired or already used", 404)
    presentation = body.get("verifiablePresentation", body) if isinstance(body, dict) else None
    if not isinstance(presentation, dict) or not presentation:
        raise OAuthError("invalid_request", "send a DIDAuth Verifiable Presentation")
    # did:key holders only (what wallets use for DIDAuth): resolved offline, no fetch for an anonymous caller.
    checked = verify_authentication(presentation, Resolver(), challenge=transaction, domain=env.base_url)
    if not checked.ok:
        failed = "; ".join(f"{c.name}: {c.detail}" for c in checked.checks if not c.ok)
        raise OAuthError("invalid_presentation", f"the DIDAuth presentation does not verify ({failed})")
    holder = presentation["holder"]
    holder_id = str(holder.get("id") if isinstance(holder, dict) else holder)
    credential = row.credential
    if credential.revoked_at is not None or credential.superseded_at is not None:
        raise OAuthError("credential_request_denied", "this credential has been revoked", 403)
    claimed = session.execute(
        sa.update(CredentialOffer).where(CredentialOffer.id == row.id, CredentialOffer.code_used_at.is_(None))
        .values(code_used_at=now, issued_at=now, holder=holder_id[:4000])
    ).rowcount  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult, which has it
    if claimed != 1:
        raise OAuthError("invalid_exchange", "this exchange is unknown, expired or already used", 404)
    unsecured = {k: v for k, v in copy.deepcopy(credential.document).items() if k != "proof"}
    unsecured["credentialSubject"] = {"id": holder_id, **unsecured["credentialSubject"]}
    key = env.issuer.key_for_issuer(issuer_id(unsecured) or "")
    if key is None:
        raise OAuthError("credential_request_denied", "the issuer key of this credential is no longer held")
    # As the DCC coordinator does (and LCW expects): the answer is the signed credential itself.
    return sign_fast(unsecured, key.private_key, env.issuer.method_id(key), now)
