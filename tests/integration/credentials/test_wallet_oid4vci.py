"""Issue 14 item 2: the credential lands in a wallet through OpenID4VCI 1.0 (pre-authorized code flow).

Driven by the independent wallet in tests/wallet (written from the spec, sharing no code with the tool) against
the live tool over HTTP. Every bad-input case gets the error code the spec names, with a 4xx; nothing is issued
twice for one offer.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
import requests
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lti_tool.credentials.runtime import current_env
from lti_tool.db import db
from lti_tool.wallets import services as oid4vci
from lti_tool.wallets.models import CredentialOffer
from tests.conftest import LiveTool
from tests.integration.credentials.conftest import World, build_world
from tests.support.js_verifier import js_verify, needs_js_verifier
from tests.wallet.client import Wallet, WalletError, parse_offer

LDP, JWT = "OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_jwt_vc_json"


@pytest.fixture
def live_world(live_tool: LiveTool) -> Iterator[tuple[LiveTool, World]]:
    world = build_world(live_tool.app)
    with live_tool.app.app_context():
        yield live_tool, world


def new_offer(world: World, sub: str = "l1", *, tx_code: bool = True) -> tuple[Any, oid4vci.Offer]:
    credential = world.issue(world.learner(sub))
    offer = oid4vci.create_offer(db.session, current_env(), credential, now=dt.datetime.now(dt.UTC),
                                 with_tx_code=tx_code)
    db.session.commit()
    return credential, offer


def error_of(call: Any) -> tuple[int, str | None]:
    with pytest.raises(WalletError) as caught:
        call()
    return caught.value.status, caught.value.code


@pytest.mark.parametrize("needs", [needs_js_verifier])
def test_ldp_vc_with_did_key_is_holder_bound_and_verifies_independently(
    live_world: tuple[LiveTool, World], tmp_path: Path, needs: Any
) -> None:
    tool, world = live_world
    credential, offer = new_offer(world)
    wallet = Wallet()
    received = wallet.receive(offer.uri, offer.tx_code, LDP)
    assert received["credentialSubject"]["id"] == wallet.key.did
    assert received["id"] == credential.document["id"]  # the same credential, now bound to the holder
    assert received["credentialStatus"] == credential.document["credentialStatus"]  # revocation reaches it too
    answer = js_verify(received, tmp_path, base_url=tool.url)
    assert answer["verified"] is True, answer
    assert requests.post(tool.url + "/api/verify", json=received, timeout=30).json()["ok"] is True


def test_jwt_vc_json_with_jwk_binds_a_did_jwk(live_world: tuple[LiveTool, World]) -> None:
    tool, world = live_world
    _, offer = new_offer(world)
    wallet = Wallet()
    token = wallet.receive(offer.uri, offer.tx_code, JWT, use_jwk=True)
    claims = pyjwt.decode(token, options={"verify_signature": False})
    expected = "did:jwk:" + base64.urlsafe_b64encode(
        json.dumps(wallet.key.jwk, separators=(",", ":"), sort_keys=True).encode()).rstrip(b"=").decode()
    assert claims["sub"] == expected == claims["credentialSubject"]["id"]
    verified = requests.post(tool.url + "/api/verify", data=token, headers={"Content-Type": "text/plain"},
                             timeout=30).json()
    assert verified["ok"] is True and verified["format"] == "vc-jwt", verified


def test_metadata_documents_the_flow(live_world: tuple[LiveTool, World]) -> None:
    tool, _ = live_world
    wallet = Wallet()
    wallet.discover(tool.url)
    assert wallet.issuer["credential_endpoint"] == tool.url + "/oid4vci/credential"
    assert set(wallet.issuer["credential_configurations_supported"]) == {LDP, JWT}
    for configuration in wallet.issuer["credential_configurations_supported"].values():
        assert configuration["cryptographic_binding_methods_supported"] == ["did:key", "jwk"]
        assert "EdDSA" in configuration["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"]
    assert wallet.authorization_server["pre-authorized_grant_anonymous_access_supported"] is True
    assert oid4vci.PRE_AUTHORIZED_GRANT in wallet.authorization_server["grant_types_supported"]


def test_token_endpoint_errors(live_world: tuple[LiveTool, World]) -> None:
    tool, world = live_world
    _, offer = new_offer(world)
    wallet = Wallet()
    document = parse_offer(offer.uri)
    wallet.discover(document["credential_issuer"])
    assert error_of(lambda: wallet.token(document)) == (400, "invalid_request")  # tx_code missing
    assert error_of(lambda: wallet.token(document, "0000" if offer.tx_code != "0000" else "1111")) == (
        400, "invalid_grant")
    assert error_of(lambda: wallet.token(document, offer.tx_code, code="made-up")) == (400, "invalid_grant")
    assert wallet.token(document, offer.tx_code)["token_type"] == "Bearer"
    assert error_of(lambda: wallet.token(document, offer.tx_code)) == (400, "invalid_grant")  # reused

    _, expired = new_offer(world, "l2")
    db.session.execute(sa.update(CredentialOffer).where(CredentialOffer.id == expired.offer.id)
                       .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    db.session.commit()
    assert error_of(lambda: wallet.token(parse_offer(expired.uri), expired.tx_code)) == (400, "invalid_grant")

    _, plain = new_offer(world, "l3", tx_code=False)
    assert error_of(lambda: wallet.token(parse_offer(plain.uri), "1234")) == (400, "invalid_request")
    response = requests.post(wallet.authorization_server["token_endpoint"],
                             data={"grant_type": "authorization_code", "code": "x"}, timeout=10)
    assert (response.status_code, response.json()["error"]) == (400, "unsupported_grant_type")
    assert response.headers["Cache-Control"] == "no-store"


def test_wrong_tx_code_guesses_burn_the_offer(live_world: tuple[LiveTool, World]) -> None:
    _, world = live_world
    _, offer = new_offer(world)
    wallet = Wallet()
    document = parse_offer(offer.uri)
    wallet.discover(document["credential_issuer"])
    wrong = [code for code in ("0000", "1111", "2222", "3333", "4444", "5555") if code != offer.tx_code][:5]
    for code in wrong:
        assert error_of(lambda code=code: wallet.token(document, code)) == (400, "invalid_grant")
    assert error_of(lambda: wallet.token(document, offer.tx_code)) == (400, "invalid_grant")


def test_credential_endpoint_errors_and_nothing_issued_twice(live_world: tuple[LiveTool, World]) -> None:
    tool, world = live_world
    _, offer = new_offer(world)
    other, _ = new_offer(world, "someone-else")
    wallet = Wallet()
    document = parse_offer(offer.uri)
    wallet.discover(document["credential_issuer"])
    access = wallet.token(document, offer.tx_code)["access_token"]

    def ask(proof: Any, configuration: str | None = LDP, token: str = access, **extra: Any) -> tuple[int, Any]:
        return error_of(lambda: wallet.credential(token, configuration, {"jwt": [proof]}, **extra))

    assert ask(wallet.proof(wallet.nonce()), token="not-a-token") == (401, "invalid_token")
    assert ask(wallet.proof("never-issued")) == (400, "invalid_nonce")
    assert ask(wallet.proof(wallet.nonce(), audience="https://elsewhere.example")) == (400, "invalid_proof")
    assert ask(wallet.proof(wallet.nonce(), typ="JWT")) == (400, "invalid_proof")
    assert ask(wallet.proof(wallet.nonce(), iat=1_000_000_000)) == (400, "invalid_proof")
    secret = "a-shared-secret-that-is-long-enough-for-hs256"
    hs256 = pyjwt.encode({"aud": tool.url, "iat": 0, "nonce": wallet.nonce()}, secret, algorithm="HS256",
                         headers={"typ": "openid4vci-proof+jwt", "kid": wallet.key.kid})
    assert ask(hs256) == (400, "invalid_proof")
    unsigned = pyjwt.encode({"aud": tool.url, "iat": 0, "nonce": "x"}, None, algorithm="none",
                            headers={"typ": "openid4vci-proof+jwt", "kid": wallet.key.kid})
    assert ask(unsigned) == (400, "invalid_proof")
    stranger = Ed25519PrivateKey.generate()  # signs, while the header names the wallet's key
    assert ask(wallet.proof(wallet.nonce(), signer=stranger)) == (400, "invalid_proof")
    assert ask(wallet.proof(wallet.nonce(), signer=stranger, use_jwk=True)) == (400, "invalid_proof")
    assert ask(wallet.proof(wallet.nonce()), configuration="SomethingElse") == (
        400, "unknown_credential_configuration")
    assert ask(wallet.proof(wallet.nonce()), configuration=None, credential_identifier=other.id) == (
        400, "unknown_credential_identifier")  # another learner's credential
    assert error_of(lambda: wallet.credential(access, LDP, {"jwt": []})) == (400, "invalid_proof")

    used_nonce = wallet.nonce()
    # Four wallets race with the same token: exactly one credential comes out.
    results: list[Any] = []

    def race(nonce: str) -> None:
        try:
            results.append(wallet.credential(access, LDP, {"jwt": [wallet.proof(nonce)]}))
        except WalletError as error:
            results.append((error.status, error.code))

    threads = [threading.Thread(target=race, args=(n,)) for n in [used_nonce, *(wallet.nonce() for _ in range(3))]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    issued = [r for r in results if isinstance(r, dict)]
    refused = sorted(r for r in results if not isinstance(r, dict))
    assert len(issued) == 1 and refused == [(401, "invalid_token")] * 3
    assert ask(wallet.proof(used_nonce)) == (401, "invalid_token")  # and never again
    row = db.session.scalar(sa.select(CredentialOffer).where(CredentialOffer.id == offer.offer.id))
    db.session.refresh(row)
    assert row is not None and row.holder == wallet.key.did and row.format == LDP


def test_revoked_credential_is_not_delivered(live_world: tuple[LiveTool, World]) -> None:
    from lti_tool.credentials import services

    _, world = live_world
    credential, offer = new_offer(world)
    services.revoke(db.session, credential, "issued by mistake", "teacher", now=dt.datetime.now(dt.UTC))
    db.session.commit()
    assert error_of(lambda: Wallet().receive(offer.uri, offer.tx_code, LDP)) == (400, "credential_request_denied")
