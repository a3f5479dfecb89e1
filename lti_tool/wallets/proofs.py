"""Check a wallet's proof of possession (OpenID4VCI 1.0 §8.2.1.1 "jwt" proof type) with joserfc (pure).

The proof is a JWS with ``typ`` = ``openid4vci-proof+jwt``, an asymmetric ``alg``, and the holder key as a
``kid`` (a DID URL; did:key Ed25519 or P-256 here) or a ``jwk``; its claims carry ``aud`` = the credential
issuer identifier, ``iat`` and the ``nonce`` the issuer handed out. The key that verifies the signature is the
holder key the credential is bound to.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import warnings
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import ECKey, OKPKey

from lti_tool.credentials.proof.multibase import MultibaseError, multibase_decode

PROOF_TYP = "openid4vci-proof+jwt"
# "EdDSA" is what wallets send today; "Ed25519" is its fully specified name (RFC 9864).
ALGORITHMS = ("EdDSA", "Ed25519", "ES256")
IAT_SKEW = dt.timedelta(minutes=5)
# Multicodec prefixes of the did:key public keys we accept.
_ED25519_PUB = b"\xed\x01"
_P256_PUB = b"\x80\x24"


class ProofError(ValueError):
    """The proof does not prove possession of a holder key; ``code`` is the OpenID4VCI error code."""

    def __init__(self, message: str, code: str = "invalid_proof") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Proven:
    """What a valid proof established: the holder's DID and the nonce it signed."""

    holder: str
    nonce: str


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _header(token: str) -> dict[str, Any]:
    try:
        raw = token.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, IndexError) as exc:
        raise ProofError("the proof is not a compact JWS") from exc
    if not isinstance(header, dict):
        raise ProofError("the proof header is not a JSON object")
    return header


def _did_key(kid: str) -> tuple[OKPKey | ECKey, str]:
    did = kid.split("#", 1)[0]
    if not did.startswith("did:key:z"):
        raise ProofError("kid must be a did:key DID URL (or send the key as jwk)")
    try:
        raw = multibase_decode(did.removeprefix("did:key:"))
    except MultibaseError as exc:
        raise ProofError(f"the did:key in kid does not decode: {exc}") from exc
    if raw.startswith(_ED25519_PUB) and len(raw) == 34:
        return OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw[2:])}), did
    if raw.startswith(_P256_PUB) and len(raw) == 35:
        from cryptography.hazmat.primitives.asymmetric import ec

        point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[2:])
        return ECKey.import_key(point), did
    raise ProofError("only Ed25519 and P-256 did:key holder keys are supported")


def _jwk(jwk: Any) -> tuple[OKPKey | ECKey, str]:
    if not isinstance(jwk, dict) or "d" in jwk:
        raise ProofError("jwk must be a public key")
    try:
        key: OKPKey | ECKey = OKPKey.import_key(jwk) if jwk.get("kty") == "OKP" else ECKey.import_key(jwk)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise ProofError(f"jwk is not a usable public key: {exc}") from exc
    public = {k: v for k, v in key.as_dict(private=False).items() if k in ("kty", "crv", "x", "y")}
    did = "did:jwk:" + _b64url(json.dumps(public, separators=(",", ":"), sort_keys=True).encode())
    return key, did


def check_proof(token: Any, *, audience: str, now: dt.datetime) -> Proven:
    """Verify the proof JWT; the nonce it carries is returned for the caller to consume (once)."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise ProofError("the proof must be a compact JWT")
    header = _header(token)
    if header.get("typ") != PROOF_TYP:
        raise ProofError(f"typ must be {PROOF_TYP}")
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise ProofError(f"alg must be one of {', '.join(ALGORITHMS)}")
    if "kid" in header and "jwk" in header:
        raise ProofError("kid and jwk must not both be present")
    if "kid" in header and isinstance(header["kid"], str):
        key, holder = _did_key(header["kid"])
    elif "jwk" in header:
        key, holder = _jwk(header["jwk"])
    else:
        raise ProofError("the proof names no holder key (kid or jwk)")
    try:
        with warnings.catch_warnings():
            # joserfc 1.8 raises a SecurityWarning for "EdDSA" (deprecated by RFC 9864 in favour of "Ed25519");
            # wallets still send it, and it means Ed25519 here since only OKP Ed25519 keys are imported.
            warnings.simplefilter("ignore", SecurityWarning)
            decoded = jwt.decode(token, key, algorithms=[alg])
    except (JoseError, ValueError) as exc:
        # The signature does not verify with the key the header names: the holder key does not match.
        raise ProofError(f"the proof signature does not verify with the holder key ({type(exc).__name__})") from exc
    claims = decoded.claims
    aud = claims.get("aud")
    if aud != audience and not (isinstance(aud, list) and audience in aud):
        raise ProofError("aud must be the credential issuer identifier")
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise ProofError("iat is missing")
    issued = dt.datetime.fromtimestamp(iat, dt.UTC)
    if not now - IAT_SKEW <= issued <= now + IAT_SKEW:
        raise ProofError("iat is too far from the current time")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise ProofError("the proof carries no nonce", code="invalid_nonce")
    return Proven(holder=holder, nonce=nonce)
