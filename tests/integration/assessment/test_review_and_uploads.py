"""Practical evidence: upload limits, who may read a file, and the teacher's rubric review deciding mastery."""

from __future__ import annotations

import dataclasses
import html
import re
from typing import Any
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa

from lti_tool.catalogue.models import Unit
from lti_tool.catalogue.unit_texts import localized
from lti_tool.db import db
from tests.conftest import LEARNER, TEACHER, LiveTool
from tests.integration.assessment.helpers import Learner, launch_learner
from tests.landing import landing_url
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform
from tests.support.catalogue import shipped_unit
from tests.unit_files import item_index, key_response

UNIT = "building-selective-demolition"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _doc() -> dict[str, Any]:
    return shipped_unit(UNIT)


def _submit_with_evidence(learner: Learner) -> tuple[dict[str, Any], str, str]:
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    index = item_index(_doc())
    practical = next(i["id"] for i in attempt["items"] if i["type"] == "practical")
    sent = learner.http.post(f"{learner.tool.url}/api/attempts/{attempt['id']}/uploads/{practical}", timeout=10,
                             headers={"X-CSRFToken": learner.csrf}, files={"file": ("site-photo.png", PNG)})
    assert sent.status_code == 201, sent.text
    upload = sent.json()["upload"]
    for item in attempt["items"]:
        response = ({"text": "Sorted six waste streams; photos attached.", "upload": upload}
                    if item["id"] == practical else key_response(index[item["id"]][1]))
        assert learner.api("PUT", f"/api/attempts/{attempt['id']}/responses/{item['id']}",
                           {"response": response}).status_code == 200
    result = learner.api("POST", f"/api/attempts/{attempt['id']}/submit").json()
    return {"attempt": attempt, "result": result}, practical, upload


