"""Statement builders: valid for Ralph's strict models, deterministic, pseudonymous, UTC."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from lti_tool.xapi import statements as st
from lti_tool.xapi.profile import PROFILE_VERSION, Extension, ToolVerb, Verb
from lti_tool.xapi.refs import Score
from lti_tool.xapi.validation import validate_statement
from tests.unit.xapi.factories import ESCO, T0, journey, profile, scope, unit

ATTEMPT = uuid.UUID("0b5c6a4e-1d7e-4d0e-9a1b-6d1f2e3a4b5c")


def test_every_statement_of_a_journey_passes_ralphs_models() -> None:
    statements = journey(profile(), scope(), unit(), ATTEMPT)
    statements.append(st.credential_revoked(profile(), scope(), unit(), uuid.uuid4(), T0, "issued in error"))
    statements += st.statements_voided(profile(), scope("teacher-9"), ATTEMPT, [statements[5]["id"]], T0)
    for statement in statements:
        validate_statement(statement)
    assert len({s["id"] for s in statements}) == len(statements)


def test_building_twice_gives_the_same_bytes_and_ids() -> None:
    first = [st.to_json_bytes(s) for s in journey(profile(), scope(), unit(), ATTEMPT)]
    second = [st.to_json_bytes(s) for s in journey(profile(), scope(), unit(), ATTEMPT)]
    assert first == second
    other_attempt = journey(profile(), scope(), unit(), uuid.uuid4())
    # Launch and section views are not part of an attempt; everything after them is.
    assert [json.loads(b)["id"] for b in first[2:]] != [s["id"] for s in other_attempt[2:]]
    assert not {json.loads(b)["id"] for b in first[2:]} & {s["id"] for s in other_attempt[2:]}


def test_actor_is_the_lti_account_only() -> None:
    for statement in journey(profile(), scope("sub-123"), unit(), ATTEMPT):
        assert statement["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": "https://moodle.example.org", "name": "sub-123"},
        }


def test_registration_is_the_attempt_and_lti_ids_are_extensions() -> None:
    prof = profile()
    statements = journey(prof, scope(), unit(), ATTEMPT)
    for statement in statements[2:]:
        assert statement["context"]["registration"] == str(ATTEMPT)
    ext = statements[0]["context"]["extensions"]
    assert ext[prof.extension(Extension.LTI_PLATFORM)] == "https://moodle.example.org"
    assert ext[prof.extension(Extension.LTI_DEPLOYMENT)] == "deploy-1"
    assert ext[prof.extension(Extension.LTI_CONTEXT)] == "course-7"
    assert ext[prof.extension(Extension.UNIT_VERSION)] == "1.2.0"
    assert "registration" not in statements[0]["context"]


def test_esco_and_eqf_are_context_activities_on_unit_level_statements() -> None:
    prof = profile()
    by_verb = {s["verb"]["id"]: s for s in journey(prof, scope(), unit(), ATTEMPT)}
    for verb in (Verb.LAUNCHED, Verb.COMPLETED, Verb.PASSED, Verb.EARNED):
        other = by_verb[verb]["context"]["contextActivities"]["other"]
        assert [a["id"] for a in other] == [*ESCO, "http://data.europa.eu/snb/eqf/4"]
        assert by_verb[verb]["context"]["extensions"][prof.extension(Extension.EQF_LEVEL)] == 4
    category = by_verb[Verb.LAUNCHED]["context"]["contextActivities"]["category"]
    assert category[0]["id"] == f"http://127.0.0.1:5000/xapi/profile/v{PROFILE_VERSION}"


def test_timestamps_are_utc_with_milliseconds_and_naive_is_refused() -> None:
    cet = dt.timezone(dt.timedelta(hours=1))
    statement = st.unit_launched(profile(), scope(), unit(), dt.datetime(2026, 1, 2, 10, 30, 5, 123456, tzinfo=cet))
    assert statement["timestamp"] == "2026-01-02T09:30:05.123Z"
    with pytest.raises(ValueError, match="naive"):
        st.unit_launched(profile(), scope(), unit(), dt.datetime(2026, 1, 2, 10, 30))


def test_graded_verb_follows_the_result_and_both_can_coexist() -> None:
    failed = st.assessment_graded(profile(), scope(), unit(), ATTEMPT, Score(0.4), False, T0)
    passed = st.assessment_graded(profile(), scope(), unit(), ATTEMPT, Score(0.8), True, T0)
    assert failed["verb"]["id"] == Verb.FAILED and failed["result"]["success"] is False
    assert passed["verb"]["id"] == Verb.PASSED and passed["result"]["success"] is True
    assert failed["id"] != passed["id"]


def test_revocation_uses_the_profile_verb_and_names_the_credential() -> None:
    prof = profile("https://tool.example.eu/")
    credential = uuid.UUID("7d3f1b7e-9a48-4f57-9d7e-1e0f5b8a2c11")
    earned = st.credential_earned(prof, scope(), unit(), credential, ATTEMPT, T0)
    revoked = st.credential_revoked(prof, scope(), unit(), credential, T0 + dt.timedelta(days=1), "fraud")
    assert revoked["verb"]["id"] == "https://tool.example.eu/xapi/verbs/revoked" == prof.verb(ToolVerb.REVOKED)
    assert revoked["object"]["id"] == earned["object"]["id"] == f"https://tool.example.eu/credentials/{credential}"
    assert revoked["result"] == {"response": "fraud"}
    assert revoked["context"]["extensions"][prof.extension(Extension.CREDENTIAL_ID)] == str(credential)
    assert earned["id"] != revoked["id"]


def test_attempt_reset_voids_each_statement_by_reference() -> None:
    targets = [s["id"] for s in journey(profile(), scope(), unit(), ATTEMPT)[2:]]
    voids = st.statements_voided(profile(), scope("teacher-9"), ATTEMPT, targets, T0)
    assert [v["object"] for v in voids] == [{"objectType": "StatementRef", "id": t} for t in targets]
    assert {v["verb"]["id"] for v in voids} == {"http://adlnet.gov/expapi/verbs/voided"}
    assert voids == st.statements_voided(profile(), scope("teacher-9"), ATTEMPT, targets, T0)
    assert "platform" not in voids[0]["context"]  # xAPI: platform only for Activity objects


def test_odd_ids_are_escaped_in_activity_iris() -> None:
    statement = st.unit_launched(profile(), scope(), unit("wood drying/2"), T0)
    assert statement["object"]["id"] == "http://127.0.0.1:5000/units/wood%20drying%2F2"
    validate_statement(statement)


def test_json_bytes_are_canonical() -> None:
    statement = st.unit_launched(profile(), scope(), unit(), T0)
    data = st.to_json_bytes(statement)
    assert json.loads(data) == statement
    assert data.startswith(b'{"actor":{"account":{"homePage":"https://moodle.example.org","name":"42"}')
    assert st.to_json_bytes(json.loads(data)) == data  # re-serialising stored bytes never changes them
    assert "Séchage".encode() in data  # UTF-8, not \u escapes


def test_score_outside_range_is_refused() -> None:
    with pytest.raises(ValueError, match=r"0\.\.1"):
        Score(1.5)
    with pytest.raises(ValueError, match="raw"):
        Score(0.5, raw=9, max=8)
