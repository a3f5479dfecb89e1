"""eddsa-rdfc-2022 signing and verification against the spec vectors and tampered copies."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lti_tool.credentials.proof.dataintegrity import format_created, sign, verify
from lti_tool.credentials.proof.multibase import b58decode, b58encode, did_key_verification_method
from lti_tool.credentials.proof.resolver import Resolver

from .conftest import EXAMPLES, controller_document, load_example

SIGNED_VECTORS = sorted(p.name for p in EXAMPLES.glob("*.json") if "proof" in load_example(p.name))


def failed(result: Any) -> set[str]:
    """Names of the checks that failed."""
    return {check.name for check in result.checks if not check.ok}


def test_there_are_nine_signed_vectors() -> None:
    assert len(SIGNED_VECTORS) == 9


@pytest.mark.parametrize("name", SIGNED_VECTORS)
def test_every_signed_vector_verifies(name: str, vector_resolver: Resolver) -> None:
    result = verify(load_example(name), vector_resolver)
    assert result.ok, result.as_dict()
    assert "signature" in {check.name for check in result.checks}


@pytest.mark.parametrize("name", SIGNED_VECTORS)
def test_changed_name_fails(name: str, vector_resolver: Resolver) -> None:
    document = load_example(name)
    if "name" in document:
        document["name"] = document["name"] + " (edited)"
    else:  # the status list credentials have no name: change their date instead
        document["validFrom"] = "2030-01-01T00:00:00Z"
    assert failed(verify(document, vector_resolver)) == {"signature"}


@pytest.mark.parametrize("name", SIGNED_VECTORS)
def test_added_undefined_term_fails_safe_mode(name: str, vector_resolver: Resolver) -> None:
    document = load_example(name)
    document["credentialSubject"]["secretlyAdded"] = "not in any context"
    result = verify(document, vector_resolver)
    assert failed(result) == {"safe_mode"}
    assert "secretlyAdded" in next(c.detail for c in result.checks if c.name == "safe_mode")


@pytest.mark.parametrize("name", SIGNED_VECTORS)
def test_removed_proof_byte_fails(name: str, vector_resolver: Resolver) -> None:
    document = load_example(name)
    proof = document["proof"][0] if isinstance(document["proof"], list) else document["proof"]
    proof["proofValue"] = "z" + b58encode(b58decode(proof["proofValue"][1:])[:-1])
    assert failed(verify(document, vector_resolver)) == {"signature"}


def test_achievement_name_change_fails(vector_resolver: Resolver) -> None:
    document = load_example("mastery-wood-u1.signed-eddsa-rdfc-2022.TESTKEY.json")
    document["credentialSubject"]["achievement"]["name"] = "Advanced wood processing"
    assert failed(verify(document, vector_resolver)) == {"signature"}


def test_fragment_trick_is_not_verification() -> None:
    # The vector's method URL names the key in its fragment; a controller document not listing it
    # under assertionMethod must make verification fail.
    document = load_example("simple.signed-eddsa-rdfc-2022.1edtech-validator-testvector.json")
    unlisted = Resolver(fetch_controller=lambda cid: controller_document(cid, listed=False))
    result = verify(document, unlisted)
    assert failed(result) == {"verification_method"}


def test_key_of_another_controller_fails_issuer_binding(test_key: Ed25519PrivateKey) -> None:
    document = load_example("basic-openbadgecredential.unsigned.json")
    signed = sign(
        document, test_key, did_key_verification_method(test_key.public_key()), dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    result = verify(signed, Resolver())
    # A proof that already failed is not canonicalised: the costly step runs only for proofs that could pass.
    assert failed(result) == {"issuer_binding", "signature"}
    assert "not checked" in {c.name: c.detail for c in result.checks}["signature"]


def test_sign_then_verify_and_proof_shape(test_key: Ed25519PrivateKey, credential: dict[str, Any]) -> None:
    created = dt.datetime(2026, 11, 20, 9, 30, 5, 123456, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    signed = sign(credential, test_key, did_key_verification_method(test_key.public_key()), created)
    assert "proof" not in credential  # the input is not mutated
    assert isinstance(signed["proof"], list) and len(signed["proof"]) == 1
    proof = signed["proof"][0]
    assert proof["created"] == "2026-11-20T08:30:05Z"
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod" and proof["proofValue"].startswith("z")
    assert verify(signed, Resolver()).ok


def test_signing_is_deterministic(test_key: Ed25519PrivateKey, credential: dict[str, Any]) -> None:
    method = did_key_verification_method(test_key.public_key())
    created = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    assert sign(credential, test_key, method, created) == sign(copy.deepcopy(credential), test_key, method, created)


def test_reproduces_the_mastery_vector_signature(test_key: Ed25519PrivateKey) -> None:
    vector = load_example("mastery-wood-u1.signed-eddsa-rdfc-2022.TESTKEY.json")
    unsigned = {k: v for k, v in vector.items() if k != "proof"}
    again = sign(
        unsigned, test_key, vector["proof"][0]["verificationMethod"], dt.datetime(2025, 6, 30, 10, 0, 5, tzinfo=dt.UTC)
    )
    assert again["proof"] == vector["proof"]


def test_sign_refuses_unsafe_document(test_key: Ed25519PrivateKey, credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["achievement"]["colour"] = "green"
    with pytest.raises(ValueError, match="colour"):
        sign(credential, test_key, did_key_verification_method(test_key.public_key()), dt.datetime.now(dt.UTC))


def test_wrong_purpose_and_missing_proof_fail(test_key: Ed25519PrivateKey, credential: dict[str, Any]) -> None:
    assert failed(verify(credential, Resolver())) == {"proof_present"}
    signed = sign(credential, test_key, did_key_verification_method(test_key.public_key()), dt.datetime.now(dt.UTC))
    signed["proof"][0]["proofPurpose"] = "authentication"
    assert "proof_purpose" in failed(verify(signed, Resolver()))


def test_created_needs_a_timezone() -> None:
    with pytest.raises(ValueError, match="timezone"):
        format_created(dt.datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test
