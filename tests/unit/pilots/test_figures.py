"""The pure figure computation: stages, attempts to mastery, time on task, the group-of-5 rule, targets."""

from __future__ import annotations

import datetime as dt

from lti_tool.pilots import figures as fg

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
C1 = ("https://lms.example", "d1", "course-1")
C2 = ("https://lms.example", "d1", "course-2")


def _facts() -> fg.Facts:
    facts = fg.Facts()
    facts.pilots["p1"] = fg.PilotInfo("p1", "Pilot 1", "IT", "wood", "Org", dt.date(2026, 1, 1),
                                      dt.date(2026, 6, 30), 10)
    facts.pilots["p2"] = fg.PilotInfo("p2", "Pilot 2", "FI", "building", "Org", dt.date(2027, 1, 1),
                                      dt.date(2027, 6, 30), 10)
    facts.courses = {C1: "p1", C2: "p2"}
    facts.enrolled = {C1: 7, C2: 3}
    facts.units["u"] = fg.UnitInfo("u", "Unit", "wood", 10.0, ("s1", "s2", "s3"), (("lo1", "One"), ("lo2", "Two")))
    for n in range(6):
        facts.launches.add((C1, f"l{n}", "u"))
    facts.launches.add((C1, "l0", ""))  # a course-level launch is not a unit launch
    # l0: mastered at try 2 (10 and 20 minutes); l1: at try 1 (30 minutes); l2: never (lo1 only, 40 minutes).
    tries = [("l0", 10, False, {"lo1"}), ("l0", 20, True, {"lo1", "lo2"}), ("l1", 30, True, {"lo1", "lo2"}),
             ("l2", 40, False, {"lo1"})]
    for n, (who, minutes, mastered, met) in enumerate(tries):
        start = T0 + dt.timedelta(hours=n)
        facts.attempts.append(fg.AttemptFact(C1, who, "u", f"r{n}", start, start + dt.timedelta(minutes=minutes,
                                             microseconds=999), mastered, frozenset(met)))
    facts.attempts.append(fg.AttemptFact(C1, "l3", "u", "r9", T0, None, False))  # started, never submitted
    facts.credentials = [fg.CredentialFact(C1, "l0", "u", "c0", False), fg.CredentialFact(C1, "l1", "u", "c1", True)]
    return facts


def test_stages_and_means_per_group() -> None:
    figures = fg.compute(_facts(), dt.date(2026, 3, 2))
    rows = {(r.level, r.key): r.values for r in figures.rows}
    pilot = rows[("pilot", "p1")]
    assert (pilot["enrolled"], pilot["launched"], pilot["attempted"], pilot["mastered"]) == (7, 6, 4, 2)
    assert (pilot["credentials_issued"], pilot["credentials_revoked"]) == (2, 1)
    assert pilot["attempts_to_mastery"] == 1.5 and pilot["median_minutes"] == 25.0
    assert pilot["running"] is True and rows[("pilot", "p2")]["running"] is False
    assert rows[("project", "all")]["enrolled"] == 10 and rows[("unit", "u")]["enrolled"] is None
    assert [(o.outcome, o.learners, o.met, o.rate) for o in figures.outcomes] == [("lo1", 3, 3, 100.0),
                                                                                  ("lo2", 3, 2, 66.7)]
    assert figures.targets.pilots_running == 1 and figures.targets.learners_reached == 6
    assert figures.targets.skills_by_sector == {"wood": 3, "agrofood": 0, "building": 0, "manufacturing": 0}


def test_questionnaire_figures_only_for_five_or_more_answers() -> None:
    facts = _facts()
    for n in range(4):
        facts.answers.append(fg.AnswerFact(C1, f"l{n}", "u", 4, 12.0, 5, n % 2 == 0, f"text {n}"))
    small = {(r.level, r.key): r.values for r in fg.compute(facts, dt.date(2026, 3, 2)).rows}[("pilot", "p1")]
    assert small["respondents"] == 4 and small["relevance"] is None and small["recommend"] is None
    assert fg.compute(facts, dt.date(2026, 3, 2)).comments == {}
    facts.answers.append(fg.AnswerFact(C1, "l4", "u", 2, 8.0, 3, True))
    figures = fg.compute(facts, dt.date(2026, 3, 2))
    five = {(r.level, r.key): r.values for r in figures.rows}[("pilot", "p1")]
    shown = ("relevance", "workload_felt", "workload_declared", "clarity", "recommend")
    assert tuple(five[k] for k in shown) == (3.6, 11.2, 10.0, 4.6, 60.0)
    assert figures.comments == {"u": ["text 0", "text 1", "text 2", "text 3"]}


def test_one_pilot_keeps_only_its_own_courses() -> None:
    figures = fg.for_pilot(_facts(), "p2", dt.date(2026, 3, 2))
    assert [(r.level, r.key) for r in figures.rows] == [("project", "all"), ("pilot", "p2"), ("country", "FI"),
                                                        ("sector", "building")]
