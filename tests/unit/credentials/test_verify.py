"""verify_credential: every check for JSON-LD and VC-JWT credentials, status and dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lti_tool.credentials.proof import vcjwt
from lti_tool.credentials.proof.dataintegrity import sign
from lti_tool.credentials.proof.multibase import did_key_verification_method
from lti_tool.credentials.proof.resolver import Resolver
from lti_tool.credentials.status.bitstring import Bitstring, status_list_credential
from lti_tool.credentials.verification.verifier import StatusFetchError, verify_credential

from .conftest import STATUS_LIST_URL, load_example

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
VECTOR_LIST = load_example("mastery-status-list-1.BitstringStatusListCredential.TESTKEY.json")


def lists(*documents: Mapping[str, Any]) -> Any:
    """A status fetcher over fixed list credentials."""
    by_url = {d["id"]: d for d in documents}

    def fetch(url: str) -> Mapping[str, Any]:
        if url not in by_url:
            raise StatusFetchError(f"no status list at {url}")
        return by_url[url]

    return fetch


def failed(report: dict[str, Any]) -> set[str]:
    """Names of failed checks."""
    return {check["name"] for check in report["checks"] if not check["ok"]}


def test_active_mastery_vector_passes_every_check() -> None:
    report = verify_credential(
        load_example("mastery-wood-u1.bitstring-status-active.TESTKEY.json"),
        resolve_key=Resolver(),
        status_fetcher=lists(VECTOR_LIST),
        now=NOW,
    )
    assert report["ok"], report["checks"]
    names = {check["name"] for check in report["checks"]}
    assert {"signature", "schema", "safe_mode", "status", "valid_from", "issuer_binding"} <= names


def test_revoked_mastery_vector_fails_status_only() -> None:
    report = verify_credential(
        load_example("mastery-wood-u1.bitstring-status-revoked.TESTKEY.json"),
        resolve_key=Resolver(),
        status_fetcher=lists(VECTOR_LIST),
        now=NOW,
    )
    assert failed(report) == {"status"}
    assert "bit 42 is set" in next(c["detail"] for c in report["checks"] if c["name"] == "status")


def test_unreachable_or_forged_status_list_fails() -> None:
    document = load_example("mastery-wood-u1.bitstring-status-active.TESTKEY.json")
    assert failed(verify_credential(document, resolve_key=Resolver(), status_fetcher=lists(), now=NOW)) == {"status"}
    forged = dict(VECTOR_LIST) | {"validFrom": "2025-07-01T00:00:00Z"}
    assert failed(verify_credential(document, resolve_key=Resolver(), status_fetcher=lists(forged), now=NOW)) == {
        "status"
    }


def test_dates(test_key: Ed25519PrivateKey, credential: dict[str, Any]) -> None:
    credential["validUntil"] = "2027-01-01T00:00:00Z"
    method = did_key_verification_method(test_key.public_key())
    signed = sign(credential, test_key, method, NOW)
    bits = Bitstring.zeros()
    status = sign(status_list_credential(STATUS_LIST_URL, credential["issuer"]["id"], bits, NOW), test_key, method, NOW)
    kwargs: dict[str, Any] = {"resolve_key": Resolver(), "status_fetcher": lists(status)}
    assert verify_credential(signed, now=NOW, **kwargs)["ok"]
    assert failed(verify_credential(signed, now=dt.datetime(2027, 1, 1, tzinfo=dt.UTC), **kwargs)) == {"valid_until"}
    assert failed(verify_credential(signed, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), **kwargs)) == {"valid_from"}
    bits.set(7)
    revoked = sign(
        status_list_credential(STATUS_LIST_URL, credential["issuer"]["id"], bits, NOW), test_key, method, NOW
    )
    assert failed(verify_credential(signed, now=NOW, resolve_key=Resolver(), status_fetcher=lists(revoked))) == {
        "status"
    }


def test_vc_jwt_path(test_key: Ed25519PrivateKey, credential: dict[str, Any]) -> None:
    token = vcjwt.encode(credential, test_key, did_key_verification_method(test_key.public_key()))
    status = sign(
        status_list_credential(STATUS_LIST_URL, credential["issuer"]["id"], Bitstring.zeros(), NOW),
        test_key,
        did_key_verification_method(test_key.public_key()),
        NOW,
    )
    report = verify_credential(token, resolve_key=Resolver(), status_fetcher=lists(status), now=NOW)
    assert report["ok"] and report["format"] == "vc-jwt", report["checks"]
    assert {"signature", "schema", "safe_mode", "status", "jwt_claims"} <= {c["name"] for c in report["checks"]}
    # The JWS covers the JSON bytes, but a term no context defines still means nothing in JSON-LD: refuse it.
    credential["credentialSubject"]["nickname"] = "Ada"
    unsafe = vcjwt.encode(credential, test_key, did_key_verification_method(test_key.public_key()))
    assert failed(verify_credential(unsafe, resolve_key=Resolver(), status_fetcher=lists(status), now=NOW)) == {
        "safe_mode"
    }


@pytest.mark.parametrize("token", ["", "eyJhbGciOiJub25lIn0.e30."])
def test_unusable_tokens(token: str) -> None:
    report = verify_credential(token, resolve_key=Resolver(), status_fetcher=lists(), now=NOW)
    assert not report["ok"] and report["credential"] is None
