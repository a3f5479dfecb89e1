"""The learner JSON API: attempt, autosave, submit exactly once, and every kind of bad input."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from lti_tool.assessment.models import Attempt, AttemptResponse
from lti_tool.db import db
from tests.conftest import LEARNER, LiveTool
from tests.integration.assessment.helpers import Learner, launch_learner
from tests.lti_platform import PlatformUser, TestPlatform
from tests.support.catalogue import shipped_unit
from tests.unit_files import item_index, key_response

UNIT = "manufacturing-circular-design"  # fully auto-scored


def _unit_doc(slug: str) -> dict[str, Any]:
    return shipped_unit(slug)


def _answer_all(learner: Learner, attempt: dict[str, Any], slug: str, *, right: bool = True) -> None:
    index = item_index(_unit_doc(slug))
    for item in attempt["items"]:
        item_def = index[item["id"]][1]
        response = key_response(item_def) if right else None
        if item["type"] == "practical":
            response = {"text": "I sorted the site's waste into six streams and kept the transfer notes."}
        saved = learner.api("PUT", f"/api/attempts/{attempt['id']}/responses/{item['id']}", {"response": response})
        assert saved.status_code == 200, saved.text


def test_a_learner_masters_a_unit_through_the_api(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    started = learner.api("POST", "/api/attempts", {"unit": UNIT})
    assert started.status_code == 201
    attempt = started.json()
    assert attempt["unit"] == UNIT and attempt["items"]
    raw = started.text
    for item_def in item_index(_unit_doc(UNIT)).values():  # the answer key never reaches the browser
        assert '"answer"' not in raw
        if item_def[1]["type"] == "short_text":
            assert all(accepted not in raw for accepted in item_def[1]["answer"])
    assert learner.api("POST", "/api/attempts", {"unit": UNIT}).json()["id"] == attempt["id"]  # resumed
    _answer_all(learner, attempt, UNIT)
    result = learner.api("POST", f"/api/attempts/{attempt['id']}/submit")
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["mastered"] is True and body["score"] == pytest.approx(1.0)
    assert [o["id"] for o in body["outcomes"]] == [o["id"] for o in _unit_doc(UNIT)["outcomes"]]
    assert all(o["met"] for o in body["outcomes"]) and body["pending_review"] is False
    again = learner.api("POST", f"/api/attempts/{attempt['id']}/submit")
    assert again.status_code == 200 and again.json() == body
    page = learner.http.get(f"{tool.url}/units/{UNIT}/attempts/{attempt['id']}", timeout=5)
    assert page.status_code == 200 and 'data-mastered="true"' in page.text
    unit_page = learner.http.get(f"{tool.url}/units/{UNIT}", timeout=5).text
    assert f'data-attempt="{attempt["id"]}"' in unit_page and "Mastered" in unit_page  # progress on the unit page


def test_wrong_answers_do_not_master(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    empty = {"matching": {}, "multiple_response": [], "short_text": "", "ordering": None}
    for item in attempt["items"]:  # what a page sends for untouched controls
        if item["type"] in empty:
            saved = learner.api("PUT", f"/api/attempts/{attempt['id']}/responses/{item['id']}",
                                {"response": empty[item["type"]]})
            assert saved.status_code == 200, saved.text
    body = learner.api("POST", f"/api/attempts/{attempt['id']}/submit").json()
    assert body["mastered"] is False and body["score"] == 0
    assert not any(o["met"] for o in body["outcomes"])


def test_concurrent_submits_give_one_result(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    _answer_all(learner, attempt, UNIT)
    answers: list[requests.Response] = []
    barrier = threading.Barrier(4)

    def submit() -> None:
        with requests.Session() as http:
            http.cookies.update(learner.http.cookies)
            barrier.wait()
            answers.append(Learner(tool, http, learner.csrf).api("POST", f"/api/attempts/{attempt['id']}/submit"))

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [200] * 4
    assert len({json.dumps(a.json(), sort_keys=True) for a in answers}) == 1
    with tool.app.app_context():
        row = db.session.get(Attempt, attempt["id"])
        assert row is not None and row.state == "submitted"


def test_bad_input_is_refused_and_nothing_changes(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    item = next(i for i in attempt["items"] if i["type"] == "single_choice")
    base = f"/api/attempts/{attempt['id']}"
    cases = [
        ("PUT", f"{base}/responses/{item['id']}", {"response": "no-such-option"}, 422),
        ("PUT", f"{base}/responses/{item['id']}", {"response": ["a", "b"]}, 422),
        ("PUT", f"{base}/responses/{item['id']}", {"nothing": 1}, 422),
        ("PUT", f"{base}/responses/not-in-this-attempt", {"response": "a"}, 404),
        ("PUT", "/api/attempts/00000000-0000-4000-8000-000000000000/responses/x", {"response": "a"}, 404),
        ("POST", "/api/attempts/x%27%20OR%201=1--/submit", None, 404),
        ("POST", "/api/attempts/not-a-uuid/submit", None, 404),
        ("POST", "/api/attempts", {"unit": "wood-chain-of-custody"}, 403),  # not the unit launched here
        ("POST", "/api/attempts", {"unit": 5}, 422),
        ("POST", "/api/attempts", "not an object", 422),
    ]
    for method, path, payload, status in cases:
        answer = learner.api(method, path, payload)
        assert answer.status_code == status, (method, path, answer.status_code, answer.text)
        assert set(answer.json()) == {"error", "message"}
    no_csrf = learner.http.put(f"{tool.url}{base}/responses/{item['id']}", json={"response": None}, timeout=5)
    assert no_csrf.status_code == 403 and no_csrf.json()["error"] == "csrf_failed"
    with tool.app.app_context():
        saved = db.session.scalar(sa.select(sa.func.count()).select_from(AttemptResponse))
    assert saved == 0


def test_another_learners_attempt_is_not_found(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    owner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = owner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    other = launch_learner(tool, platform, UNIT, PlatformUser(sub="learner-2", name="Other"))
    for method, path in (("GET", f"/api/attempts/{attempt['id']}"),
                         ("POST", f"/api/attempts/{attempt['id']}/submit"),
                         ("PUT", f"/api/attempts/{attempt['id']}/responses/{attempt['items'][0]['id']}")):
        answer = other.api(method, path, {"response": None} if method == "PUT" else None)
        assert answer.status_code == 404, (method, path)
    assert owner.api("GET", f"/api/attempts/{attempt['id']}").json()["state"] == "in_progress"


def test_time_limit_is_enforced_by_the_server(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    slug = "wood-chain-of-custody"  # 45-minute time limit
    learner = launch_learner(tool, platform, slug, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": slug}).json()
    assert attempt["deadline"]
    with tool.app.app_context():  # the learner comes back an hour later
        row = db.session.get(Attempt, attempt["id"])
        assert row is not None and row.deadline_at is not None
        row.deadline_at = row.deadline_at.replace(year=2001)
        db.session.commit()
    item = attempt["items"][0]
    late_save = learner.api("PUT", f"/api/attempts/{attempt['id']}/responses/{item['id']}", {"response": None})
    assert late_save.status_code == 409 and late_save.json()["error"] == "time_limit_passed"
    late_submit = learner.api("POST", f"/api/attempts/{attempt['id']}/submit")
    assert late_submit.status_code == 409 and late_submit.json()["error"] == "time_limit_passed"
    assert learner.api("GET", f"/api/attempts/{attempt['id']}").json()["state"] == "submitted"


def test_attempt_policy_limits_attempts(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    slug = "wood-chain-of-custody"  # max 3 attempts, 60-minute cooldown
    learner = launch_learner(tool, platform, slug, LEARNER)
    first = learner.api("POST", "/api/attempts", {"unit": slug}).json()
    learner.api("POST", f"/api/attempts/{first['id']}/submit")
    cooled = learner.api("POST", "/api/attempts", {"unit": slug})
    assert cooled.status_code == 409 and cooled.json()["error"] == "cooldown"


def test_absurd_json_bodies_are_4xx_not_5xx(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    item = attempt["items"][0]["id"]
    deep = '{"response": ' + "[" * 100_000 + "]" * 100_000 + "}"
    for method, path, body in (("PUT", f"/api/attempts/{attempt['id']}/responses/{item}", deep),
                               ("POST", "/api/attempts", '{"unit": ' + "[" * 100_000 + "]" * 100_000 + "}"),
                               ("PUT", f"/api/attempts/{attempt['id']}/responses/{item}", "{not json"),
                               ("PUT", f"/api/attempts/{attempt['id']}/responses/{item}", "x" * 3_000_000)):
        answer = learner.http.request(method, tool.url + path, data=body, timeout=20,
                                      headers={"X-CSRFToken": learner.csrf, "Content-Type": "application/json"})
        assert 400 <= answer.status_code < 500, (path, answer.status_code, answer.text[:200])


def test_numbers_are_read_with_the_launch_locale(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    slug = "building-energy-efficient-envelope"
    italian = launch_learner(tool, platform, slug, PlatformUser(sub="learner-it", locale="it-IT"))
    attempt = italian.api("POST", "/api/attempts", {"unit": slug}).json()
    numeric = next(item for item in attempt["items"] if item["type"] == "numeric")
    url = f"/api/attempts/{attempt['id']}/responses/{numeric['id']}"
    assert italian.api("PUT", url, {"response": "70,0"}).json()["response"] == 70.0
    assert italian.api("PUT", url, {"response": "1.234,5"}).json()["response"] == 1234.5
    refused = italian.api("PUT", url, {"response": "1.234"})  # a thousands group or a decimal point?
    assert refused.status_code == 422
    body = refused.json()
    assert body["error"] == "ambiguous_number"
    assert "\u201c1.234\u201d" in body["message"] and "1234,5" in body["message"]
    assert "separatori delle migliaia" in body["message"]  # in the launch's language
    saved = italian.api("GET", f"/api/attempts/{attempt['id']}").json()["responses"][numeric["id"]]
    assert saved == 1234.5  # the refused text changed nothing

    english = launch_learner(tool, platform, slug, PlatformUser(sub="learner-en"))
    attempt = english.api("POST", "/api/attempts", {"unit": slug}).json()
    url = f"/api/attempts/{attempt['id']}/responses/{numeric['id']}"
    assert english.api("PUT", url, {"response": "3,5"}).json()["response"] == 3.5
    refused = english.api("PUT", url, {"response": "1.234,5"})
    assert refused.status_code == 422 and "\u201c.\u201d as the decimal mark" in refused.json()["message"]
