"""The separate issuer's decision over statements built by the tool's own xAPI builders."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from lti_tool.credentials.issuing.from_lrs import Justified, decide, describe_lrs_failure, read_statements
from lti_tool.xapi import statements as st
from lti_tool.xapi.lrs_client import LrsClient, LrsError
from lti_tool.xapi.profile import Extension, Profile, Verb
from lti_tool.xapi.refs import LtiScope, OutcomeRef, Score, UnitRef

BASE = "http://tool.example:5000"
PROFILE = Profile(BASE)
T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
UNIT = UnitRef("wood-drying", "1.2.0", "Drying wood", ("http://data.europa.eu/esco/skill/x",), 4)
CATALOGUE = {("wood-drying", "1.2.0"): ("lo1", "lo 2"), ("wood-drying", "2.0.0"): ("lo1", "lo2", "lo3")}
LEA = LtiScope("https://moodle.example.org", "lea", "d1", "course-7")
TEACHER = LtiScope("https://moodle.example.org", "teacher", "d1", "course-7")


def attempt(who: LtiScope = LEA, outcomes: dict[str, float] | None = None, *, unit: UnitRef = UNIT,
            mastered: bool = True, at: dt.datetime = T0, profile: Profile = PROFILE,
            registration: uuid.UUID | None = None) -> tuple[uuid.UUID, list[dict[str, Any]]]:
    """The mastery statements of one attempt (registration), as the tool records them."""
    registration = registration or uuid.uuid4()
    scores = {"lo1": 0.9, "lo 2": 0.8} if outcomes is None else outcomes
    out = [st.outcome_mastered(profile, who, unit, registration, OutcomeRef(oid, oid), Score(score), at)
           for oid, score in scores.items()]
    if mastered:
        out.append(st.unit_mastered(profile, who, unit, registration, Score(0.85), at))
    return registration, out


def unit_statement(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return next(s for s in statements if s["object"]["id"] == f"{BASE}/units/{UNIT.slug}")


def test_a_mastered_unit_with_every_outcome_justifies_one_credential() -> None:
    registration, statements = attempt()
    decision = decide(statements, [BASE], CATALOGUE)
    assert decision.skipped == ()
    [justified] = decision.justified
    assert justified == Justified(
        home_page="https://moodle.example.org", sub="lea", slug="wood-drying", version="1.2.0",
        registration=str(registration), mastered_at="2026-11-23T09:00:00.000Z",
        statement_id=unit_statement(statements)["id"], outcomes=justified.outcomes)
    # Outcome ids with a space are percent-encoded in the IRI and come back as the catalogue spells them.
    assert [(o.outcome_id, o.score, o.met) for o in justified.outcomes] == [("lo1", 0.9, True), ("lo 2", 0.8, True)]


def test_voided_unit_mastery_justifies_nothing() -> None:
    registration, statements = attempt()
    target = unit_statement(statements)["id"]
    voids = st.statements_voided(PROFILE, TEACHER, registration, [target], T0 + dt.timedelta(hours=1))
    decision = decide(statements + voids, [BASE], CATALOGUE)
    assert decision.justified == ()
    assert [(s.statement_id, "voided" in s.reason) for s in decision.skipped] == [(target, True)]


def test_a_voided_outcome_mastery_leaves_the_unit_unjustified() -> None:
    registration, statements = attempt()
    outcome = next(s for s in statements if s["object"]["id"].endswith("/outcomes/lo1"))
    voids = st.statements_voided(PROFILE, TEACHER, registration, [outcome["id"]], T0 + dt.timedelta(hours=1))
    decision = decide(statements + voids, [BASE], CATALOGUE)
    assert decision.justified == ()
    [skipped] = decision.skipped
    assert "lo1" in skipped.reason and "lo 2" not in skipped.reason


def test_missing_an_outcome_justifies_nothing() -> None:
    _, statements = attempt(outcomes={"lo1": 1.0})
    decision = decide(statements, [BASE], CATALOGUE)
    assert decision.justified == ()
    assert "lo 2" in decision.skipped[0].reason


def test_outcomes_of_another_registration_do_not_complete_an_attempt() -> None:
    _, first = attempt(outcomes={"lo1": 1.0})
    _, second = attempt(outcomes={"lo 2": 1.0}, at=T0 + dt.timedelta(days=1))
    decision = decide(first + second, [BASE], CATALOGUE)
    assert decision.justified == ()
    assert len(decision.skipped) == 2


def test_two_complete_registrations_justify_one_credential_from_the_first() -> None:
    later, second = attempt(outcomes={"lo1": 1.0, "lo 2": 1.0}, at=T0 + dt.timedelta(days=1))
    first_reg, first = attempt()
    [justified] = decide(second + first, [BASE], CATALOGUE).justified
    assert justified.registration == str(first_reg) != str(later)
    assert [o.score for o in justified.outcomes] == [0.9, 0.8]


def test_the_first_mastery_is_found_by_instant_even_when_the_lrs_rewrote_the_offset() -> None:
    first_reg, first = attempt()
    _, second = attempt(at=T0 - dt.timedelta(minutes=30))
    unit_statement(first)["timestamp"] = "2026-11-23T09:00:00.000+01:00"  # 08:00Z, before 08:30Z
    [justified] = decide(second + first, [BASE], CATALOGUE).justified
    assert justified.registration == str(first_reg)


def test_a_failed_first_attempt_and_a_complete_second_one_justify_the_second() -> None:
    _, failed = attempt(outcomes={"lo1": 1.0})
    passed_reg, passed = attempt(at=T0 + dt.timedelta(days=1))
    decision = decide(failed + passed, [BASE], CATALOGUE)
    assert [j.registration for j in decision.justified] == [str(passed_reg)]


def test_each_learner_gets_their_own() -> None:
    other = LtiScope("https://canvas.example.org", "lea", "d9")  # same sub, another platform: another person
    _, lea = attempt()
    _, them = attempt(other)
    learners = {(j.home_page, j.sub) for j in decide(lea + them, [BASE], CATALOGUE).justified}
    assert learners == {("https://moodle.example.org", "lea"), ("https://canvas.example.org", "lea")}


def test_unknown_unit_or_version_is_skipped() -> None:
    _, unknown_unit = attempt(unit=UnitRef("no-such-unit", "1.2.0", "Nothing"))
    _, unknown_version = attempt(unit=UnitRef("wood-drying", "9.9.9", "Drying wood"))
    decision = decide(unknown_unit + unknown_version, [BASE], CATALOGUE)
    assert decision.justified == ()
    reasons = sorted(s.reason for s in decision.skipped)
    assert reasons == ["unit no-such-unit version 1.2.0 is not in the catalogue",
                       "unit wood-drying version 9.9.9 is not in the catalogue"]


def test_the_version_extension_selects_the_outcomes_to_check() -> None:
    v2 = UnitRef("wood-drying", "2.0.0", "Drying wood")
    _, statements = attempt(unit=v2, outcomes={"lo1": 1.0, "lo2": 1.0})  # v2 also has lo3
    assert decide(statements, [BASE], CATALOGUE).justified == ()
    _, complete = attempt(unit=v2, outcomes={"lo1": 1.0, "lo2": 1.0, "lo3": 0.7})
    [justified] = decide(complete, [BASE], CATALOGUE).justified
    assert justified.version == "2.0.0" and len(justified.outcomes) == 3


def test_statements_of_another_tool_or_profile_are_ignored() -> None:
    _, elsewhere = attempt(profile=Profile("http://other-tool.example"))
    _, ours = attempt()
    for statement in ours:
        statement["context"]["contextActivities"]["category"] = [{"id": "http://example.org/another/profile"}]
    decision = decide(elsewhere + ours, [BASE], CATALOGUE)
    assert decision == decide([], [BASE], CATALOGUE)
    assert decide(elsewhere, [BASE, "http://other-tool.example"], CATALOGUE).justified != ()


def test_a_mastered_statement_without_success_or_version_proves_nothing() -> None:
    _, statements = attempt()
    unit_statement(statements)["result"]["success"] = False
    assert decide(statements, [BASE], CATALOGUE).justified == ()
    _, statements = attempt()
    del statements[0]["context"]["extensions"][PROFILE.extension(Extension.UNIT_VERSION)]
    assert decide(statements, [BASE], CATALOGUE).justified == ()


class FakeLrs:
    """An LRS answering GET /statements filters from a list (the filters are recorded)."""

    def __init__(self, statements: list[dict[str, Any]]) -> None:
        self.statements = statements
        self.queries: list[dict[str, Any]] = []

    def iter_statements(self, **filters: Any) -> Iterator[dict[str, Any]]:
        self.queries.append(filters)
        since = filters.get("since")
        for s in self.statements:
            if "verb" in filters and s["verb"]["id"] != filters["verb"]:
                continue
            if "registration" in filters and s.get("context", {}).get("registration") != filters["registration"]:
                continue
            if since is not None and dt.datetime.fromisoformat(s["timestamp"]) < since:
                continue
            yield s


def test_read_statements_with_since_completes_the_attempts_of_the_window() -> None:
    # A teacher's review completes the unit a day after the first outcome was met.
    registration = uuid.uuid4()
    _, early = attempt(outcomes={"lo1": 0.9}, mastered=False, registration=registration)
    _, late = attempt(outcomes={"lo 2": 0.7}, at=T0 + dt.timedelta(days=1), registration=registration)
    _, old = attempt(at=T0 - dt.timedelta(days=30))
    lrs = FakeLrs(early + late + old)
    read = read_statements(lrs, T0 + dt.timedelta(hours=12))
    assert {s["id"] for s in read} == {s["id"] for s in early + late}
    assert {q.get("verb") for q in lrs.queries} == {Verb.MASTERED.value, Verb.VOIDED.value, None}
    assert [q["registration"] for q in lrs.queries if "registration" in q] == [str(registration)]
    [justified] = decide(read, [BASE], CATALOGUE).justified
    assert justified.registration == str(registration)
    everything = read_statements(FakeLrs(early + late + old))
    assert len(decide(everything, [BASE], CATALOGUE).justified) == 1  # one learner, one unit version


@pytest.mark.parametrize(("status", "expected"), [(401, "refused the credentials (HTTP 401)"),
                                                  (404, "HTTP 404"), (500, "answered HTTP 500")])
def test_lrs_failures_read_as_sentences(status: int, expected: str) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, text="nope"))
    with LrsClient("http://lrs.example/xAPI/", "u", "p", transport=transport) as lrs, \
            pytest.raises(LrsError) as caught:
        read_statements(lrs)
    assert expected in describe_lrs_failure(caught.value, "http://lrs.example/xAPI/")


def test_an_unreachable_lrs_reads_as_unreachable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with LrsClient("http://lrs.example/xAPI/", "u", "p", transport=httpx.MockTransport(refuse)) as lrs, \
            pytest.raises(LrsError) as caught:
        read_statements(lrs)
    assert "is unreachable: ConnectError" in describe_lrs_failure(caught.value, "http://lrs.example/xAPI/")
