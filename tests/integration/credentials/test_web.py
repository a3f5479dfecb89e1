"""Public credential endpoints over HTTP: page, JSON-LD, VC-JWT, status list, issuer, context, /api/verify."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import io
import json
import re
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask.testing import FlaskClient

from lti_tool.credentials import services
from lti_tool.credentials.proof.contexts import CONTEXTS_DIR
from lti_tool.credentials.proof.dataintegrity import sign
from lti_tool.credentials.proof.multibase import did_key, did_key_verification_method
from lti_tool.credentials.status.bitstring import Bitstring
from lti_tool.credentials.verification.schema_check import schema_errors
from lti_tool.db import db
from tests.conftest import STANDARDS
from tests.integration.credentials.conftest import World

EXAMPLES = STANDARDS / "openbadges-3.0" / "examples"
FOREIGN_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"another-issuer-test-seed").digest())


def _checks(answer: dict[str, Any]) -> dict[str, bool]:
    return {check["name"]: check["ok"] for check in answer["checks"]}


def _verify(client: FlaskClient, body: Any) -> dict[str, Any]:
    response = client.post("/api/verify", json=body) if not isinstance(body, str) else client.post(
        "/api/verify", data=body, content_type="text/plain")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def _foreign(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Our credential re-issued by another (did:key) issuer, without our status list, then signed."""
    unsigned = {k: v for k, v in copy.deepcopy(document).items() if k not in ("proof", "credentialStatus")}
    unsigned["issuer"]["id"] = did_key(FOREIGN_KEY.public_key())
    unsigned.update(changes)
    return sign(unsigned, FOREIGN_KEY, did_key_verification_method(FOREIGN_KEY.public_key()),
                dt.datetime(2026, 11, 1, tzinfo=dt.UTC))


def test_public_page_shows_every_annex_i_element_without_login(world: World, client: FlaskClient) -> None:
    credential = world.issue(world.learner("l1"))
    page = client.get(f"/credentials/{credential.id}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    for element in ("Lea Learner", "Chain-of-custody certification", "Awarding body", "MASTERY Project",
                    "Italy (IT)", "Date of issuing", "November 20, 2026", "Learning outcomes", "1 ECTS",
                    "25 hours of learning", "EQF) level 5", "Type of assessment", "Online assessment",
                    "Form of participation", "Online", "Quality assurance", "sustainable forest management",
                    "data.europa.eu/esco/skill/"):
        assert element in html, element
    assert 'data-status="valid"' in html and 'data-check="signature" data-ok="true"' in html
    assert 'data-verdict="genuine"' in html and "Genuine: issued by MASTERY Project" in html
    assert "<details class=\"technical\">" in html  # the technical checks are folded away
    # No tracking: no cookie, and only the tool's own scripts (no inline code, nothing from other sites).
    assert "Set-Cookie" not in page.headers
    assert re.findall(r"<script[^>]*>", html) == re.findall(r'<script src="/static/[^"]+" defer>', html)
    assert 'lang="en"' in html and "<h1>" in html


def test_content_negotiation_and_downloads(world: World, client: FlaskClient) -> None:
    credential = world.issue(world.learner("l1"))
    as_ld = client.get(f"/credentials/{credential.id}", headers={"Accept": "application/ld+json"})
    assert as_ld.mimetype == "application/ld+json" and as_ld.get_json() == credential.document
    assert client.get(f"/credentials/{credential.id}.json").get_json() == credential.document
    download = client.get(f"/credentials/{credential.id}.json?download=1")
    assert "attachment" in download.headers["Content-Disposition"]
    token = client.get(f"/credentials/{credential.id}.jwt").get_data(as_text=True)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT"
    assert client.get(f"/credentials/{credential.id}.jwt").get_data(as_text=True) == token  # kept, not re-made
    answer = _verify(client, token)
    assert answer["ok"] and answer["format"] == "vc-jwt", answer["checks"]
    assert client.get("/credentials/00000000-0000-4000-8000-000000000000").status_code == 404


