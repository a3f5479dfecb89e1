"""The teacher dashboard against the independent platform: roster over NRPS paging joined with attempts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import LiveTool
from tests.integration.dashboard.helpers import counts, get, ids, launch, post_form, rows, submit_attempt
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform

ANNA = PlatformUser(sub="anna", name="Anna Partial")
BEN = PlatformUser(sub="ben", name="Ben Master")
CLEO = PlatformUser(sub="cleo", name="Cleo Launched")
EVA = PlatformUser(sub="eva", name="Eva Offroster")  # launched course-1, left out of the LMS roster
DAN = PlatformUser(sub="dan", name="Dan Othercourse")  # learner of course-2 only
TEACHER_1 = PlatformUser(sub="t1", name="Teacher One")
TEACHER_2 = PlatformUser(sub="t2", name="Teacher Two")


def _fake_members(count: int) -> list[dict[str, Any]]:
    return [{"user_id": f"m{n:03d}", "status": "Active", "name": f"Member {n:03d}",
             "roles": [LtiRoles.INSTRUCTOR if n == 0 else LtiRoles.LEARNER]} for n in range(count)]


def _roster_for_course_1(platform: TestPlatform) -> None:
    # 250 members (1 instructor + 249 learners): Anna, Ben, Cleo and 246 who never opened the tool.
    # The test platform serves one member list for every course, so it is set after the launches.
    ours = [{"user_id": u.sub, "status": "Active", "name": u.name, "roles": [LtiRoles.LEARNER]}
            for u in (ANNA, BEN, CLEO)]
    platform.members = _fake_members(247) + ours
    assert len(platform.members) == 250


@pytest.fixture
def course(registered: tuple[LiveTool, TestPlatform]) -> dict[str, Any]:
    """Course 1: Anna meets lo1 only, Ben masters the unit, Cleo and Eva only launched; Dan is in course 2."""
    tool, platform = registered
    anna, ben = launch(tool, platform, ANNA), launch(tool, platform, BEN)
    launch(tool, platform, CLEO), launch(tool, platform, EVA)
    anna_result = submit_attempt(anna, {"lo1"})
    ben_result = submit_attempt(ben, {"lo1", "lo2", "lo3"})
    assert [o["met"] for o in anna_result["outcomes"]] == [True, False, False] and not anna_result["mastered"]
    assert ben_result["mastered"] is True
    dan = launch(tool, platform, DAN, other_course=True)
    submit_attempt(dan, {"lo1", "lo2", "lo3"})
    teacher = launch(tool, platform, TEACHER_1, teacher=True)
    other_teacher = launch(tool, platform, TEACHER_2, teacher=True, other_course=True)
    _roster_for_course_1(platform)
    platform.nrps.requests.clear()
    return {"tool": tool, "platform": platform, "teacher": teacher, "other_teacher": other_teacher,
            "anna": anna, "dan": dan, "ids": ids(tool), "ids_2": ids(tool, "course-2", "rl-2")}


def test_course_dashboard_counts_learners_of_this_course_only(course: dict[str, Any]) -> None:
    (context_pk, _), platform = course["ids"], course["platform"]
    page = get(course["teacher"], f"/courses/{context_pk}/dashboard")
    assert page.status_code == 200, page.text[:500]
    assert len(platform.nrps.requests) == 3  # 250 members at limit=100: three pages followed
    assert [r.get("page", "1") for r in platform.nrps.requests] == ["1", "2", "3"]
    # 249 roster learners + Eva (launched, not on the roster); Dan is in course 2 only.
    assert counts(page.text)["manufacturing-circular-design"] == {
        "learners": 250, "started": 2, "submitted": 2, "mastered": 1, "pending_review": 0,
        "grade_failures": 0, "credentials": 1}
    assert "Dan Othercourse" not in page.text
    overview = get(course["teacher"], f"/courses/{context_pk}")
    assert f'href="/courses/{context_pk}/dashboard?ls=' in overview.text  # the link carries this launch


def test_placement_shows_each_learners_outcomes_as_submitted(course: dict[str, Any]) -> None:
    (context_pk, link_pk), platform = course["ids"], course["platform"]
    page = get(course["teacher"], f"/courses/{context_pk}/links/{link_pk}")
    assert page.status_code == 200, page.text[:500]
    table = rows(page.text)
    assert len(table) == 250 and "dan" not in table and "t1" not in table and "m000" not in table
    anna, ben, cleo, eva = table["anna"], table["ben"], table["cleo"], table["eva"]
    assert anna.status == "submitted" and anna.outcomes == {"lo1": "met", "lo2": "not_met", "lo3": "not_met"}
    assert ben.status == "mastered" and set(ben.outcomes.values()) == {"met"}
    assert cleo.status == "not_started" and set(cleo.outcomes.values()) == {"no_result"}
    assert anna.cells["attempts"].strip() == "1" and cleo.cells["attempts"].strip() == "0"
    assert anna.in_roster == "yes" and eva.in_roster == "no" and eva.status == "not_started"
    assert table["m123"].status == "not_started" and table["m123"].in_roster == "yes"
    assert [link for link in ben.links if link.startswith("/credentials/")], ben.links
    assert "none" in anna.cells["credential"]
    assert "pending" in ben.cells["grade"]  # the score waits in the grade outbox for the worker
    # Text alternatives and table semantics (WCAG 2.1 AA: 1.1.1, 1.3.1); explicit roles, as a phone stacks the rows.
    assert '<th scope="col" role="columnheader" data-outcome="lo1">' in page.text
    assert '<th scope="row" role="rowheader">' in page.text
    assert '<table class="dashboard matrix cards" role="table"' in page.text
    assert '<span aria-hidden="true">✓</span><span class="visually-hidden">met</span>' in page.text
    assert '<span aria-hidden="true">✗</span><span class="visually-hidden">not met</span>' in page.text
    assert len(platform.nrps.requests) == 3  # the roster came from the LMS once …
    again = get(course["teacher"], f"/courses/{context_pk}/dashboard")
    assert again.status_code == 200 and len(platform.nrps.requests) == 3  # … and is cached


def test_refresh_reads_the_roster_again_and_needs_the_csrf_token(course: dict[str, Any]) -> None:
    (context_pk, link_pk), platform, teacher = course["ids"], course["platform"], course["teacher"]
    assert get(teacher, f"/courses/{context_pk}/links/{link_pk}").status_code == 200
    path = f"/courses/{context_pk}/links/{link_pk}/refresh"
    assert post_form(teacher, path, csrf=False).status_code == 403
    platform.members = platform.members + [{"user_id": "newcomer", "name": "New Comer", "roles": [LtiRoles.LEARNER]}]
    refreshed = post_form(teacher, path)
    assert refreshed.status_code == 303 and "refreshed=1" in refreshed.headers["Location"]
    page = get(teacher, refreshed.headers["Location"])
    assert "newcomer" in rows(page.text) and 'data-roster="refreshed"' in page.text
    assert len(platform.nrps.requests) == 6


def test_learners_and_teachers_of_another_course_are_refused(course: dict[str, Any], live_tool: LiveTool) -> None:
    (context_pk, link_pk), (context_2, link_2) = course["ids"], course["ids_2"]
    anna, dan, other = course["anna"], course["dan"], course["other_teacher"]
    for path in (f"/courses/{context_pk}/dashboard", f"/courses/{context_pk}/links/{link_pk}",
                 f"/courses/{context_pk}/links/{link_pk}/export.csv", f"/courses/{context_pk}/dashboard/export.csv"):
        assert get(anna, path).status_code == 403, path  # a learner of the course
        assert get(dan, path).status_code == 403, path  # a learner of another course
        assert get(other, path).status_code == 403, path  # a teacher of another course
    teacher = course["teacher"]
    assert get(teacher, f"/courses/{context_pk}/links/{link_2}").status_code == 404  # a link of course 2
    assert get(other, f"/courses/{context_2}/links/{link_pk}").status_code == 404  # a link of course 1
    dan_page = get(other, f"/courses/{context_2}/links/{link_2}")
    # The test platform serves one member list to every course, so Anna is listed in course 2 too, but her
    # course-1 attempt stays in course 1; Dan's mastery shows in course 2 and nowhere else.
    table_2 = rows(dan_page.text)
    assert dan_page.status_code == 200 and table_2["dan"].status == "mastered"
    assert table_2["anna"].status == "not_started" and set(table_2["anna"].outcomes.values()) == {"no_result"}
    assert table_2["ben"].links == [] and table_2["ben"].status == "not_started"
    assert post_form(other, f"/courses/{context_pk}/links/{link_pk}/refresh").status_code == 403
    import requests

    assert requests.get(f"{live_tool.url}/courses/{context_pk}/dashboard", timeout=10).status_code == 401


def test_roster_service_failing_still_shows_our_data_with_a_notice(course: dict[str, Any]) -> None:
    (context_pk, link_pk), platform, teacher = course["ids"], course["platform"], course["teacher"]
    platform.faults.add(r"/nrps/.*", status=500, body={"message": "NRPS is down for maintenance"}, times=50)
    page = get(teacher, f"/courses/{context_pk}/links/{link_pk}")
    assert page.status_code == 200, page.text[:500]
    assert 'data-roster="unavailable"' in page.text and "NRPS is down for maintenance" in page.text
    table = rows(page.text)
    assert set(table) == {"anna", "ben", "cleo", "eva"}  # our own records: launched or attempted here
    assert table["anna"].outcomes == {"lo1": "met", "lo2": "not_met", "lo3": "not_met"}
    assert all(r.in_roster == "no" for r in table.values())
    hits = len(platform.faults.hits)
    dashboard = get(teacher, f"/courses/{context_pk}/dashboard")
    assert dashboard.status_code == 200 and 'data-roster="unavailable"' in dashboard.text
    assert counts(dashboard.text)["manufacturing-circular-design"]["learners"] == 4
    assert len(platform.faults.hits) == hits  # a page view right after a failure does not wait on the LMS again
    refused = post_form(teacher, f"/courses/{context_pk}/dashboard/refresh")
    assert refused.status_code == 424 and "could not be refreshed" in refused.text
    assert len(platform.faults.hits) == hits + 1  # an explicit refresh does ask
    platform.faults.clear()
    assert post_form(teacher, f"/courses/{context_pk}/dashboard/refresh").status_code == 303
    assert len(rows(get(teacher, f"/courses/{context_pk}/links/{link_pk}").text)) == 250


def test_a_roster_timeout_keeps_the_cached_copy_and_says_so(course: dict[str, Any]) -> None:
    (context_pk, link_pk), platform, teacher = course["ids"], course["platform"], course["teacher"]
    assert len(rows(get(teacher, f"/courses/{context_pk}/links/{link_pk}").text)) == 250
    platform.faults.add(r"/nrps/.*", status=0, delay=6.0)  # longer than the tool's 5 s HTTP timeout
    refused = post_form(teacher, f"/courses/{context_pk}/links/{link_pk}/refresh")
    assert refused.status_code == 424
    assert 'data-roster="stale"' in refused.text and "did not answer within" in refused.text
    assert len(rows(refused.text)) == 250  # the copy read before, with our data
