"""A course with learners who answered through the learner API, a teacher, and readers of the dashboard's HTML."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import requests
import sqlalchemy as sa

from lti_tool.db import db
from lti_tool.launch.models import Context, ResourceLink
from tests.conftest import LiveTool
from tests.integration.assessment.helpers import Learner, launch_learner
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform
from tests.support.catalogue import shipped_unit
from tests.unit_files import item_index, key_response

UNIT = "manufacturing-circular-design"  # 3 outcomes (lo1..lo3), fully auto-scored, max_attempts 3
COURSE_2 = {"id": "course-2", "label": "GS202", "title": "Other course",
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection"]}
LINK_2 = {"id": "rl-2", "title": "Circular design (other course)"}


def answer(learner: Learner, attempt: dict[str, Any], right_outcomes: set[str]) -> None:
    """Answer the items of these outcomes with the key; leave every other item unanswered."""
    index = item_index(shipped_unit(UNIT))
    for item in attempt["items"]:
        outcome_id, item_def = index[item["id"]]
        if outcome_id in right_outcomes:
            saved = learner.api("PUT", f"/api/attempts/{attempt['id']}/responses/{item['id']}",
                                {"response": key_response(item_def)})
            assert saved.status_code == 200, saved.text


def submit_attempt(learner: Learner, right_outcomes: set[str]) -> dict[str, Any]:
    """Start an attempt through the API, answer, submit; the submit answer."""
    started = learner.api("POST", "/api/attempts", {"unit": UNIT})
    assert started.status_code in (200, 201), started.text
    attempt = started.json()
    answer(learner, attempt, right_outcomes)
    body = learner.api("POST", f"/api/attempts/{attempt['id']}/submit").json()
    return body | {"attempt_id": attempt["id"]}


def launch(tool: LiveTool, platform: TestPlatform, user: PlatformUser, *, teacher: bool = False,
           other_course: bool = False) -> Learner:
    """A launch into UNIT in course-1 (or course-2) as a learner or an instructor."""
    extra: dict[str, Any] = {"context": COURSE_2, "resource_link": LINK_2} if other_course else {}
    return launch_learner(tool, platform, UNIT, user, http=requests.Session(),
                          roles=[LtiRoles.INSTRUCTOR if teacher else LtiRoles.LEARNER], **extra)


def ids(tool: LiveTool, context_id: str = "course-1", resource_link_id: str = "rl-1") -> tuple[int, int]:
    """(context pk, resource link pk) of a course and its placement."""
    with tool.app.app_context():
        context = db.session.scalar(sa.select(Context).where(Context.context_id == context_id))
        assert context is not None
        link = db.session.scalar(sa.select(ResourceLink).where(
            ResourceLink.context_pk == context.id, ResourceLink.resource_link_id == resource_link_id))
        assert link is not None
        return context.id, link.id


def get(person: Learner, path: str, **kwargs: Any) -> requests.Response:
    """A page of the tool with the person's session cookie."""
    return person.http.get(person.tool.url + path, timeout=30, allow_redirects=False, **kwargs)


def post_form(person: Learner, path: str, data: dict[str, str] | None = None, *, csrf: bool = True,
              follow: bool = False) -> requests.Response:
    """A form post as the browser sends it (with the page's csrf_token field unless told otherwise)."""
    form = dict(data or {})
    if csrf:
        form["csrf_token"] = person.csrf
    return person.http.post(person.tool.url + path, data=form, timeout=30, allow_redirects=follow)


@dataclass
class Row:
    user: str
    status: str
    in_roster: str
    outcomes: dict[str, str] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # data-cell → its text
    links: list[str] = field(default_factory=list)


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, Row] = {}
        self.counts: dict[str, dict[str, int]] = {}
        self._row: Row | None = None
        self._link: str | None = None
        self._cell: str | None = None
        self._count: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "tr" and "data-user" in a:
            self._row = Row(a["data-user"], a["data-status"], a["data-in-roster"])
            self.rows[a["data-user"]] = self._row
        elif tag == "tr" and "data-link" in a:
            self._link = a["data-unit"]
            self.counts[self._link] = {}
        elif tag == "td" and self._row is not None and "data-outcome" in a:
            self._row.outcomes[a["data-outcome"]] = a["data-state"]
        elif tag == "td" and self._row is not None and "data-cell" in a:
            self._cell = a["data-cell"]
            self._row.cells[self._cell] = ""
        elif tag == "td" and self._link is not None and "data-count" in a:
            self._count = a["data-count"]
        elif tag == "a" and self._row is not None and a.get("href"):
            self._row.links.append(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row, self._link = None, None
        elif tag == "td":
            self._cell, self._count = None, None

    def handle_data(self, data: str) -> None:
        if self._row is not None and self._cell is not None:
            self._row.cells[self._cell] += data
        if self._link is not None and self._count is not None and data.strip():
            self.counts[self._link][self._count] = int(data.strip())


def rows(html: str) -> dict[str, Row]:
    """The learner rows of a placement page, by LTI user id."""
    parser = _Rows()
    parser.feed(html)
    return parser.rows


def counts(html: str) -> dict[str, dict[str, int]]:
    """The course dashboard's counts, by unit slug."""
    parser = _Rows()
    parser.feed(html)
    return parser.counts
