"""A placed unit keeps its version when the catalogue moves on, until a teacher upgrades; course copies too."""

from __future__ import annotations

import re
from pathlib import Path

import requests
import yaml

from lti_tool.settings import PROJECT_ROOT
from tests.conftest import LEARNER, TEACHER, LiveTool
from tests.integration.assessment.helpers import launch_learner
from tests.lti_platform import LtiRoles, TestPlatform
from tests.support.unit_copies import copy_unit

UNIT = "manufacturing-circular-design"


def _publish_new_version(tool: LiveTool, tmp_path: Path) -> str:
    source = PROJECT_ROOT / "content" / "units" / f"{UNIT}.yaml"
    doc = yaml.safe_load(source.read_text(encoding="utf-8"))
    doc["version"] = "9.0.0"
    doc["title"] = {"en": "Circular design, revised edition"}
    folder = tmp_path / "units"
    copy_unit(UNIT, folder, doc)
    tool.cli("content", "load", str(folder))
    return doc["version"]


def test_placement_keeps_its_version_until_the_teacher_upgrades(registered: tuple[LiveTool, TestPlatform],
                                                                tmp_path: Path) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    first = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    learner.api("POST", f"/api/attempts/{first['id']}/submit")
    new_version = _publish_new_version(tool, tmp_path)
    page = learner.http.get(f"{tool.url}/units/{UNIT}", timeout=5)
    assert "revised edition" not in page.text and 'data-version="9.0.0"' not in page.text
    # a new placement of the same unit (another activity) gets the newest version
    other = launch_learner(tool, platform, UNIT, LEARNER, resource_link={"id": "rl-new"})
    assert "revised edition" in other.http.get(f"{tool.url}/units/{UNIT}", timeout=5).text
    # the teacher upgrades the first placement
    teacher = requests.Session()
    course = platform.launch(teacher, login_url=tool.login_url, target_link_uri=tool.launch_url, user=TEACHER,
                             roles=[LtiRoles.INSTRUCTOR], resource_link={"id": "rl-teacher-overview"})
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', course.text).group(1)
    form = re.search(r'action="(/courses/\d+/links/\d+/upgrade)[?"]', course.text)
    assert form and f"Use version {new_version}" in course.text
    upgraded = teacher.post(tool.url + form.group(1), data={"csrf_token": csrf}, timeout=5)
    assert upgraded.status_code == 200 and f"Use version {new_version}" not in upgraded.text
    assert "revised edition" in learner.http.get(f"{tool.url}/units/{UNIT}", timeout=5).text


def test_copied_course_keeps_the_requested_version(registered: tuple[LiveTool, TestPlatform], tmp_path: Path) -> None:
    tool, platform = registered
    _publish_new_version(tool, tmp_path)
    copied = launch_learner(tool, platform, UNIT, LEARNER, context={"id": "course-copy", "title": "Copy"},
                            resource_link={"id": "rl-copied"})
    # the copied activity carries the version its deep-linking item asked for
    copied.http.cookies.clear()
    again = platform.launch(copied.http, login_url=tool.login_url, target_link_uri=tool.launch_url, user=LEARNER,
                            roles=[LtiRoles.LEARNER], custom={"unit": UNIT, "unit_version": "1.0.0"},
                            context={"id": "course-copy-2", "title": "Copy 2"}, resource_link={"id": "rl-copied-2"})
    assert again.status_code == 200
    original = yaml.safe_load((PROJECT_ROOT / "content" / "units" / f"{UNIT}.yaml").read_text())
    if original["version"] == "1.0.0":
        assert "revised edition" not in again.text
