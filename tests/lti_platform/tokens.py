"""Keys and JWTs of the test platform: RSA signing keys, JWKS, hand-built JWS, verifying tool-signed JWTs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

# Clock skew tolerated when checking a tool's exp/iat (seconds).
LEEWAY = 5

_HMAC_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
_RSA_ALGS = {"RS256", "RS384", "RS512"}


class JwtRejected(ValueError):
    """A JWT sent by the tool failed verification; the message says why."""


@dataclass(frozen=True)
class SigningKey:
    """An RSA private key and the key id it is published under."""

    kid: str
    private_key: rsa.RSAPrivateKey

    def public_jwk(self) -> dict[str, Any]:
        """The public half as a JWK (RFC 7517) with kid, alg and use (LTI Security Framework 6.3)."""
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return jwk

    def private_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def public_pem(self) -> bytes:
        """The public key as SubjectPublicKeyInfo PEM (what an HS256-confusion attack uses as the secret)."""
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def new_signing_key() -> SigningKey:
    """Generate a fresh RSA-2048 key with a random kid."""
    return SigningKey(kid=secrets.token_urlsafe(12), private_key=rsa.generate_private_key(65537, 2048))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


def build_jwt(claims: dict[str, Any], *, alg: str, key: Any, header: dict[str, Any]) -> str:
    """Serialise a compact JWS by hand (RFC 7515 7.1) so the header is exactly `header`, lies included.

    `alg` picks how to sign, independently of header["alg"]: "none" (empty signature), HS* with `key` as the
    shared secret (bytes or str, even a public-key PEM), RS* with `key` an RSA private key.
    """
    signing_input = f"{_b64(_json(header))}.{_b64(_json(claims))}".encode("ascii")
    if alg == "none":
        signature = b""
    elif alg in _HMAC_HASHES:
        secret = key.encode("utf-8") if isinstance(key, str) else bytes(key)
        signature = hmac.new(secret, signing_input, _HMAC_HASHES[alg]).digest()
    elif alg in _RSA_ALGS:
        signature = RSAAlgorithm(getattr(RSAAlgorithm, "SHA" + alg[2:])).sign(signing_input, key)
    else:
        raise ValueError(f"unsupported alg {alg!r}")
    return f"{signing_input.decode('ascii')}.{_b64(signature)}"


def sign_as_header_says(claims: dict[str, Any], header: dict[str, Any], *, private_key: Any, hmac_secret: bytes) -> str:
    """Sign per header["alg"]: none → unsigned, HS* → `hmac_secret`, RS* → `private_key`; any other alg RS256."""
    alg = str(header.get("alg"))
    if alg == "none":
        return build_jwt(claims, alg="none", key=None, header=header)
    if alg in _HMAC_HASHES:
        return build_jwt(claims, alg=alg, key=hmac_secret, header=header)
    return build_jwt(claims, alg=alg if alg in _RSA_ALGS else "RS256", key=private_key, header=header)


def fetch_jwks(url: str | None) -> dict[str, Any]:
    """GET a key set (LTI Security Framework 6.3); JwtRejected when it cannot be had."""
    if not url:
        raise JwtRejected("no tool_jwks_url registered")
    try:
        answer = requests.get(url, timeout=5)
    except requests.RequestException as exc:
        raise JwtRejected(f"tool JWKS unreachable: {exc}") from exc
    if answer.status_code != 200:
        raise JwtRejected(f"tool JWKS answered {answer.status_code}")
    try:
        jwks = answer.json()
    except ValueError as exc:
        raise JwtRejected("tool JWKS is not JSON") from exc
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise JwtRejected("tool JWKS has no keys array")
    return jwks


def verify_tool_jwt(token: str, jwks: dict[str, Any], *, issuer: str, audience: str) -> dict[str, Any]:
    """Verify a tool-signed JWT: RS256, a kid found in the tool's JWKS, iss, aud, exp and iat required.

    LTI Security Framework 5.2 (tool-originating messages) and 6 (RS256, keys by kid); RFC 7523 3.
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError as exc:
        raise JwtRejected(f"not a JWT: {exc}") from exc
    if header.get("alg") != "RS256":
        raise JwtRejected(f"alg must be RS256, got {header.get('alg')!r}")
    kid = header.get("kid")
    if not kid:
        raise JwtRejected("JWT header has no kid")
    jwk = next((k for k in jwks["keys"] if isinstance(k, dict) and k.get("kid") == kid), None)
    if jwk is None:
        raise JwtRejected(f"kid {kid!r} not in the tool JWKS")
    try:
        public_key = RSAAlgorithm.from_jwk(jwk)
        return jwt.decode(
            token,
            public_key,  # type: ignore[arg-type]
            algorithms=["RS256"],
            issuer=issuer,
            audience=audience,
            leeway=LEEWAY,
            options={"require": ["iss", "aud", "exp", "iat"]},
        )
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise JwtRejected(f"{type(exc).__name__}: {exc}") from exc
