"""Issue 14 item 1: a credential earned in the tool verifies with an independent verifier that has only the
standard contexts and the tool's own address; credentials of the old shape stay verifiable by the tool and are
reissued by a CLI batch.

The verifier (tests/js_verifier, digitalbazaar + the DCC security-document-loader, fetching nothing but the
live tool's URLs) reads the credential and its status list over HTTP, as a real verifier would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from lti_tool.credentials import services
from lti_tool.credentials.models import Credential
from lti_tool.credentials.proof.contexts import CREDENTIAL_CONTEXT, ContextUrl
from lti_tool.credentials.proof.dataintegrity import sign
from lti_tool.credentials.runtime import current_env
from lti_tool.db import db
from tests.conftest import LiveTool
from tests.integration.credentials.conftest import World, build_world
from tests.support.js_verifier import js_verify, needs_js_verifier

pytestmark = needs_js_verifier
OLD_CONTEXT = [ContextUrl.CREDENTIALS_V2.value, ContextUrl.OB_303.value, ContextUrl.MASTERY_V1.value]


@pytest.fixture
def live_world(live_tool: LiveTool) -> Iterator[tuple[LiveTool, World]]:
    """The live tool with tenants and catalogue, inside its app context."""
    world = build_world(live_tool.app)
    with live_tool.app.app_context():
        yield live_tool, world


def fetch(tool: LiveTool, credential: Credential) -> dict[str, Any]:
    response = requests.get(f"{tool.url}/credentials/{credential.id}.json", timeout=10)
    assert response.status_code == 200
    return dict(response.json())


def make_old_shape(credential: Credential) -> None:
    """Re-sign the stored credential as the tool signed it before issue 14 (w3id.org/mastery context)."""
    env = current_env()
    unsecured = {k: v for k, v in credential.document.items() if k != "proof"} | {"@context": OLD_CONTEXT}
    credential.document = sign(unsecured, env.issuer.keys.current.private_key, env.issuer.current_method,
                               dt.datetime.now(dt.UTC))
    db.session.commit()


def test_an_earned_credential_verifies_independently_over_http_and_shows_its_revocation(
    live_world: tuple[LiveTool, World], tmp_path: Path
) -> None:
    tool, world = live_world
    credential = world.issue(world.learner("l1"))
    document = fetch(tool, credential)
    assert document["@context"] == CREDENTIAL_CONTEXT
    answer = js_verify(document, tmp_path, base_url=tool.url)
    assert answer["verified"] is True and answer["statusChecked"] is True, answer
    assert answer["fetched"] == [document["credentialStatus"]["statusListCredential"]]

    services.revoke(db.session, credential, "issued by mistake", "teacher", now=dt.datetime.now(dt.UTC))
    db.session.commit()
    revoked = js_verify(fetch(tool, credential), tmp_path, base_url=tool.url)
    assert revoked["verified"] is False
    assert any("revoked" in error for error in revoked["errors"]), revoked


def test_old_shape_stays_verifiable_by_the_tool_and_a_batch_reissues_it(
    live_world: tuple[LiveTool, World], tmp_path: Path
) -> None:
    tool, world = live_world
    old = world.issue(world.learner("l1"))
    make_old_shape(old)
    untouched = world.issue(world.learner("l2"))
    revoked_old = world.issue(world.learner("l3"))
    make_old_shape(revoked_old)
    services.revoke(db.session, revoked_old, "cheating", "teacher", now=dt.datetime.now(dt.UTC))
    db.session.commit()

    old_document = fetch(tool, old)
    assert js_verify(old_document, tmp_path, base_url=tool.url)["verified"] is False  # nobody else can load it
    ours = requests.post(tool.url + "/api/verify", json=old_document, timeout=30).json()
    assert ours["ok"] is True, ours

    assert "would reissue 1, left 1" in tool.cli("credentials", "reissue-old-contexts", "--dry-run")
    output = tool.cli("credentials", "reissue-old-contexts", "--by", "ops")
    assert "reissued 1, left 1" in output
    db.session.expire_all()
    old = db.session.get(Credential, old.id)
    assert old is not None and old.superseded_by and old.revoked_at is not None
    new = db.session.get(Credential, old.superseded_by)
    assert new is not None and new.document["@context"] == CREDENTIAL_CONTEXT
    assert js_verify(fetch(tool, new), tmp_path, base_url=tool.url)["verified"] is True
    # The old one is now revoked, as the tool's verifier reports.
    again = requests.post(tool.url + "/api/verify", json=fetch(tool, old), timeout=30).json()
    assert again["ok"] is False and any(c["name"] == "status" and not c["ok"] for c in again["checks"])
    assert db.session.get(Credential, untouched.id).superseded_by is None  # type: ignore[union-attr]
    assert "reissued 0, left 1" in tool.cli("credentials", "reissue-old-contexts")
