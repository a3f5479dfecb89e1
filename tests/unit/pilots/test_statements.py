"""Pilot and questionnaire statements: valid for Ralph's xAPI models, one profile template each, no person named."""

from __future__ import annotations

import datetime as dt
import json

from lti_tool.pilots import statements as pst
from lti_tool.xapi.profile import Profile, profile_document
from lti_tool.xapi.refs import LtiScope, UnitRef
from lti_tool.xapi.validation import validate_statement

BASE = "https://tool.example.eu"
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
PILOT = pst.PilotFacts("it-wood-1", "Legno Veneto", "IT", "wood", "CFP", dt.date(2026, 1, 1), dt.date(2026, 6, 30), 12)
COURSE = pst.CourseRef("https://moodle.example", "d1", "course-7")
SCOPE = LtiScope("https://moodle.example", "student-42", "d1", "course-7")
UNIT = UnitRef("wood-x", "1.0.0", {"en": "Wood", "it": "Legno"}, ("http://data.europa.eu/esco/skill/x",), 4)


def _all() -> list[dict]:
    profile = Profile(BASE)
    return [pst.pilot_described(profile, PILOT, T0), pst.course_included(profile, PILOT, COURSE, T0),
            pst.course_counted(profile, PILOT, COURSE, 17, T0),
            pst.questionnaire_answered(profile, SCOPE, UNIT, pst.Answers(4, 12.5, 5, True, "ok"), T0)]


def test_every_statement_is_valid_and_matches_one_template() -> None:
    document = profile_document(BASE)
    declared = {c["id"] for c in document["concepts"]}
    for statement in _all():
        validate_statement(statement)
        matches = [t for t in document["templates"] if t["verb"] == statement["verb"]["id"]
                   and t.get("objectActivityType") == statement["object"]["definition"]["type"]]
        assert len(matches) == 1, statement["verb"]["id"]
        for key in [*statement["context"]["extensions"], *statement.get("result", {}).get("extensions", {})]:
            assert key in declared, key


def test_ids_are_stable_and_the_tool_speaks_for_itself() -> None:
    first, again = _all(), _all()
    assert [s["id"] for s in first] == [s["id"] for s in again]
    for statement in first[:3]:
        assert statement["actor"] == {"objectType": "Agent", "account": {"homePage": BASE, "name": "mastery-tool"}}
    assert "student-42" not in json.dumps(first[:3])
    assert first[2]["context"]["extensions"][f"{BASE}/xapi/extensions/enrolled"] == 17