def test_status_list_is_signed_cacheable_and_conditional(world: World, client: FlaskClient) -> None:
    credential = world.issue(world.learner("l1"))
    url = credential.document["credentialStatus"]["statusListCredential"]
    path = url.removeprefix("http://127.0.0.1:5000")
    first = client.get(path)
    assert first.status_code == 200 and first.get_json()["type"] == ["VerifiableCredential",
                                                                     "BitstringStatusListCredential"]
    assert first.get_json()["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert "max-age=300" in first.headers["Cache-Control"] and first.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    services.revoke(db.session, credential, "issued in error", "admin test",
                    now=dt.datetime(2026, 11, 21, tzinfo=dt.UTC))
    db.session.commit()
    second = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.headers["ETag"] != first.headers["ETag"]
    bits = Bitstring.decode(second.get_json()["credentialSubject"]["encodedList"])
    assert bits.size == 131_072 and bits.get(credential.status_index)
    assert client.get("/credentials/status/999").status_code == 404


def test_revocation_shows_on_the_page_and_in_api_verify(world: World, client: FlaskClient) -> None:
    credential = world.issue(world.learner("l1"))
    assert _verify(client, credential.document)["ok"]
    services.revoke(db.session, credential, "Issued to the wrong learner", "admin test",
                    now=dt.datetime(2026, 11, 21, tzinfo=dt.UTC))
    db.session.commit()
    html = client.get(f"/credentials/{credential.id}").get_data(as_text=True)
    assert 'data-status="revoked"' in html and "Issued to the wrong learner" in html
    assert 'data-check="status" data-ok="false"' in html
    answer = _verify(client, credential.document)
    assert not answer["ok"] and _checks(answer)["status"] is False and _checks(answer)["signature"] is True


def test_issuer_profile_mastery_context_and_no_did_web_on_http(world: World, client: FlaskClient) -> None:
    profile = client.get("/issuer").get_json()
    assert profile["id"].startswith("did:key:") and profile["address"]["addressCountryCode"] == "IT"
    context = client.get("/contexts/mastery/v1.jsonld")
    assert context.mimetype == "application/ld+json"
    assert context.get_data() == (CONTEXTS_DIR / "mastery-v1.jsonld").read_bytes()
    assert client.get("/.well-known/did.json").status_code == 404


def test_did_web_document_served_for_a_public_https_base(https_world: World) -> None:
    client = https_world.app.test_client()
    credential = https_world.issue(https_world.learner("l1"))
    did = client.get("/.well-known/did.json")
    assert did.status_code == 200 and did.get_json()["id"] == "did:web:mastery.example"
    method = credential.document["proof"][0]["verificationMethod"]
    assert method in did.get_json()["assertionMethod"]
    assert client.get("/issuer").get_json()["id"] == "did:web:mastery.example"
    assert _verify(client, credential.document)["ok"]


def test_other_issuers_credentials_verify_and_bad_ones_fail_per_check(world: World, client: FlaskClient) -> None:
    ours = world.issue(world.learner("l1")).document
    foreign = _foreign(ours)
    assert schema_errors(foreign) == []
    assert _verify(client, foreign)["ok"]
    vector = json.loads((EXAMPLES / "mastery-wood-u1.signed-eddsa-rdfc-2022.TESTKEY.json").read_text())
    assert _verify(client, {"credential": vector})["ok"]

    tampered = copy.deepcopy(ours)
    tampered["credentialSubject"]["achievement"]["name"] = "Something else"
    assert _checks(_verify(client, tampered))["signature"] is False

    undefined = copy.deepcopy(ours)
    undefined["credentialSubject"]["undefinedTerm"] = "not signed"
    assert _checks(_verify(client, undefined))["safe_mode"] is False

    unknown_context = copy.deepcopy(ours)
    unknown_context["@context"] = [*ours["@context"], "https://unknown.example/context.jsonld"]
    answer = _verify(client, unknown_context)
    assert not answer["ok"] and any("unknown.example" in c["detail"] for c in answer["checks"] if not c["ok"])

    future = _foreign(ours, validFrom="2099-01-01T00:00:00Z", awardedDate="2099-01-01T00:00:00Z")
    checks = _checks(_verify(client, future))
    assert checks["valid_from"] is False and checks["signature"] is True

    foreign_signature = copy.deepcopy(ours)
    foreign_signature["proof"] = foreign["proof"]
    assert not _verify(client, foreign_signature)["ok"]

    one_edtech = json.loads((EXAMPLES / "simple.signed-eddsa-rdfc-2022.1edtech-validator-testvector.json").read_text())
    answer = _verify(client, one_edtech)  # https key, remote resolution off in tests: a clear failed check
    assert not answer["ok"] and _checks(answer)["verification_method"] is False


