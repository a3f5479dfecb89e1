"""Units placed in the course otherwise than through the tool's picker appear on the dashboard from the LMS's AGS
line items (the independent platform's line item container), before anybody opens them."""

from __future__ import annotations

import re

import requests

from tests.conftest import TEACHER, LiveTool
from tests.integration.assessment.helpers import launch_learner
from tests.integration.dashboard.helpers import UNIT, get, ids, launch
from tests.lti_platform import LtiRoles, TestPlatform

OTHER_UNIT = "wood-chain-of-custody"


def _lms_rows(html: str) -> dict[str, str]:
    """data-unit → label of the rows the page lists from the LMS's line items."""
    found = re.findall(r'<tr role="row" data-link="lms-[^"]*" data-unit="([^"]+)" data-waiting="lms">\s*'
                       r'<th scope="row" role="rowheader">([^<]+)',
                       html)
    return {slug: label.strip() for slug, label in found}


def test_a_unit_placed_without_the_picker_is_listed_from_the_ags_line_items(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    teacher = launch(tool, platform, TEACHER, teacher=True)  # the course exists; its own link rl-1 opens UNIT
    # The LMS has two more MASTERY columns (a course restore: links nobody launched) and one of another tool.
    platform.ags.resource_links.setdefault("course-1", set()).update({"rl-restored", "rl-copy"})
    platform.ags.create_lineitem("course-1", {"label": "Chain of custody (restored)", "scoreMaximum": 100,
                                              "resourceId": OTHER_UNIT, "resourceLinkId": "rl-restored",
                                              "tag": "mastery"})
    platform.ags.create_lineitem("course-1", {"label": "Circular design, group B", "scoreMaximum": 100,
                                              "resourceId": UNIT, "resourceLinkId": "rl-copy"})
    platform.ags.create_lineitem("course-1", {"label": "Essay (another tool)", "scoreMaximum": 10,
                                              "resourceId": "essay-1"})
    platform.ags.create_lineitem("course-2", {"label": "Other course's unit", "scoreMaximum": 100,
                                              "resourceId": OTHER_UNIT})
    course, _ = ids(tool)
    page = get(teacher, f"/courses/{course}/dashboard")
    assert page.status_code == 200, page.text[:300]
    assert _lms_rows(page.text) == {OTHER_UNIT: "Chain of custody (restored)", UNIT: "Circular design, group B"}
    # The placement the teacher launched is listed once, with its learners, not again from its line item.
    assert page.text.count(f'data-unit="{UNIT}"') == 2
    assert "data-lineitems-error" not in page.text

    # Once a learner opens the restored activity it is an ordinary placement, no longer listed from the LMS.
    opened = launch_learner(tool, platform, OTHER_UNIT, TEACHER, http=requests.Session(), roles=[LtiRoles.INSTRUCTOR],
                            resource_link={"id": "rl-restored", "title": "Restored"})
    page = get(opened, f"/courses/{course}/dashboard")
    assert set(_lms_rows(page.text)) == {UNIT}


def test_a_failing_line_item_read_keeps_the_dashboard_and_says_so(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    teacher = launch(tool, platform, TEACHER, teacher=True)
    platform.ags.resource_links.setdefault("course-1", set()).add("rl-restored")
    platform.ags.create_lineitem("course-1", {"label": "Restored", "scoreMaximum": 100, "resourceId": OTHER_UNIT,
                                              "resourceLinkId": "rl-restored"})
    platform.faults.add(r"/ags/[^/]+/lineitems$", status=500, body={"message": "gradebook is down"}, times=50,
                        methods="GET")
    course, _ = ids(tool)
    page = get(teacher, f"/courses/{course}/dashboard")
    assert page.status_code == 200
    assert _lms_rows(page.text) == {}
    assert 'data-lineitems-error="' in page.text and f'data-unit="{UNIT}"' in page.text
    platform.faults.clear()
