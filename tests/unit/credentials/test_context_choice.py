"""The evidence behind the credential's @context (issue 14, docs/credentials.md): which shape verifies where.

A verifier configured as real ones are (the DCC security-document-loader's standard contexts, remote fetching
off, as in the Learner Credential Wallet and VerifierPlus; optionally allowed to fetch from the issuer's own
origin) is given the same credential with its extension terms
- embedded in the @context (what the tool issues),
- in a context the issuer hosts on its own origin,
- left to the credentials-v2 @vocab fallback (no extension context at all),
- in the old, unregistered w3id.org context.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lti_tool.credentials.proof.canonical import UnsafeDocumentError, canonicalize_safe
from lti_tool.credentials.proof.contexts import MASTERY_INLINE_CONTEXT, ContextUrl
from lti_tool.credentials.proof.dataintegrity import sign
from lti_tool.credentials.proof.multibase import did_key_verification_method
from tests.support.js_verifier import js_verify, needs_js_verifier

pytestmark = needs_js_verifier
HOSTED_PATH = "/contexts/mastery/v2.jsonld"


@pytest.fixture
def issuer_origin() -> Iterator[str]:
    """An issuer origin serving its own context document."""
    body = json.dumps({"@context": MASTERY_INLINE_CONTEXT}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            found = self.path == HOSTED_PATH
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/ld+json")
            self.end_headers()
            self.wfile.write(body if found else b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def signed_with(context: list[Any], credential: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    document = copy.deepcopy(credential) | {"@context": context}
    document.pop("credentialStatus", None)  # the fixture's list lives on no server: signatures only here
    return sign(document, key, did_key_verification_method(key.public_key()), dt.datetime(2026, 11, 20, tzinfo=dt.UTC))


STANDARD = [ContextUrl.CREDENTIALS_V2.value, ContextUrl.OB_303.value]


def test_embedded_context_verifies_with_standard_contexts_and_no_fetch(
    credential: dict[str, Any], test_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    answer = js_verify(signed_with([*STANDARD, MASTERY_INLINE_CONTEXT], credential, test_key), tmp_path)
    assert answer["verified"] is True and answer["fetched"] == [], answer


def test_issuer_hosted_context_needs_a_verifier_that_fetches_from_the_issuer(
    credential: dict[str, Any], test_key: Ed25519PrivateKey, tmp_path: Path, issuer_origin: str
) -> None:
    # The hosted document holds the same terms, so the canonical N-Quads (what is signed) are the same: sign with
    # the embedded context (our signer loads nothing from the network), then name the hosted URL instead.
    document = signed_with([*STANDARD, MASTERY_INLINE_CONTEXT], credential, test_key)
    document["@context"] = [*STANDARD, issuer_origin + HOSTED_PATH]
    fetching = js_verify(document, tmp_path, base_url=issuer_origin)
    assert fetching["verified"] is True and set(fetching["fetched"]) == {issuer_origin + HOSTED_PATH}, fetching
    wallet_like = js_verify(document, tmp_path)
    assert wallet_like["verified"] is False
    assert any("Dereferencing a URL" in error for error in wallet_like["errors"]), wallet_like


def test_vocab_fallback_is_refused_by_safe_mode_on_both_sides(
    credential: dict[str, Any], test_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    # The credentials-v2 context verifiers ship has no top-level @vocab: undefined terms are dropped, which
    # jsonld.js safe mode (and ours) refuses; so we cannot even sign it.
    with pytest.raises(UnsafeDocumentError, match="assessmentType"):
        canonicalize_safe(copy.deepcopy(credential) | {"@context": STANDARD})
    unsafe = copy.deepcopy(credential) | {"@context": STANDARD}
    achievement = unsafe["credentialSubject"]["achievement"]
    for term in ("volumeOfLearning", "participationMode", "creditFramework", "assessmentType",
                 "qualityAssuranceType", "qualityAssuranceBody"):
        achievement.pop(term, None)
    document = signed_with(STANDARD, unsafe, test_key)
    document["credentialSubject"]["achievement"]["assessmentType"] = "testing"  # added after signing
    answer = js_verify(document, tmp_path)
    assert answer["verified"] is False
    assert any("Safe mode" in error or "safe mode" in error for error in answer["errors"]), answer


def test_old_unregistered_context_fails_every_independent_verifier(
    credential: dict[str, Any], test_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    document = signed_with([*STANDARD, ContextUrl.MASTERY_V1.value], credential, test_key)
    answer = js_verify(document, tmp_path)
    assert answer["verified"] is False
    assert any("w3id.org/mastery/contexts/v1.jsonld" in error for error in answer["errors"]), answer