def _b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_hostile_uploads_get_a_4xx_or_failed_checks_never_a_5xx(world: World, client: FlaskClient) -> None:
    ours = world.issue(world.learner("l1")).document
    payload = {k: v for k, v in ours.items() if k != "proof"} | {"iss": ours["issuer"]["id"]}
    unsigned_jwt = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."
    answer = _verify(client, unsigned_jwt)
    assert not answer["ok"] and _checks(answer)["jwt_header"] is False
    assert not _verify(client, {"jwt": unsigned_jwt})["ok"]

    big = client.post("/api/verify", data=b"{" + b" " * (10 * 1024 * 1024) + b"}", content_type="application/json")
    assert big.status_code == 413 and big.get_json()["error"] in {"payload_too_large", "request_entity_too_large"}
    just_over = client.post("/api/verify", data=b" " * (1024 * 1024 + 1), content_type="application/json")
    assert just_over.status_code == 413 and just_over.get_json()["error"] == "payload_too_large"

    for body in (b"<html>not json</html>", b"\xff\xfe\x00garbage", b"{\"unterminated\": ", b"[" * 100_000):
        answer = client.post("/api/verify", data=body, content_type="application/json")
        assert answer.status_code == 400 and answer.get_json()["error"] == "not_json", body[:20]
    for body in ([1, 2], 42, "just a string", False):
        answer = client.post("/api/verify", json=body)
        assert answer.status_code == 422 and answer.get_json()["error"] == "invalid_input"

    weird = [{"@context": 5}, {"@context": ["https://www.w3.org/ns/credentials/v2"], "proof": "x"},
             {"@context": [{"@version": 9}], "type": 3}, {"proof": [{"type": "DataIntegrityProof",
              "cryptosuite": "eddsa-rdfc-2022", "verificationMethod": "did:key:zzz", "proofValue": "z1"}]},
             {"@context": ["https://www.w3.org/ns/credentials/v2"], "credentialStatus": {"type": 1}},
             {"@context": {"@context": {"@context": "x"}}}]
    for body in weird:
        answer = client.post("/api/verify", json=body)
        assert answer.status_code == 200 and answer.get_json()["ok"] is False, body


def test_multipart_upload_of_a_file(world: World, client: FlaskClient) -> None:
    ours = world.issue(world.learner("l1")).document
    data = {"file": (io.BytesIO(json.dumps(ours).encode()), "credential.json", "application/json")}
    answer = client.post("/api/verify", data=data, content_type="multipart/form-data")
    assert answer.status_code == 200 and answer.get_json()["ok"], answer.get_json()
    # built by hand: the test client spools big multipart bodies to a temporary file it never closes
    body = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.json"\r\n'
            b"Content-Type: application/json\r\n\r\n" + b" " * (2 * 1024 * 1024) + b"\r\n--b--\r\n")
    big = client.post("/api/verify", data=body, content_type="multipart/form-data; boundary=b")
    assert big.status_code == 413 and big.get_json()["error"] == "payload_too_large"


@pytest.mark.parametrize("path", ["/credentials/not-a-uuid", "/credentials/status/abc"])
def test_bad_ids_are_404(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404