def test_teacher_review_decides_mastery(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    done, practical, upload = _submit_with_evidence(learner)
    assert done["result"]["mastered"] is False and done["result"]["pending_review"] is True
    teacher_http = requests.Session()
    landing = platform.launch(teacher_http, login_url=tool.login_url, target_link_uri=tool.launch_url, user=TEACHER,
                              roles=[LtiRoles.INSTRUCTOR], resource_link={"id": "rl-overview"})
    context_pk = int(urlsplit(landing_url(landing)).path.rstrip("/").rsplit("/", 1)[-1])  # no unit: lands on the course
    teacher = Learner(tool, teacher_http, re.search(r'name="csrf-token" content="([^"]+)"', landing.text).group(1))
    queue = teacher.http.get(f"{tool.url}/courses/{context_pk}/review", timeout=5)
    assert queue.status_code == 200 and "Sorted six waste streams" in queue.text and "site-photo.png" in queue.text
    rubric = next(i for i in item_index(_doc()).values() if i[1]["id"] == practical)[1]["rubric"]
    # The teacher sees what each score looks like, where the unit describes its levels.
    shown = html.unescape(queue.text)
    assert all(localized(level["text"], "en") in shown for c in rubric for level in c.get("levels", []))
    form = {f"points-{c['id']}": str(c["points"]) for c in rubric} | {"comment": "Well documented.",
                                                                     "csrf_token": teacher.csrf}
    scored = teacher.http.post(f"{tool.url}/courses/{context_pk}/review/{done['attempt']['id']}/{practical}",
                               data=form, timeout=5)
    assert scored.status_code == 200  # redirected back to the queue
    assert "Nothing is waiting for your review" in scored.text
    after = learner.api("GET", f"/api/attempts/{done['attempt']['id']}").json()["result"]
    assert after["mastered"] is True and after["pending_review"] is False
    # out-of-range points are a clear 4xx, and the learner cannot review
    bad = teacher.http.post(f"{tool.url}/courses/{context_pk}/review/{done['attempt']['id']}/{practical}",
                            data={**form, f"points-{rubric[0]['id']}": "999"}, timeout=5)
    assert bad.status_code == 422
    assert learner.http.get(f"{tool.url}/courses/{context_pk}/review", timeout=5).status_code == 403


def test_evidence_files_are_private_and_checked(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    practical = next(i["id"] for i in attempt["items"] if i["type"] == "practical")
    url = f"{tool.url}/api/attempts/{attempt['id']}/uploads/{practical}"

    def send(name: str, data: bytes) -> requests.Response:
        return learner.http.post(url, files={"file": (name, data)}, headers={"X-CSRFToken": learner.csrf}, timeout=10)

    assert send("evil.exe", b"MZ\x90\x00" + b"\xff" * 100).status_code == 422
    assert send("empty.pdf", b"").status_code == 422
    assert send("huge.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024)).status_code in (413, 422)
    ok = send("report.pdf", b"%PDF-1.7\n%test\n")
    assert ok.status_code == 201 and ok.json()["content_type"] == "application/pdf"
    file_url = f"{tool.url}/uploads/{ok.json()['upload']}"
    mine = learner.http.get(file_url, timeout=5)
    assert mine.status_code == 200 and mine.content.startswith(b"%PDF")
    assert "attachment" in mine.headers["Content-Disposition"]
    other = launch_learner(tool, platform, UNIT, PlatformUser(sub="learner-9", name="Nosy"))
    assert other.http.get(file_url, timeout=5).status_code == 404
    assert requests.get(file_url, timeout=5).status_code == 401


def _teacher(tool: LiveTool, platform: TestPlatform) -> tuple[Learner, int]:
    teacher_http = requests.Session()
    landing = platform.launch(teacher_http, login_url=tool.login_url, target_link_uri=tool.launch_url, user=TEACHER,
                              roles=[LtiRoles.INSTRUCTOR], resource_link={"id": "rl-overview"})
    context_pk = int(urlsplit(landing_url(landing)).path.rstrip("/").rsplit("/", 1)[-1])
    return Learner(tool, teacher_http, re.search(r'name="csrf-token" content="([^"]+)"', landing.text).group(1)), \
        context_pk


def _section(page: str, css_class: str) -> str:
    match = re.search(rf'<section class="{css_class}".*?</section>', page, re.S)
    assert match, f"the results page has a {css_class} section"
    return html.unescape(match.group(0))


def test_learner_sees_the_rubric_result_and_why_a_practical_failed(registered: tuple[LiveTool, TestPlatform]) -> None:
    """Issue 12 items 5/6: the teacher's rubric scoring reaches the learner, criterion by criterion, and a failed
    practical says the real rule (its share of the rubric's points against its outcome's threshold)."""
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    done, practical, _ = _submit_with_evidence(learner)
    teacher, context_pk = _teacher(tool, platform)
    outcome_id, item_def = item_index(_doc())[practical]
    rubric = item_def["rubric"]
    # Full marks on the first criterion, 1 point on the second and third, none on the rest: 5 of 10 points.
    given = {c["id"]: (c["points"] if n == 0 else 1 if n < 3 else 0) for n, c in enumerate(rubric)}
    form = {f"points-{k}": str(v) for k, v in given.items()} | {"comment": "Sorting plan needs outlets.",
                                                               "csrf_token": teacher.csrf}
    scored = teacher.http.post(f"{tool.url}/courses/{context_pk}/review/{done['attempt']['id']}/{practical}",
                               data=form, timeout=5)
    assert scored.status_code == 200
    share = sum(given.values()) / sum(c["points"] for c in rubric)
    threshold = next(o["threshold"] for o in _doc()["outcomes"] if o["id"] == outcome_id)
    assert share < threshold  # the scoring above fails the practical

    page = learner.http.get(f"{tool.url}/units/{UNIT}/attempts/{done['attempt']['id']}", timeout=10)
    assert page.status_code == 200
    practical_part = _section(page.text, "practical-results")
    for criterion in rubric:
        shown = re.search(rf'data-criterion="{criterion["id"]}">(.*?)</li>', practical_part, re.S)
        assert shown, criterion["id"]
        text = " ".join(shown.group(1).split())
        assert localized(criterion["text"], "en") in text
        assert f"{given[criterion['id']]} of {criterion['points']} point" in text
    assert 'data-passed="false"' in practical_part
    assert f"earned {round(share * 100)}%" in practical_part
    assert f"passes at {round(threshold * 100)}%" in practical_part
    # The outcome row says why it is not met, although its other items were all right.
    row = re.search(rf'<tr data-outcome="{outcome_id}"[^>]*>(.*?)</tr>', page.text, re.S)
    assert row and 'data-why="practical_failed"' in row.group(1) and "Not yet" in row.group(1)
    assert "Sorting plan needs outlets." in page.text  # the teacher's comment
    # In Italian too: the same figures, translated words.
    italian = launch_learner(tool, platform, UNIT, dataclasses.replace(LEARNER, locale="it"))
    it_page = html.unescape(italian.http.get(f"{tool.url}/units/{UNIT}/attempts/{done['attempt']['id']}",
                                             timeout=10).text)
    assert 'data-passed="false"' in it_page and " of 3 points" not in it_page and "earned" not in it_page


def test_authored_feedback_per_item_when_the_policy_shows_answers(registered: tuple[LiveTool, TestPlatform]) -> None:
    """Issue 12 item 5: with ``show_correct_answers: true`` the results page says per item right or not with the
    unit's authored feedback; without it, neither."""
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    index = item_index(_doc())
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    wrong = next(i for i in attempt["items"] if i["type"] == "single_choice")
    other = next(o["id"] for o in wrong["options"] if o["id"] != key_response(index[wrong["id"]][1]))
    for item in attempt["items"]:
        if item["type"] == "practical":
            continue
        response = other if item["id"] == wrong["id"] else key_response(index[item["id"]][1])
        assert learner.api("PUT", f"/api/attempts/{attempt['id']}/responses/{item['id']}",
                           {"response": response}).status_code == 200
    assert learner.api("POST", f"/api/attempts/{attempt['id']}/submit").status_code == 200
    url = f"{tool.url}/units/{UNIT}/attempts/{attempt['id']}"
    assert 'class="item-results"' not in learner.http.get(url, timeout=10).text  # the shipped unit keeps keys

    with tool.app.app_context():  # a test-only policy on the stored unit; the shipped file is unchanged
        unit = db.session.scalar(sa.select(Unit).where(Unit.slug == UNIT))
        unit.document = {**unit.document, "policy": {**(unit.document.get("policy") or {}),
                                                     "show_correct_answers": True}}
        db.session.commit()
    page = learner.http.get(url, timeout=10)
    assert page.status_code == 200
    items = _section(page.text, "item-results")
    for item in attempt["items"]:
        if item["type"] == "practical":
            assert f'data-item="{item["id"]}"' not in items  # a teacher scores it; no "right" or "wrong"
            continue
        shown = re.search(rf'data-item="{item["id"]}" data-correct="(true|false)">(.*?)</li>', items, re.S)
        assert shown, item["id"]
        assert shown.group(1) == ("false" if item["id"] == wrong["id"] else "true")
        feedback = localized(index[item["id"]][1].get("feedback") or "", "en")
        if feedback:
            assert " ".join(feedback.split()) in " ".join(shown.group(2).split())
    assert any(index[i["id"]][1].get("feedback") for i in attempt["items"] if i["type"] != "practical")
    assert "Not right yet" in items
