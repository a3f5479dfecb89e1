"""VC-JWT (OB 3.0 §8.2): the spec vector, our own tokens, refused algorithms, claim checks."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, generate_private_key

from lti_tool.credentials.issuing.builder import IssuerInfo
from lti_tool.credentials.proof import vcjwt
from lti_tool.credentials.proof.multibase import did_key_verification_method
from lti_tool.credentials.proof.resolver import ResolvedKey, Resolver, jwk_to_key

from .conftest import EXAMPLES, load_example

ISSUER_KID = "https://mastery.example/issuer#rsa-1"


@pytest.fixture(scope="module")
def rsa_key() -> RSAPrivateKey:
    """A throwaway RSA-2048 key."""
    return generate_private_key(public_exponent=65537, key_size=2048)


def failed(result: Any) -> set[str]:
    """Names of the failed checks."""
    return {check.name for check in result.checks if not check.ok}


def rsa_issuer_resolver(key: RSAPrivateKey, controller: str) -> Resolver:
    """An https issuer whose controller document lists ``key`` (JWK) under assertionMethod."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    document = {
        "id": controller,
        "verificationMethod": [{"id": ISSUER_KID, "type": "JsonWebKey", "controller": controller, "publicKeyJwk": jwk}],
        "assertionMethod": [ISSUER_KID],
    }
    return Resolver(fetch_controller=lambda cid: document if cid == controller else {})


def https_credential(credential: dict[str, Any]) -> dict[str, Any]:
    """The fixture credential re-issued by an https issuer with a validUntil."""
    credential["issuer"]["id"] = "https://mastery.example/issuer"
    credential["validUntil"] = "2031-11-20T09:30:00Z"
    credential["credentialSubject"]["id"] = "did:example:learner-1"
    return credential


def test_spec_vector_verifies_with_a_trusted_key_and_not_by_its_jwk_header() -> None:
    token = (EXAMPLES / "mastery-wood-u1.vc-jwt-RS256.TESTKEY.jwt").read_text().strip()
    header = jwt.get_unverified_header(token)
    issuer = jwt.decode(token, options={"verify_signature": False})["iss"]
    # The test decides to trust that RSA key for the issuer (a real did:key cannot hold an RSA key).
    trusted = jwk_to_key(header["jwk"])
    credential, result = vcjwt.decode(token, lambda _: ResolvedKey(issuer, issuer, trusted))
    assert result.ok, result.as_dict()
    assert credential == {
        k: v for k, v in load_example("mastery-wood-u1.signed-eddsa-rdfc-2022.TESTKEY.json").items() if k != "proof"
    }
    # The default resolver finds the issuer's real (Ed25519) key: the embedded jwk alone proves nothing.
    _, untrusted = vcjwt.decode(token, Resolver())
    assert failed(untrusted) == {"signature"}


def test_rs256_round_trip_with_claims(rsa_key: RSAPrivateKey, credential: dict[str, Any]) -> None:
    credential = https_credential(credential)
    token = vcjwt.encode(credential, rsa_key, ISSUER_KID)
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "RS256", "kid": ISSUER_KID, "typ": "JWT"}
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == "https://mastery.example/issuer"
    assert claims["jti"] == credential["id"]
    assert claims["sub"] == "did:example:learner-1"
    assert claims["nbf"] == int(dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC).timestamp())
    assert claims["exp"] == int(dt.datetime(2031, 11, 20, 9, 30, tzinfo=dt.UTC).timestamp())
    assert "vc" not in claims
    decoded, result = vcjwt.decode(token, rsa_issuer_resolver(rsa_key, "https://mastery.example/issuer"))
    assert result.ok, result.as_dict()
    assert decoded == credential


def test_eddsa_round_trip(test_key: Ed25519PrivateKey, credential: dict[str, Any]) -> None:
    token = vcjwt.encode(credential, test_key, did_key_verification_method(test_key.public_key()))
    assert jwt.get_unverified_header(token)["alg"] == "EdDSA"
    decoded, result = vcjwt.decode(token, Resolver())
    assert result.ok, result.as_dict()
    assert decoded == credential


@pytest.mark.parametrize("alg", ["none", "HS256", "HS512"])
def test_alg_none_and_hmac_are_refused(alg: str, credential: dict[str, Any], issuer: IssuerInfo) -> None:
    payload = credential | {"iss": issuer.id, "jti": credential["id"], "nbf": 1}
    key = None if alg == "none" else "a-shared-secret-that-is-long-enough-for-hmac-sha512-0123456789abcdef"
    token = jwt.encode(payload, key, algorithm=alg, headers={"kid": issuer.id})
    decoded, result = vcjwt.decode(token, Resolver())
    assert decoded is None
    assert failed(result) == {"jwt_header"}
    assert "refused" in result.checks[0].detail


def test_tampered_payload_fails(test_key: Ed25519PrivateKey, credential: dict[str, Any]) -> None:
    token = vcjwt.encode(credential, test_key, did_key_verification_method(test_key.public_key()))
    header, payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["name"] = "Forged"
    forged_payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    decoded, result = vcjwt.decode(f"{header}.{forged_payload}.{signature}", Resolver())
    assert decoded is None and failed(result) == {"signature"}


def test_key_of_another_issuer_fails_binding(test_key: Ed25519PrivateKey, credential: dict[str, Any]) -> None:
    other = Ed25519PrivateKey.generate()
    token = vcjwt.encode(credential, other, did_key_verification_method(other.public_key()))
    _, result = vcjwt.decode(token, Resolver())
    assert failed(result) == {"issuer_binding"}


def test_claims_must_agree_with_credential(test_key: Ed25519PrivateKey, credential: dict[str, Any]) -> None:
    payload = credential | {"iss": credential["issuer"]["id"], "jti": "urn:uuid:someone-else", "nbf": 5}
    token = jwt.encode(
        payload, test_key, algorithm="EdDSA", headers={"kid": did_key_verification_method(test_key.public_key())}
    )
    _, result = vcjwt.decode(token, Resolver())
    assert failed(result) == {"jwt_claims"}
    assert "jti" in next(c.detail for c in result.checks if c.name == "jwt_claims")


def test_garbage_is_a_format_failure() -> None:
    decoded, result = vcjwt.decode("not.a.jwt", Resolver())
    assert decoded is None and failed(result) == {"jwt_format"}
