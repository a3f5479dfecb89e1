"""Issue 12 items 5/6 in Chromium: a learner in Bulgarian on a phone reads the teacher's rubric result of a
failed practical task and why it failed, without horizontal scroll."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Browser

from tests.browser.learner import axe_violations, document_fits, launch_in_tab, screenshot, wide_elements
from tests.conftest import TEACHER, LiveTool
from tests.landing import landing_url
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform
from tests.support.catalogue import shipped_unit
from tests.unit_files import item_index, key_response

pytestmark = pytest.mark.browser
UNIT = "building-selective-demolition"  # has a practical task


def test_a_failed_practical_reads_well_in_bulgarian_at_360(registered: tuple[LiveTool, TestPlatform],
                                                          chromium: Browser) -> None:
    tool, platform = registered
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="bg", bypass_csp=True)
    page = launch_in_tab(context, tool, platform, unit=UNIT, user=PlatformUser(sub="learner-bg", locale="bg"))
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    api = {"X-CSRFToken": csrf, "Content-Type": "application/json"}
    attempt = page.request.post(f"{tool.url}/api/attempts", headers=api, data={"unit": UNIT}).json()
    index = item_index(shipped_unit(UNIT))
    practical = next(i["id"] for i in attempt["items"] if i["type"] == "practical")
    for item in attempt["items"]:
        key = key_response(index[item["id"]][1])
        answer = {"text": "Одит и план за сортиране."} if item["id"] == practical else key
        assert page.request.put(f"{tool.url}/api/attempts/{attempt['id']}/responses/{item['id']}", headers=api,
                                data={"response": answer}).ok
    assert page.request.post(f"{tool.url}/api/attempts/{attempt['id']}/submit", headers=api).ok

    with requests.Session() as teacher:  # the teacher scores it below the pass mark through the review page
        landing = platform.launch(teacher, login_url=tool.login_url, target_link_uri=tool.launch_url, user=TEACHER,
                                  roles=[LtiRoles.INSTRUCTOR], resource_link={"id": "rl-overview"})
        context_pk = int(urlsplit(landing_url(landing)).path.rstrip("/").rsplit("/", 1)[-1])
        token = re.search(r'name="csrf-token" content="([^"]+)"', landing.text).group(1)
        rubric = index[practical][1]["rubric"]
        form = {f"points-{c['id']}": "1" for c in rubric} | {"comment": "Липсват изходите.", "csrf_token": token}
        assert teacher.post(f"{tool.url}/courses/{context_pk}/review/{attempt['id']}/{practical}", data=form,
                            timeout=10).status_code == 200

    page.goto(f"{tool.url}/units/{UNIT}/attempts/{attempt['id']}")
    section = page.locator("section.practical-results")
    assert section.locator("li[data-criterion]").count() == len(rubric)
    assert "1 от 3 точки" in section.inner_text()
    assert section.locator('[data-passed="false"]').inner_text().startswith("Още не е издържана")
    assert page.locator('small.why[data-why="practical_failed"]').count() == 1
    assert document_fits(page), wide_elements(page)
    screenshot(page, "result-practical-bg")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "result-practical-bg")
    context.close()
