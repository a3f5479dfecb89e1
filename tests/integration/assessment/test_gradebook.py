"""The score of a submitted attempt arrives at the platform's gradebook (AGS), exactly once."""

from __future__ import annotations

import threading

import requests

from lti_tool.assessment.numbers import percent_value
from tests.conftest import LEARNER, LiveTool
from tests.integration.assessment.helpers import Learner, launch_learner
from tests.lti_platform import TestPlatform
from tests.support.catalogue import shipped_unit
from tests.unit_files import item_index, key_response

UNIT = "manufacturing-circular-design"


def _answer(learner: Learner, attempt: dict, *, right_first: int) -> None:
    index = item_index(shipped_unit(UNIT))
    for n, item in enumerate(attempt["items"]):
        if n < right_first:
            learner.api("PUT", f"/api/attempts/{attempt['id']}/responses/{item['id']}",
                        {"response": key_response(index[item["id"]][1])})


def test_mastery_score_reaches_the_gradebook(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    _answer(learner, attempt, right_first=len(attempt["items"]))
    assert learner.api("POST", f"/api/attempts/{attempt['id']}/submit").json()["mastered"] is True
    assert platform.scores == []  # no request waits on the LMS: the worker sends it
    output = tool.cli("grades", "deliver", "--once")
    assert "sent" in output.lower()
    [score] = platform.scores
    assert score["userId"] == LEARNER.sub
    assert score["scoreGiven"] == 100 and score["scoreMaximum"] == 100
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
    assert "type_id=1" in score["lineitem"]  # Moodle-style line item URL kept its query string


def test_two_simultaneous_submits_post_one_score(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    _answer(learner, attempt, right_first=2)
    barrier = threading.Barrier(2)
    bodies: list[dict] = []

    def submit() -> None:
        with requests.Session() as http:
            http.cookies.update(learner.http.cookies)
            barrier.wait()
            bodies.append(Learner(tool, http, learner.csrf).api("POST", f"/api/attempts/{attempt['id']}/submit").json())

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    tool.cli("grades", "deliver", "--once")
    tool.cli("grades", "deliver", "--once")
    assert len(platform.scores) == 1
    assert platform.scores[0]["scoreGiven"] == percent_value(bodies[0]["score"])
    assert platform.scores[0]["scoreGiven"] < 100


def test_mastery_issues_one_verifiable_credential(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    _answer(learner, attempt, right_first=len(attempt["items"]))
    learner.api("POST", f"/api/attempts/{attempt['id']}/submit")
    learner.api("POST", f"/api/attempts/{attempt['id']}/submit")
    mine = learner.api("GET", "/api/me/credentials").json()["credentials"]
    assert len(mine) == 1 and mine[0]["unit"] == UNIT
    document = requests.get(mine[0]["url"], headers={"Accept": "application/ld+json"}, timeout=10).json()
    assert document["credentialSubject"]["result"]
    checks = requests.post(tool.url + "/api/verify", json=document, timeout=20).json()
    assert checks["ok"] is True, checks
    assert {c["name"] for c in checks["checks"] if c.get("ok")} >= {"signature", "schema", "status"}, checks["checks"]


def test_the_earned_credential_in_every_form(registered: tuple[LiveTool, TestPlatform]) -> None:
    from lti_tool.credentials.exports.elm_shacl import validate_elm
    from tests.conftest import STANDARDS

    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    _answer(learner, attempt, right_first=len(attempt["items"]))
    learner.api("POST", f"/api/attempts/{attempt['id']}/submit")
    [mine] = learner.api("GET", "/api/me/credentials").json()["credentials"]
    page = requests.get(mine["url"], timeout=10)
    assert page.status_code == 200 and 'data-status="valid"' in page.text
    pdf = requests.get(mine["url"] + ".pdf", timeout=10)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    qr = requests.get(mine["url"] + "/qr.svg", timeout=10)
    assert qr.status_code == 200 and "<svg" in qr.text
    elm = requests.get(mine["url"] + "/elm.json", timeout=10)
    assert elm.status_code == 200
    shapes = STANDARDS / "elm-v3" / "shacl" / "EDC-generic-no-cv.ttl"
    if shapes.exists():
        report = validate_elm(elm.json(), shapes)
        assert report.conforms, report.text[:2000]
    listing = learner.http.get(f"{tool.url}/me/credentials", timeout=10)
    assert listing.status_code == 200 and "qr.svg" in listing.text and ".pdf" in listing.text
