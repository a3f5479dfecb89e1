"""The LMS gradebook shows what the placement's grade policy says, checked at the independent platform's AGS.

Retakes, resets, policy changes, practical reviews: after each, the worker runs and the platform's stored
scores and results service are read back.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
import yaml

from lti_tool.assessment.numbers import percent_value
from lti_tool.db import db
from lti_tool.launch.models import Platform
from lti_tool.lms import ags
from lti_tool.lms.client import ServicesClient
from lti_tool.lms.spec import Scope
from lti_tool.settings import PROJECT_ROOT
from tests.conftest import LEARNER, TEACHER, LiveTool
from tests.integration.assessment.helpers import Learner, launch_learner
from tests.integration.dashboard.helpers import ids, post_form
from tests.lti_platform import LtiRoles, TestPlatform
from tests.support.catalogue import shipped_unit
from tests.support.unit_copies import copy_unit
from tests.unit_files import item_index, key_response

UNIT = "manufacturing-circular-design"  # 3 outcomes, fully auto-scored, max_attempts 3
PRACTICAL_UNIT = "building-selective-demolition"
PRACTICE_UNIT = "practice-circular-design"  # a copy of UNIT that allows practice after mastery
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _index(slug: str = UNIT) -> dict[str, Any]:
    return item_index(shipped_unit(slug))


def _attempt(learner: Learner, right: int | None, unit: str = UNIT) -> dict[str, Any]:
    """Start, answer the first ``right`` items with the key (all when None), submit; the submit answer."""
    started = learner.api("POST", "/api/attempts", {"unit": unit})
    assert started.status_code in (200, 201), started.text
    attempt = started.json()
    index = _index(UNIT)
    for n, item in enumerate(attempt["items"]):
        if right is None or n < right:
            learner.api("PUT", f"/api/attempts/{attempt['id']}/responses/{item['id']}",
                        {"response": key_response(index[item["id"]][1])})
    return learner.api("POST", f"/api/attempts/{attempt['id']}/submit").json() | {"id": attempt["id"]}


def _deliver(tool: LiveTool) -> str:
    return tool.cli("grades", "deliver", "--once")


def _gradebook(platform: TestPlatform, user: str = LEARNER.sub) -> dict[str, Any] | None:
    """The learner's latest score at the platform (what its gradebook shows)."""
    mine = [s for s in platform.scores if s["userId"] == user]
    return mine[-1] if mine else None


def _teacher(tool: LiveTool, platform: TestPlatform, unit: str = UNIT) -> Learner:
    return launch_learner(tool, platform, unit, TEACHER, http=requests.Session(), roles=[LtiRoles.INSTRUCTOR])


