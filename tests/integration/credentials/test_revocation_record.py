"""A revocation is in the learning record too: a 'revoked' statement queued with it, once."""

from __future__ import annotations

import json

import sqlalchemy as sa

from lti_tool.db import db
from lti_tool.xapi.models import StatementOutbox
from tests.conftest import LEARNER, LiveTool
from tests.integration.assessment.helpers import launch_learner
from tests.integration.assessment.test_gradebook import UNIT, _answer
from tests.lti_platform import TestPlatform


def test_revoking_queues_a_revoked_statement_once(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    _answer(learner, attempt, right_first=len(attempt["items"]))
    learner.api("POST", f"/api/attempts/{attempt['id']}/submit")
    [credential] = learner.api("GET", "/api/me/credentials").json()["credentials"]
    for _ in range(2):  # revoking twice is a no-op
        tool.cli("credentials", "revoke", credential["id"], "--reason", "Issued in error")
    with tool.app.app_context():
        payloads = [json.loads(row.payload) for row in db.session.scalars(sa.select(StatementOutbox))]
    revoked = [p for p in payloads if p["verb"]["id"].endswith("/revoked")]
    assert len(revoked) == 1
    assert revoked[0]["object"]["id"].endswith(credential["id"])
    assert revoked[0]["result"]["response"] == "Issued in error"
    assert revoked[0]["actor"]["account"]["name"] == LEARNER.sub
