"""A teacher goes from any unit to any learner's answers in two clicks; the dashboard lists every placed unit."""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import replace
from typing import Any

import requests

from tests.conftest import TEACHER, LiveTool
from tests.integration.assessment.helpers import launch_learner
from tests.integration.dashboard.helpers import UNIT, counts, get, ids, launch, post_form, rows, submit_attempt
from tests.integration.test_deep_linking import deep_link_launch, form, pick
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform
from tests.support.catalogue import shipped_unit
from tests.unit_files import item_index, key_response

ANNA = PlatformUser(sub="anna", name="Anna Lind", email="anna@example.org")
PRACTICAL = "building-selective-demolition"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 37  # 45 bytes


def _href(html: str, marker: str) -> str:
    match = re.search(rf'<a [^>]*{marker}[^>]*href="([^"]+)"|<a href="([^"]+)"[^>]*{marker}', html)
    assert match, marker
    return (match.group(1) or match.group(2)).replace("&amp;", "&")


def test_from_the_unit_to_a_learners_answers_in_two_clicks(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    anna = launch(tool, platform, ANNA)
    submit_attempt(anna, {"lo1"})
    teacher = launch(tool, platform, TEACHER, teacher=True)
    unit_page = get(teacher, f"/units/{UNIT}")
    assert unit_page.status_code == 200
    # ESCO skills by their label, never a bare id fragment.
    assert "41de7eb8</a>" not in unit_page.text and 'lang="en">' in unit_page.text
    results = get(teacher, _href(unit_page.text, 'id="learner-results"'))  # click 1
    assert results.status_code == 200
    [link] = [h for h in rows(results.text)["anna"].links if "/attempts/" in h and "/reset" not in h]
    detail = get(teacher, link)  # click 2
    assert detail.status_code == 200, detail.text[:300]
    index = item_index(shipped_unit(UNIT))
    lo1_items = [i for i, (outcome, _) in index.items() if outcome == "lo1"]
    answered = re.findall(r'<tr role="row" data-item="([^"]+)">', detail.text)
    assert answered and set(lo1_items) & set(answered)
    assert 'data-outcome="lo1"' in detail.text and "100%" in detail.text  # lo1 met with every item right
    assert 'data-cell="correct"' in detail.text and 'data-counts="yes"' in detail.text
    # The learner's own view is not the teacher's: a learner gets 403, another course 404.
    assert get(anna, link.split("?")[0]).status_code == 403  # without the teacher's launch token


def test_the_attempt_page_shows_evidence_with_a_human_size(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, PRACTICAL, ANNA, http=requests.Session())
    attempt = learner.api("POST", "/api/attempts", {"unit": PRACTICAL}).json()
    practical = next(i["id"] for i in attempt["items"] if i["type"] == "practical")
    sent = learner.http.post(f"{tool.url}/api/attempts/{attempt['id']}/uploads/{practical}", timeout=10,
                             headers={"X-CSRFToken": learner.csrf}, files={"file": ("site.png", PNG)})
    assert sent.status_code == 201, sent.text
    index = item_index(shipped_unit(PRACTICAL))
    for item in attempt["items"]:
        response = ({"text": "Six streams sorted.", "upload": sent.json()["upload"]} if item["id"] == practical
                    else key_response(index[item["id"]][1]))
        learner.api("PUT", f"/api/attempts/{attempt['id']}/responses/{item['id']}", {"response": response})
    learner.api("POST", f"/api/attempts/{attempt['id']}/submit")
    teacher = launch_learner(tool, platform, PRACTICAL, TEACHER, http=requests.Session(),
                             roles=[LtiRoles.INSTRUCTOR])
    course_pk = re.search(r'href="/courses/(\d+)/dashboard[?"]', get(teacher, f"/units/{PRACTICAL}").text).group(1)
    page = get(teacher, f"/courses/{course_pk}/attempts/{attempt['id']}")
    assert page.status_code == 200
    assert "Six streams sorted." in page.text and "site.png" in page.text
    assert "45 byte" in page.text and "0.0 KB" not in page.text
    assert "not reviewed yet" in page.text
    queue = get(teacher, f"/courses/{course_pk}/review")
    assert "45 byte" in queue.text


def test_deep_linked_units_are_listed_before_anyone_opens_them(registered: tuple[LiveTool, TestPlatform],
                                                               browser: requests.Session) -> None:
    tool, platform = registered
    answer = pick(browser, deep_link_launch(tool, platform, browser), (UNIT, PRACTICAL))
    back = form(answer, "deep-link-return")
    assert browser.post(back.action, data=back.hidden, timeout=10).status_code == 200
    teacher = launch(tool, platform, TEACHER, teacher=True)  # opens UNIT: it becomes a real placement
    course_pk = re.search(r'href="/courses/(\d+)/dashboard[?"]', get(teacher, f"/units/{UNIT}").text).group(1)
    page = get(teacher, f"/courses/{course_pk}/dashboard")
    listed = counts(page.text)
    assert set(listed) == {UNIT, PRACTICAL}, listed
    assert listed[PRACTICAL] == {"learners": 0, "started": 0, "submitted": 0, "mastered": 0, "pending_review": 0,
                                 "grade_failures": 0, "credentials": 0}
    assert page.text.count('data-waiting="yes"') == 1  # UNIT was launched, so only PRACTICAL waits


def test_credentials_count_on_the_activity_where_they_were_earned(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    anna = launch(tool, platform, ANNA)
    submit_attempt(anna, {"lo1", "lo2", "lo3"})
    second: dict[str, Any] = {"resource_link": {"id": "rl-second", "title": "Circular design, again"}}
    launch_learner(tool, platform, UNIT, TEACHER, http=requests.Session(), roles=[LtiRoles.INSTRUCTOR], **second)
    teacher = launch(tool, platform, TEACHER, teacher=True)
    course_pk = re.search(r'href="/courses/(\d+)/dashboard[?"]', get(teacher, f"/units/{UNIT}").text).group(1)
    page = get(teacher, f"/courses/{course_pk}/dashboard")
    by_link = dict(re.findall(r'<tr role="row" data-link="(\d+)" data-unit="[^"]+">'
                              r'.*?data-count="credentials"[^>]*>(\d+)<', page.text, re.S))
    assert sorted(by_link.values()) == ["0", "1"], by_link


def test_course_csv_has_one_header_one_row_per_learner_and_placement_in_the_teachers_language(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    anna = launch(tool, platform, ANNA)
    submit_attempt(anna, {"lo1", "lo2", "lo3"})
    second: dict[str, Any] = {"resource_link": {"id": "rl-second", "title": "Circular design, again"}}
    launch_learner(tool, platform, UNIT, ANNA, http=requests.Session(), **second)
    teacher = launch_learner(tool, platform, UNIT, replace(TEACHER, locale="it"), http=requests.Session(),
                             roles=[LtiRoles.INSTRUCTOR])
    course_pk = re.search(r'href="/courses/(\d+)/dashboard[?"]', get(teacher, f"/units/{UNIT}").text).group(1)
    answer = get(teacher, f"/courses/{course_pk}/dashboard/export.csv")
    lines = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))
    header, body = lines[0], lines[1:]
    assert header[:2] == ["studente", "ID utente LTI"] and "stato" in header
    assert sum(1 for line in lines if line[:2] == header[:2]) == 1  # the header once, even for two placements
    annas = [dict(zip(header, line, strict=True)) for line in body if line[1] == "anna"]
    assert len(annas) == 2 and {a["stato"] for a in annas} == {"padroneggiato", "non iniziato"}


def test_revoking_asks_first_on_a_page_naming_learner_unit_and_credential(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    anna = launch(tool, platform, ANNA)
    submit_attempt(anna, {"lo1", "lo2", "lo3"})
    [mine] = anna.api("GET", "/api/me/credentials").json()["credentials"]
    teacher = launch(tool, platform, TEACHER, teacher=True)
    context_pk, link_pk = ids(tool)
    [revoke_link] = [h for h in rows(get(teacher, f"/courses/{context_pk}/links/{link_pk}").text)["anna"].links
                     if "/revoke" in h]
    confirm = get(teacher, revoke_link)
    assert confirm.status_code == 200 and 'data-confirm="revoke"' in confirm.text
    document = requests.get(mine["url"], headers={"Accept": "application/ld+json"}, timeout=10).json()
    title = document["credentialSubject"]["achievement"]["name"]
    text = html.unescape(confirm.text)
    assert "Anna Lind" in text and UNIT in text and title in text
    assert get(anna, revoke_link.split("?")[0]).status_code == 403  # a learner cannot even see the page
    done = post_form(teacher, revoke_link, {"reason": "Issued by mistake"})
    assert done.status_code == 303
    notice = re.search(r'<p role="status" data-revoked="[^"]+">(.*?)</p>', get(teacher, done.headers["Location"]).text)
    assert notice and "Anna Lind" in html.unescape(notice.group(1)) and mine["id"] not in notice.group(1)
