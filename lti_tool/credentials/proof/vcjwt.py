"""VC-JWT per Open Badges 3.0 §8.2 (VC-JWT "integrity"): the credential JSON is the JWT payload.

Claims added: ``iss`` = issuer.id, ``jti`` = id, ``nbf`` = validFrom, ``sub`` = credentialSubject.id,
``exp`` = validUntil (when set). Header ``typ: "JWT"`` (not ``vc+jwt``); the VCDM 1.1 ``vc`` claim is
not used. A ``jwk`` header proves integrity only, so the key is always resolved by ``kid`` (or issuer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from lti_tool.credentials.proof.dataintegrity import VerificationResult, issuer_id
from lti_tool.credentials.proof.resolver import KeyResolutionError, KeyResolver, PublicKey, jwk_to_key

JWT_CLAIMS = ("iss", "jti", "nbf", "sub", "exp")


class JwtAlg(StrEnum):
    """Asymmetric algorithms accepted; ``none`` and every HS* are refused."""

    RS256 = "RS256"
    RS384 = "RS384"
    RS512 = "RS512"
    PS256 = "PS256"
    ES256 = "ES256"
    ES384 = "ES384"
    EDDSA = "EdDSA"


class VcJwtError(ValueError):
    """The token is not a VC-JWT we can sign or parse."""


def _epoch(value: str) -> int:
    return int(dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def encode(credential: Mapping[str, Any], private_key: RSAPrivateKey | Ed25519PrivateKey, kid: str) -> str:
    """Sign ``credential`` as a VC-JWT (RS256 for an RSA key, EdDSA for an Ed25519 key)."""
    alg = JwtAlg.EDDSA if isinstance(private_key, Ed25519PrivateKey) else JwtAlg.RS256
    payload = dict(credential)
    clashes = [claim for claim in JWT_CLAIMS if claim in payload]
    if clashes:
        raise VcJwtError(f"credential already has JWT claim names {clashes}")
    issuer = issuer_id(credential)
    if issuer is None or "validFrom" not in credential:
        raise VcJwtError("a VC-JWT needs issuer.id and validFrom")
    payload["iss"] = issuer
    payload["nbf"] = _epoch(str(credential["validFrom"]))
    if "id" in credential:
        payload["jti"] = credential["id"]
    subject = credential.get("credentialSubject")
    if isinstance(subject, Mapping) and "id" in subject:
        payload["sub"] = subject["id"]
    if "validUntil" in credential:
        payload["exp"] = _epoch(str(credential["validUntil"]))
    return jwt.encode(payload, private_key, algorithm=alg.value, headers={"kid": kid, "typ": "JWT"})


def decode(token: str, resolve_key: KeyResolver) -> tuple[dict[str, Any] | None, VerificationResult]:
    """Verify a VC-JWT; return the credential (JWT claims removed) and the checks. Dates are left to the caller."""
    result = VerificationResult()
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.exceptions.DecodeError as exc:
        result.add("jwt_format", False, str(exc))
        return None, result
    alg = header.get("alg")
    allowed = alg in {a.value for a in JwtAlg}
    if not result.add(
        "jwt_header",
        allowed and header.get("typ", "JWT") == "JWT",
        f"alg={alg!r} typ={header.get('typ')!r}" + ("" if allowed else " (refused)"),
    ):
        return None, result
    issuer = issuer_id(claims)
    try:
        resolved = resolve_key(str(header.get("kid") or issuer or ""))
    except KeyResolutionError as exc:
        result.add("verification_method", False, str(exc))
        return None, result
    result.add("verification_method", True, resolved.id)
    result.add(
        "issuer_binding",
        resolved.controller == issuer and claims.get("iss") == issuer,
        f"key controller {resolved.controller}, iss {claims.get('iss')}, issuer {issuer}",
    )
    if "jwk" in header and not _same_key(header["jwk"], resolved.key):
        result.add("signature", False, "the jwk header is not the issuer's resolved key")
        return None, result
    if not _key_fits(str(alg), resolved.key):
        result.add("signature", False, f"alg {alg} does not fit the resolved {type(resolved.key).__name__}")
        return None, result
    try:
        jwt.decode(
            token,
            resolved.key,
            algorithms=[str(alg)],
            options={"verify_exp": False, "verify_nbf": False, "verify_aud": False, "verify_iat": False},
        )
    except jwt.exceptions.InvalidTokenError as exc:
        result.add("signature", False, f"JWS invalid: {exc}")
        return None, result
    result.add("signature", True, f"{alg} signature valid")
    credential = {k: v for k, v in claims.items() if k not in JWT_CLAIMS}
    result.add("jwt_claims", *_claims_match(claims, credential))
    return credential, result


def _claims_match(claims: Mapping[str, Any], credential: Mapping[str, Any]) -> tuple[bool, str]:
    problems = []
    if "id" in credential and claims.get("jti") != credential["id"]:
        problems.append("jti ≠ id")
    if "validFrom" in credential and claims.get("nbf") != _epoch(str(credential["validFrom"])):
        problems.append("nbf ≠ validFrom")
    if "validUntil" in credential and claims.get("exp") != _epoch(str(credential["validUntil"])):
        problems.append("exp ≠ validUntil")
    subject = credential.get("credentialSubject")
    if isinstance(subject, Mapping) and "id" in subject and claims.get("sub") != subject["id"]:
        problems.append("sub ≠ credentialSubject.id")
    return (not problems, ", ".join(problems) or "iss/jti/nbf/sub/exp agree with the credential")


def _key_fits(alg: str, key: PublicKey) -> bool:
    if alg == JwtAlg.EDDSA:
        return isinstance(key, Ed25519PublicKey)
    if alg.startswith(("RS", "PS")):
        return isinstance(key, RSAPublicKey)
    return not isinstance(key, Ed25519PublicKey | RSAPublicKey)


def _same_key(jwk: Any, key: PublicKey) -> bool:
    try:
        offered = jwk_to_key(jwk) if isinstance(jwk, Mapping) else None
    except KeyResolutionError:
        return False
    if offered is None or type(offered) is not type(key):
        return False
    if isinstance(key, Ed25519PublicKey):
        return offered == key
    return offered.public_numbers() == key.public_numbers()  # type: ignore[union-attr]
