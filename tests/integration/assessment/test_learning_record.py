"""A learner journey from the independent platform leaves a complete trail in the real Ralph LRS."""

from __future__ import annotations

from lti_tool.runtime import current_settings, replace_settings, runtime
from lti_tool.xapi.lrs import LrsProbe
from lti_tool.xapi.lrs_client import LrsClient
from tests.conftest import LEARNER, LiveTool
from tests.integration.assessment.helpers import launch_learner
from tests.integration.assessment.test_gradebook import UNIT, _answer
from tests.lrs_fixtures import RalphLrs
from tests.lti_platform import TestPlatform
from tests.support.catalogue import shipped_unit

ADL = "http://adlnet.gov/expapi/verbs/"


def _point_at(tool: LiveTool, lrs: RalphLrs) -> None:
    settings = current_settings(tool.app).model_copy(
        update={"lrs_url": lrs.url, "lrs_username": lrs.username, "lrs_password": lrs.password})
    replace_settings(tool.app, settings)
    runtime(tool.app).parts.lrs_probe = LrsProbe(settings)


def test_mastery_journey_is_in_the_lrs(registered: tuple[LiveTool, TestPlatform], ralph_lrs: RalphLrs) -> None:
    tool, platform = registered
    _point_at(tool, ralph_lrs)
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    _answer(learner, attempt, right_first=len(attempt["items"]))
    body = learner.api("POST", f"/api/attempts/{attempt['id']}/submit").json()
    assert body["mastered"] is True
    tool.cli("xapi", "deliver", "--once")
    agent = {"objectType": "Agent", "account": {"homePage": platform.issuer, "name": LEARNER.sub}}
    with LrsClient(ralph_lrs.url, ralph_lrs.username, ralph_lrs.password) as lrs:
        mine = list(lrs.iter_statements(agent=agent))
        in_attempt = list(lrs.iter_statements(registration=attempt["id"]))
        passed = list(lrs.iter_statements(agent=agent, verb=ADL + "passed"))
    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in mine]
    assert "launched" in verbs and "initialized" in verbs and "completed" in verbs and "passed" in verbs
    assert verbs.count("answered") == len(attempt["items"])
    assert verbs.count("mastered") == len(body["outcomes"]) + 1  # every outcome, then the unit
    assert "earned" in verbs  # the credential
    assert all(s["actor"] == {"objectType": "Agent", "account": agent["account"]} or
               s["actor"].get("account") == agent["account"] for s in mine)
    assert not any("mbox" in s["actor"] or "name" in s["actor"] for s in mine)  # no name or e-mail
    assert {s["context"]["registration"] for s in in_attempt} == {attempt["id"]}
    assert len(passed) == 1 and passed[0]["result"]["score"]["scaled"] == body["score"]
    unit_mastered = [s for s in mine if s["verb"]["id"].endswith("mastered") and
                     s["object"]["id"].endswith(f"/units/{UNIT}")]
    others = unit_mastered[0]["context"]["contextActivities"]["other"]
    assert any("data.europa.eu/esco/skill" in a["id"] for a in others)  # ESCO skills travel with it


def test_reading_a_section_is_experienced_once_per_report(registered: tuple[LiveTool, TestPlatform]) -> None:
    import json

    import sqlalchemy as sa

    from lti_tool.db import db
    from lti_tool.xapi.models import StatementOutbox

    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    section = shipped_unit(UNIT)["sections"][0]["id"]
    answer = learner.api("POST", f"/api/units/{UNIT}/sections/{section}/experienced")
    assert answer.status_code == 200 and answer.json() == {"recorded": 1}
    assert learner.api("POST", f"/api/units/{UNIT}/sections/no-such-section/experienced").status_code == 404
    assert learner.api("POST", f"/api/units/wood-chain-of-custody/sections/{section}/experienced").status_code == 403
    with tool.app.app_context():
        verbs = [json.loads(r.payload)["verb"]["id"] for r in db.session.scalars(sa.select(StatementOutbox))]
    assert sum(v.endswith("/experienced") for v in verbs) == 1