def test_a_retake_never_lowers_the_grade_under_the_default_policy(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    first = _attempt(learner, right=4)
    _deliver(tool)
    assert _gradebook(platform)["scoreGiven"] == percent_value(first["score"])
    second = _attempt(learner, right=0)
    assert second["score"] < first["score"]
    _deliver(tool)
    assert len(platform.scores) == 1  # the worse retake sent nothing: the gradebook keeps the best
    third = _attempt(learner, right=None)
    assert third["mastered"] is True
    _deliver(tool)
    assert _gradebook(platform)["scoreGiven"] == 100 and len(platform.scores) == 2
    # After mastery the unit offers no further attempt (this unit allows no practice) and says so.
    refused = learner.api("POST", "/api/attempts", {"unit": UNIT})
    assert refused.status_code == 409 and refused.json()["error"] == "mastered"
    page = learner.http.get(f"{tool.url}/units/{UNIT}", timeout=10).text
    assert 'data-mastered="yes"' in page and 'id="start-assessment"' not in page
    counted = re.search(r'<tr data-attempt="([^"]+)" data-counts="yes"', page)
    assert counted and counted.group(1) == third["id"]


def _practice_unit(tool: LiveTool, tmp_path: Path) -> None:
    doc = yaml.safe_load((PROJECT_ROOT / "content" / "units" / f"{UNIT}.yaml").read_text(encoding="utf-8"))
    doc["slug"] = PRACTICE_UNIT
    doc["policy"] = dict(doc.get("policy") or {}) | {"practice_after_mastery": True, "max_attempts": 2}
    folder = tmp_path / "practice-units"
    copy_unit(UNIT, folder, doc)
    tool.cli("content", "load", str(folder))


def test_practice_after_mastery_never_changes_the_grade(registered: tuple[LiveTool, TestPlatform],
                                                         tmp_path: Path) -> None:
    tool, platform = registered
    _practice_unit(tool, tmp_path)
    learner = launch_learner(tool, platform, PRACTICE_UNIT, LEARNER)
    mastered = _attempt(learner, right=None, unit=PRACTICE_UNIT)
    assert mastered["mastered"] is True
    _deliver(tool)
    for _ in range(2):  # more practice attempts than max_attempts allows: practice does not count
        practice = learner.api("POST", "/api/attempts", {"unit": PRACTICE_UNIT})
        assert practice.status_code == 201 and practice.json()["practice"] is True
        learner.api("POST", f"/api/attempts/{practice.json()['id']}/submit")
    _deliver(tool)
    assert [s["scoreGiven"] for s in platform.scores] == [100]
    page = learner.http.get(f"{tool.url}/units/{PRACTICE_UNIT}", timeout=10).text
    assert 'data-mastered="yes"' in page and 'id="start-assessment"' in page
    assert page.count('data-practice="yes"') == 2


def test_a_reset_clears_the_grade_in_the_lms(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    done = _attempt(learner, right=None)
    _deliver(tool)
    assert _gradebook(platform)["scoreGiven"] == 100
    teacher = _teacher(tool, platform)
    context_pk, _ = ids(tool)
    reset = post_form(teacher, f"/courses/{context_pk}/attempts/{done['id']}/reset", {"reason": "wrong learner"})
    assert reset.status_code == 303
    _deliver(tool)
    cleared = _gradebook(platform)
    assert cleared["activityProgress"] == "Initialized" and cleared["gradingProgress"] == "NotReady"
    assert "scoreGiven" not in cleared
    # The platform's results service (what Moodle's gradebook shows) holds no score for the learner any more.
    [result] = _results(tool, platform)
    assert result is not None and result.score is None


def _results(tool: LiveTool, platform: TestPlatform) -> list[ags.LmsResult | None]:
    """The learner's result read through the platform's AGS results service (over HTTP, with a token)."""
    with tool.app.app_context(), ServicesClient(timeout_seconds=5) as client:
        registration = db.session.scalar(sa.select(Platform))
        scopes = frozenset({str(Scope.RESULT_READONLY)})
        found = ags.read_result(client, db.session, registration, _gradebook(platform)["lineitem"], LEARNER.sub,
                                scopes)
        db.session.commit()
        return [found]


def test_resetting_an_attempt_that_does_not_count_sends_nothing_and_a_policy_change_follows(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    good = _attempt(learner, right=4)
    weak = _attempt(learner, right=1)
    _deliver(tool)
    assert [s["scoreGiven"] for s in platform.scores] == [percent_value(good["score"])]
    teacher = _teacher(tool, platform)
    context_pk, link_pk = ids(tool)
    changed = post_form(teacher, f"/courses/{context_pk}/links/{link_pk}/grade-policy", {"policy": "latest"})
    assert changed.status_code == 303
    _deliver(tool)
    assert _gradebook(platform)["scoreGiven"] == percent_value(weak["score"])
    page = teacher.http.get(f"{tool.url}/courses/{context_pk}/links/{link_pk}", timeout=10).text
    assert 'value="latest" checked' in page and "HTTP 200" in page
    # Every send is recorded with the platform's answer, and the teacher sees them all on the attempt page.
    detail = teacher.http.get(f"{tool.url}/courses/{context_pk}/attempts/{weak['id']}", timeout=10).text
    assert 'data-grade-sends="2"' in detail and detail.count("HTTP 200") == 2
    bad = post_form(teacher, f"/courses/{context_pk}/links/{link_pk}/grade-policy", {"policy": "average"})
    assert bad.status_code == 422
    assert post_form(learner, f"/courses/{context_pk}/links/{link_pk}/grade-policy",
                     {"policy": "best"}).status_code == 403
    post_form(teacher, f"/courses/{context_pk}/links/{link_pk}/grade-policy", {"policy": "best"})
    post_form(teacher, f"/courses/{context_pk}/attempts/{weak['id']}/reset", {"reason": "re-marked"})
    _deliver(tool)
    # Back to best: the good attempt counts again, and resetting the weak one (not counting) changes nothing.
    assert [s["scoreGiven"] for s in platform.scores][-1] == percent_value(good["score"])
    assert len(platform.scores) == 3


def _practical_attempt(learner: Learner) -> tuple[dict[str, Any], str]:
    attempt = learner.api("POST", "/api/attempts", {"unit": PRACTICAL_UNIT}).json()
    index = _index(PRACTICAL_UNIT)
    practical = next(i["id"] for i in attempt["items"] if i["type"] == "practical")
    sent = learner.http.post(f"{learner.tool.url}/api/attempts/{attempt['id']}/uploads/{practical}", timeout=10,
                             headers={"X-CSRFToken": learner.csrf}, files={"file": ("site.png", PNG)})
    assert sent.status_code == 201, sent.text
    for item in attempt["items"]:
        response = ({"text": "Sorted the waste streams.", "upload": sent.json()["upload"]}
                    if item["id"] == practical else key_response(index[item["id"]][1]))
        learner.api("PUT", f"/api/attempts/{attempt['id']}/responses/{item['id']}", {"response": response})
    learner.api("POST", f"/api/attempts/{attempt['id']}/submit")
    return attempt, practical


@pytest.mark.parametrize("passed", [False, True])
def test_a_practical_is_pending_then_final_with_the_reviewers_comment(registered: tuple[LiveTool, TestPlatform],
                                                                      passed: bool) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, PRACTICAL_UNIT, LEARNER)
    attempt, practical = _practical_attempt(learner)
    _deliver(tool)
    pending = _gradebook(platform)
    assert (pending["activityProgress"], pending["gradingProgress"]) == ("Submitted", "PendingManual")
    teacher = _teacher(tool, platform, PRACTICAL_UNIT)
    context_pk, _ = ids(tool)
    rubric = _index(PRACTICAL_UNIT)[practical][1]["rubric"]
    comment = "Good photos." if passed else "The hazardous stream is missing; sort it and send new photos."
    form = {f"points-{c['id']}": str(c["points"] if passed else 0) for c in rubric} | {"comment": comment}
    scored = post_form(teacher, f"/courses/{context_pk}/review/{attempt['id']}/{practical}", form)
    assert scored.status_code in (200, 303)
    _deliver(tool)
    final = _gradebook(platform)
    assert (final["activityProgress"], final["gradingProgress"]) == ("Completed", "FullyGraded")
    result = learner.api("GET", f"/api/attempts/{attempt['id']}").json()
    assert result["result"]["mastered"] is passed
    assert final["scoreGiven"] == percent_value(result["result"]["score"])
    assert final["comment"] == comment
    page = learner.http.get(f"{tool.url}/units/{PRACTICAL_UNIT}/attempts/{attempt['id']}", timeout=10).text
    assert "data-feedback" in page and (comment.replace("'", "&#39;") in page)
