"""Issuance through the service: schema, our verifier, exactly once, reissue, revocation bits, key rotation."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from lti_tool.credentials import services
from lti_tool.credentials.issuing.unit_facts import OutcomeResult
from lti_tool.credentials.models import Credential, StatusList
from lti_tool.credentials.runtime import current_env, key_ring
from lti_tool.credentials.status.bitstring import Bitstring
from lti_tool.credentials.verification.schema_check import schema_errors
from lti_tool.credentials.verification.services import verify_any
from lti_tool.db import db
from tests.integration.credentials.conftest import NOW, World, mastered, subject_name

LATER = NOW + dt.timedelta(minutes=5)


def _checks(result: dict) -> dict[str, bool]:
    return {check["name"]: check["ok"] for check in result["checks"]}


def _bit(list_pk: int, index: int) -> bool:
    row = db.session.get(StatusList, list_pk)
    db.session.refresh(row)
    assert row.document is not None
    return Bitstring.decode(row.document["credentialSubject"]["encodedList"]).get(index)


def test_issued_credential_is_schema_valid_and_verifies(world: World) -> None:
    credential = world.issue(world.learner("l1"))
    document = credential.document
    assert schema_errors(document) == []
    assert document["id"] == f"http://127.0.0.1:5000/credentials/{credential.id}"
    assert document["issuer"]["id"].startswith("did:key:z6Mk")  # http base URL → did:key
    assert document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert subject_name(document) == "Lea Learner"
    kinds = {i["identityType"] for i in document["credentialSubject"]["identifier"]}
    assert {"emailAddress", "name"} <= kinds
    assert "lea@example.org" not in str(document)  # only the salted hash
    assert document["credentialStatus"]["statusListIndex"] == str(credential.status_index)
    result = verify_any(db.session, current_env(), document, LATER)
    assert result["ok"], result["checks"]
    assert {"signature", "schema", "status", "valid_from", "safe_mode"} <= set(_checks(result))


def test_learner_without_email_is_identified_by_the_lti_account(world: World) -> None:
    document = world.issue(world.learner("l-noemail", email="")).document
    kinds = [i["identityType"] for i in document["credentialSubject"]["identifier"]]
    assert "emailAddress" not in kinds and "ltiUserId" in kinds and "name" in kinds
    assert schema_errors(document) == []


def test_issuing_twice_returns_the_same_credential(world: World) -> None:
    learner = world.learner("l1")
    first = world.issue(learner)
    second = world.issue(learner, now=LATER)
    assert first.id == second.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Credential)) == 1
    assert db.session.get(StatusList, first.status_list_pk).next_index == 1  # the index was given back


def test_no_credential_without_mastery(world: World) -> None:
    unit = world.unit()
    results = mastered(unit)
    results[0] = OutcomeResult(results[0].outcome_id, 0.2, False)
    with pytest.raises(services.CredentialRefused):
        services.issue_for_mastery(db.session, world.learner("l1"), unit, results, now=NOW)
    with pytest.raises(ValueError, match="no result"):
        services.issue_for_mastery(db.session, world.learner("l1"), unit, results[1:], now=NOW)


def test_different_learners_get_consecutive_distinct_indices(world: World) -> None:
    credentials = [world.issue(world.learner(f"l{n}")) for n in range(5)]
    assert sorted(c.status_index for c in credentials) == [0, 1, 2, 3, 4]
    assert len({c.status_list_pk for c in credentials}) == 1


def test_revocation_flips_exactly_its_bit_and_is_idempotent(world: World) -> None:
    a, b, c = (world.issue(world.learner(f"l{n}")) for n in range(3))
    etag = db.session.get(StatusList, b.status_list_pk).etag
    assert services.revoke(db.session, b, "issued in error", "admin test", now=LATER) is True
    db.session.commit()
    assert [_bit(x.status_list_pk, x.status_index) for x in (a, b, c)] == [False, True, False]
    row = db.session.get(StatusList, b.status_list_pk)
    assert row.etag != etag
    assert services.revoke(db.session, b, "again", "admin test", now=LATER) is False
    db.session.commit()
    assert db.session.get(Credential, b.id).revocation_reason == "issued in error"
    result = verify_any(db.session, current_env(), b.document, LATER)
    assert not result["ok"] and _checks(result)["status"] is False
    assert verify_any(db.session, current_env(), a.document, LATER)["ok"]


def test_reissue_supersedes_and_revokes_the_old_credential(world: World) -> None:
    learner = world.learner("l1", name="Lea Lerner")
    old = world.issue(learner)
    learner.name = "Lea Learner"
    new = services.reissue(db.session, old, now=LATER, by="admin test")
    db.session.commit()
    assert new.id != old.id and subject_name(new.document) == "Lea Learner"
    assert old.superseded_by == new.id and old.revoked_at is not None
    assert services.live_credential(db.session, learner.id, old.unit_pk).id == new.id
    assert services.issue_for_mastery(db.session, learner, world.unit(), mastered(world.unit()), now=LATER).id == new.id
    assert verify_any(db.session, current_env(), new.document, LATER)["ok"]
    assert not verify_any(db.session, current_env(), old.document, LATER)["ok"]
    with pytest.raises(services.CredentialRefused):
        services.reissue(db.session, old, now=LATER, by="admin test")


def test_did_web_issuer_and_key_rotation_keep_old_credentials_valid(https_world: World) -> None:
    env = current_env()
    assert env.issuer.did == "did:web:mastery.example"
    old = https_world.issue(https_world.learner("l1"))
    assert old.document["proof"][0]["verificationMethod"].startswith("did:web:mastery.example#z6Mk")
    key_ring(https_world.app).rotate(LATER)
    rotated = current_env()
    assert len(rotated.issuer.did_document()["assertionMethod"]) == 2
    new = https_world.issue(https_world.learner("l2"), now=LATER)
    assert new.document["proof"][0]["verificationMethod"] != old.document["proof"][0]["verificationMethod"]
    for credential in (old, new):
        assert verify_any(db.session, rotated, credential.document, LATER)["ok"]
    # the list, re-signed by the new key, still revokes the old credential
    services.revoke(db.session, old, "issued in error", "admin test", now=LATER)
    db.session.commit()
    assert _checks(verify_any(db.session, current_env(), old.document, LATER))["status"] is False
    assert verify_any(db.session, current_env(), new.document, LATER)["ok"]


def test_did_key_rotation_keeps_old_credentials_verifiable_and_revocable(world: World) -> None:
    old = world.issue(world.learner("l1"))
    key_ring(world.app).rotate(LATER)
    new = world.issue(world.learner("l2"), now=LATER)
    assert new.document["issuer"]["id"] != old.document["issuer"]["id"]
    assert new.status_list_pk != old.status_list_pk  # each did:key signs its own lists
    assert verify_any(db.session, current_env(), old.document, LATER)["ok"]
    services.revoke(db.session, old, "issued in error", "admin test", now=LATER)
    db.session.commit()
    result = verify_any(db.session, current_env(), old.document, LATER)
    assert _checks(result)["status"] is False and _checks(result)["signature"] is True
    profile = current_env().issuer.profile()
    assert profile["otherIdentifier"][0]["identifier"] == old.document["issuer"]["id"]


def test_key_file_is_created_once_with_mode_0600(world: World) -> None:
    ring = key_ring(world.app)
    first = ring.keys().current.multikey
    assert ring.path.stat().st_mode & 0o777 == 0o600
    assert ring.keys().current.multikey == first
