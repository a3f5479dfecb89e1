"""What a learner's unit page reads: its session, then the pinned unit, the attempts and the questionnaire's fact in
one statement (lti_tool.assessment.unit_page), and what it shows stays true as those facts change."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager

import requests
import sqlalchemy as sa

from lti_tool.catalogue.models import Unit
from lti_tool.db import db
from tests.conftest import LEARNER, LiveTool
from tests.integration.dashboard.helpers import COURSE_2, UNIT, submit_attempt
from tests.integration.pilots.helpers import launch
from tests.lti_platform import TestPlatform
from tests.support.sql_log import request_statements

QUESTIONNAIRE = 'data-notice="questionnaire"'


@contextmanager
def statements(tool: LiveTool) -> Iterator[list[str]]:
    """The SQL statements the tool's requests run meanwhile, lower-cased (rate-limit counting left out); read the
    list after the block."""
    seen: list[str] = []
    with request_statements(tool.app) as sent:
        yield seen
    seen.extend(statement.lower() for statement in sent if "rate_limit_window" not in statement)


def page(tool: LiveTool, http: requests.Session) -> str:
    answer = http.get(f"{tool.url}/units/{UNIT}", timeout=30)
    assert answer.status_code == 200, answer.text[:300]
    return answer.text


def test_a_learners_unit_page_reads_its_unit_and_attempts_in_one_statement(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner, landing = launch(tool, platform, LEARNER, unit=UNIT)  # the landing pins the placement's unit version
    assert QUESTIONNAIRE not in landing.text and "data-attempt=" not in landing.text
    with statements(tool) as seen:
        shown = page(tool, learner.http)
    assert len(seen) == 2, seen  # the session (with the registry generation), then the page's one read
    assert seen[1].startswith("select unit.id") and "from attempt" in seen[1] and "exists" in seen[1], seen
    assert f'data-unit="{UNIT}"' in shown and "data-attempt=" not in shown and QUESTIONNAIRE not in shown

    submitted = submit_attempt(learner, {"lo1", "lo2", "lo3"})
    with statements(tool) as seen:
        shown = page(tool, learner.http)
    assert len(seen) == 3, seen  # and whether the questionnaire was answered, now that an attempt is submitted
    assert f'data-attempt="{submitted["attempt_id"]}"' in shown and QUESTIONNAIRE in shown

    answered = learner.http.post(f"{tool.url}/units/{UNIT}/questionnaire", timeout=30, data={
        "relevance": "4", "clarity": "4", "workload_hours": "3", "recommend": "yes", "csrf_token": learner.csrf})
    assert answered.status_code == 200, answered.text[:300]
    assert QUESTIONNAIRE not in page(tool, learner.http)


def test_the_questionnaire_counts_a_submit_at_any_placement_of_the_unit_in_the_course_only(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    first, _ = launch(tool, platform, LEARNER, unit=UNIT)
    submit_attempt(first, {"lo1"})
    # The same unit placed a second time in the course: no attempt there, yet the learner has submitted this unit.
    second, landing = launch(tool, platform, LEARNER, unit=UNIT, resource_link={"id": "rl-second", "title": "Again"})
    assert QUESTIONNAIRE in landing.text
    shown = page(tool, second.http)  # pinned now: the one-statement read
    assert QUESTIONNAIRE in shown and "data-attempt=" not in shown
    # Another course: a submit elsewhere does not count.
    other, landing = launch(tool, platform, LEARNER, unit=UNIT, context=COURSE_2,
                            resource_link={"id": "rl-other", "title": "Elsewhere"})
    assert QUESTIONNAIRE not in landing.text and QUESTIONNAIRE not in page(tool, other.http)


def test_the_pages_shared_parts_follow_the_unit_row_and_its_content(registered: tuple[LiveTool, TestPlatform]) -> None:
    # The top of the page, its outcomes and study text are kept per process (lti_tool.fragments): a changed row or
    # a rewritten document must show at the next view, not the kept copy.
    tool, platform = registered
    learner, _ = launch(tool, platform, LEARNER, unit=UNIT)
    shown = page(tool, learner.http)
    assert "Manufacturing · EQF level 5 · 1 ECTS" in shown and "<h1 lang=\"en\">Circular product design" in shown
    with tool.app.app_context():
        unit = db.session.scalar(sa.select(Unit).where(Unit.slug == UNIT, Unit.is_current.is_(True)))
        assert unit is not None
        unit.ects, unit.sector = 2.5, "wood"
        db.session.commit()
    shown = page(tool, learner.http)
    assert "Wood · EQF level 5 · 2.5 ECTS" in shown and "Manufacturing ·" not in shown
    with tool.app.app_context():
        unit = db.session.scalar(sa.select(Unit).where(Unit.slug == UNIT, Unit.is_current.is_(True)))
        assert unit is not None
        document = copy.deepcopy(unit.stored_document)
        document["title"] = {"en": "A retitled unit"} if isinstance(document["title"], dict) else "A retitled unit"
        document["outcomes"][0]["title"] = "A rewritten outcome"
        unit.document = document  # a new content hash, as any rewrite of the document gives
        db.session.commit()
    shown = page(tool, learner.http)
    assert '<h1 lang="en">A retitled unit</h1>' in shown and "<title>A retitled unit · " in shown
    assert ">A rewritten outcome</li>" in shown and "Circular product design" not in shown
