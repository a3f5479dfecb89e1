"""Typed values of the service clients: scores, the AGS claim, NRPS members (no DB, no HTTP)."""

from __future__ import annotations

import math

import pytest

from lti_tool.errors import ValidationFailed
from lti_tool.launch.claims import Role
from lti_tool.lms.ags import AgsEndpoint, LineItemSpec
from lti_tool.lms.grade_sync import Score
from lti_tool.lms.nrps import Member
from lti_tool.lms.spec import ActivityProgress, GradingProgress, MemberStatus, Scope


def test_score_body_has_the_ags_field_names() -> None:
    body = Score(ActivityProgress.SUBMITTED, GradingProgress.PENDING_MANUAL, 3.5, 10, "waits for review").body()
    assert body == {"activityProgress": "Submitted", "gradingProgress": "PendingManual", "scoreGiven": 3.5,
                    "scoreMaximum": 10, "comment": "waits for review"}
    assert Score(ActivityProgress.STARTED, GradingProgress.NOT_READY).body() == {
        "activityProgress": "Started", "gradingProgress": "NotReady"}


@pytest.mark.parametrize(("given", "maximum"), [(1, None), (1, 0), (-1, 10), (math.nan, 10), (1, math.inf)])
def test_score_body_refuses_impossible_scores(given: float, maximum: float | None) -> None:
    with pytest.raises(ValidationFailed):
        Score(ActivityProgress.COMPLETED, GradingProgress.FULLY_GRADED, given, maximum).body()


def test_ags_claim_is_read_and_scopes_narrowed_to_what_the_tool_needs() -> None:
    endpoint = AgsEndpoint.from_claim({"lineitems": "https://l/x?type_id=1", "lineitem": "https://l/x/1?type_id=1",
                                       "scope": [str(s) for s in Scope if s != Scope.NRPS_READONLY]})
    assert endpoint is not None and endpoint.lineitem == "https://l/x/1?type_id=1"
    # result.readonly too: a retry after a timeout reads the learner's result before posting again.
    assert endpoint.token_scopes() == {Scope.LINEITEM, Scope.LINEITEM_READONLY, Scope.SCORE, Scope.RESULT_READONLY}
    assert AgsEndpoint.from_claim({"lineitem": "https://l/1"}).token_scopes() == {Scope.SCORE}  # type: ignore[union-attr]
    assert AgsEndpoint.from_claim({"scope": []}) is None
    assert AgsEndpoint.from_claim(None) is None


def test_line_item_body() -> None:
    assert LineItemSpec("rl-1", "Unit", 100, "wood").body() == {
        "label": "Unit", "scoreMaximum": 100, "resourceLinkId": "rl-1", "tag": "mastery", "resourceId": "wood"}


def test_member_from_platform_json() -> None:
    member = Member.from_json({"user_id": 42, "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
                               "name": "Ana", "email": "ana@example.org"})
    assert member is not None and member.user_id == "42" and member.status == MemberStatus.ACTIVE
    assert member.is_learner and member.tool_roles == {Role.LEARNER}
    assert Member.from_json(member.to_json()) == member
    assert Member.from_json({"user_id": "x", "status": "Weird"}).status == MemberStatus.INACTIVE  # type: ignore[union-attr]
    assert Member.from_json({"name": "no id"}) is None
