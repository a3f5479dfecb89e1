"""The pure parts of the dashboard: a learner's status from attempts, and CSV cells (no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from lti_tool.assessment.grade_policy import GradePolicy
from lti_tool.dashboard.export import csv_bytes, filename, safe_cell
from lti_tool.dashboard.progress import LearnerStatus, OutcomeState, progress


@dataclass
class A:
    id: str
    number: int
    state: str
    result: dict[str, Any] | None = None
    submitted_at: dt.datetime | None = None
    practice: bool = False
    score: float | None = None
    mastered: bool = False
    pending_review: bool = False

    def __post_init__(self) -> None:
        result = self.result or {}
        self.score, self.mastered = result.get("score"), bool(result.get("mastered"))
        self.pending_review = bool(result.get("pending_review"))


def _result(met: list[bool], *, pending: bool = False) -> dict[str, Any]:
    outcomes = [{"id": f"lo{n + 1}", "score": 1.0 if m else 0.0, "met": m, "pending_review": pending and n == 0}
                for n, m in enumerate(met)]
    return {"score": sum(met) / len(met), "mastered": all(met) and not pending, "outcomes": outcomes,
            "pending_review": pending}


IDS = ["lo1", "lo2"]


def test_status_follows_the_latest_attempt_and_reset_ones_do_not_count() -> None:
    assert progress([], IDS).status == LearnerStatus.NOT_STARTED
    first = A("a1", 1, "submitted", _result([True, True]))
    assert progress([first], IDS).status == LearnerStatus.MASTERED
    second = A("a2", 2, "in_progress")
    now = progress([second, first], IDS)
    assert now.status == LearnerStatus.IN_PROGRESS and now.mastered and now.attempts_used == 2
    assert now.outcomes == {"lo1": OutcomeState.MET, "lo2": OutcomeState.MET}
    reset = A("a1", 1, "reset", _result([True, True]))
    after = progress([reset], IDS)
    assert after.status == LearnerStatus.NOT_STARTED and after.attempts_used == 0 and not after.mastered
    assert after.outcomes == {"lo1": OutcomeState.NO_RESULT, "lo2": OutcomeState.NO_RESULT}
    failed = progress([A("a3", 3, "submitted", _result([True, False]))], IDS + ["lo9"])
    assert failed.status == LearnerStatus.SUBMITTED and failed.resettable == (("a3", 3),)
    assert failed.outcomes == {"lo1": OutcomeState.MET, "lo2": OutcomeState.NOT_MET, "lo9": OutcomeState.NO_RESULT}
    waiting = progress([A("a4", 1, "submitted", _result([True, True], pending=True))], IDS)
    assert waiting.status == LearnerStatus.PENDING_REVIEW and waiting.pending_review and not waiting.mastered
    assert waiting.outcomes["lo1"] == OutcomeState.PENDING_REVIEW


def test_the_grade_policy_picks_the_attempt_the_dashboard_shows() -> None:
    good, weak = A("a1", 1, "submitted", _result([True, False])), A("a2", 2, "submitted", _result([False, False]))
    best = progress([good, weak], IDS)
    assert best.counting_number == 1 and best.outcomes["lo1"] == OutcomeState.MET and best.score == 0.5
    latest = progress([good, weak], IDS, GradePolicy.LATEST)
    assert latest.counting_number == 2 and latest.outcomes["lo1"] == OutcomeState.NOT_MET
    mastered = A("a3", 3, "submitted", _result([True, True]))
    practice = A("a4", 4, "submitted", _result([False, False]), practice=True)
    for policy in GradePolicy:
        shown = progress([good, weak, mastered, practice], IDS, policy)
        assert shown.counting_number == 3 and shown.mastered and shown.attempts_used == 3


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("plain", "plain"), (-1, "-1"), (0.5, "0.5"), (True, "yes"), (None, ""), ("a=b", "a=b"),
])
def test_cells_that_start_like_a_formula_stay_text(value: Any, cell: str) -> None:
    assert safe_cell(value) == cell


def test_csv_is_utf8_with_bom_and_crlf_and_a_safe_filename() -> None:
    data = csv_bytes(["learner", "note"], [["Zoë", 'say "hi"'], ["=x", None]])
    assert data == '\ufefflearner,note\r\nZoë,"say ""hi"""\r\n\'=x,\r\n'.encode()
    assert filename("mastery", 'course "1"/../x', "unit") == "mastery-course-1-x-unit.csv"
