"""A minimal OpenID4VCI 1.0 wallet: pre-authorized code flow, JWT proof of possession (did:key or jwk).

Written from OpenID for Verifiable Credential Issuance 1.0 (§4.1 offer, §6 token request with
``urn:ietf:params:oauth:grant-type:pre-authorized_code`` and ``tx_code``, §7 nonce endpoint, §8 credential
request with ``proofs.jwt``, Appendix F.1 proof JWT with ``typ`` = ``openid4vci-proof+jwt``, §12.2 metadata)
and RFC 8414. It uses only requests, cryptography and PyJWT: nothing from the tool.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYP = "openid4vci-proof+jwt"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _base58(data: bytes) -> str:
    number, out = int.from_bytes(data, "big"), ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


@dataclass
class HolderKey:
    """The wallet's Ed25519 key, as did:key (W3C CCG did:key) and as a public JWK (RFC 8037)."""

    private: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    @property
    def raw_public(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def did(self) -> str:
        return "did:key:z" + _base58(b"\xed\x01" + self.raw_public)

    @property
    def kid(self) -> str:
        return f"{self.did}#{self.did.removeprefix('did:key:')}"

    @property
    def jwk(self) -> dict[str, str]:
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(self.raw_public)}


def parse_offer(uri: str) -> dict[str, Any]:
    """The credential offer from an openid-credential-offer:// URI (by value or by reference)."""
    parts = urlsplit(uri)
    if parts.scheme != "openid-credential-offer":
        raise ValueError(f"not a credential offer URI: {uri}")
    query = parse_qs(parts.query)
    if "credential_offer" in query:
        return dict(json.loads(query["credential_offer"][0]))
    response = requests.get(query["credential_offer_uri"][0], timeout=10)
    response.raise_for_status()
    return dict(response.json())


class WalletError(Exception):
    """An error answer from the issuer: HTTP status and OAuth error code."""

    def __init__(self, status: int, body: Any) -> None:
        self.status, self.body = status, body
        self.code = body.get("error") if isinstance(body, dict) else None
        super().__init__(f"{status} {body}")


@dataclass
class Wallet:
    """One wallet with one holder key, talking to one credential issuer."""

    key: HolderKey = field(default_factory=HolderKey)
    session: requests.Session = field(default_factory=requests.Session)
    issuer: dict[str, Any] = field(default_factory=dict)
    authorization_server: dict[str, Any] = field(default_factory=dict)

    def _json(self, response: requests.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if response.status_code >= 400:
            raise WalletError(response.status_code, body)
        return body

    def discover(self, credential_issuer: str) -> None:
        """Issuer metadata (§12.2.2: /.well-known/openid-credential-issuer) and its authorization server's."""
        self.issuer = self._json(self.session.get(credential_issuer + "/.well-known/openid-credential-issuer",
                                                  timeout=10))
        if self.issuer.get("credential_issuer") != credential_issuer:
            raise ValueError("metadata names another credential issuer")
        server = (self.issuer.get("authorization_servers") or [credential_issuer])[0]
        self.authorization_server = self._json(self.session.get(
            server + "/.well-known/oauth-authorization-server", timeout=10))

    def token(self, offer: dict[str, Any], tx_code: str | None = None, code: str | None = None) -> dict[str, Any]:
        """Token request with the offer's pre-authorized code (§6.1)."""
        grant = offer["grants"][PRE_AUTHORIZED]
        form = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code or grant["pre-authorized_code"]}
        if tx_code is not None:
            form["tx_code"] = tx_code
        return dict(self._json(self.session.post(self.authorization_server["token_endpoint"], data=form,
                                                 timeout=10)))

    def nonce(self) -> str:
        """A fresh c_nonce (§7)."""
        return str(self._json(self.session.post(self.issuer["nonce_endpoint"], timeout=10))["c_nonce"])

    def proof(self, nonce: str, *, use_jwk: bool = False, audience: str | None = None,
              signer: Ed25519PrivateKey | None = None, alg: str = "EdDSA", typ: str = PROOF_TYP,
              iat: int | None = None) -> str:
        """A proof JWT (Appendix F.1); the keyword arguments exist to make bad ones."""
        header: dict[str, Any] = {"typ": typ}
        header |= {"jwk": self.key.jwk} if use_jwk else {"kid": self.key.kid}
        claims = {"aud": audience or self.issuer["credential_issuer"], "iat": iat or int(time.time()),
                  "nonce": nonce}
        return jwt.encode(claims, signer or self.key.private, algorithm=alg, headers=header)

    def credential(self, access_token: str, configuration_id: str | None, proofs: Any,
                   **extra: Any) -> dict[str, Any]:
        """Credential request (§8.2)."""
        body: dict[str, Any] = {"proofs": proofs, **extra}
        if configuration_id is not None:
            body["credential_configuration_id"] = configuration_id
        return dict(self._json(self.session.post(self.issuer["credential_endpoint"], json=body, timeout=30,
                                                 headers={"Authorization": f"Bearer {access_token}"})))

    def receive(self, offer_uri: str, tx_code: str | None, configuration_id: str, *,
                use_jwk: bool = False) -> Any:
        """The whole flow: offer → metadata → token → nonce → proof → credential."""
        offer = parse_offer(offer_uri)
        self.discover(offer["credential_issuer"])
        if configuration_id not in offer["credential_configuration_ids"]:
            raise ValueError(f"{configuration_id} is not offered")
        token = self.token(offer, tx_code)
        proof = self.proof(self.nonce(), use_jwk=use_jwk)
        answer = self.credential(token["access_token"], configuration_id, {"jwt": [proof]})
        return answer["credentials"][0]["credential"]
