"""The tool's AGS and NRPS clients against the independent platform: tokens, scores, the outbox, the roster."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from lti_tool.db import db, utcnow
from lti_tool.launch.models import Context, LaunchSession, Platform, User
from lti_tool.lms.client import ServicesClient
from lti_tool.lms.grade_sync import Score, deliver_pending_scores, enqueue_score
from lti_tool.lms.models import GradeSync, RosterCache, ServiceToken, SyncState
from lti_tool.lms.roster import get_roster
from lti_tool.lms.spec import ActivityProgress, GradingProgress, MemberStatus, Scope
from tests.conftest import LEARNER, LiveTool
from tests.lti_platform import Claim, LtiRoles, TestPlatform

UNIT = "wood-chain-of-custody"
SCORES_PATH = r"/ags/[^/]+/lineitems/\d+/lineitem/scores"
FINAL = Score(ActivityProgress.COMPLETED, GradingProgress.FULLY_GRADED, 8, 10, "3 of 4 outcomes met")


@pytest.fixture
def services() -> Iterator[ServicesClient]:
    with ServicesClient(timeout_seconds=1.0) as client:
        yield client


def launch(tool: LiveTool, platform: TestPlatform, browser: requests.Session,
           hook: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> None:
    response = platform.launch(browser, login_url=tool.login_url, target_link_uri=tool.launch_url, user=LEARNER,
                               roles=[LtiRoles.LEARNER], custom={"unit": UNIT}, claims_hook=hook)
    assert response.status_code == 200, response.text[:300]


@pytest.fixture
def launched(registered: tuple[LiveTool, TestPlatform], browser: requests.Session) -> tuple[LiveTool, TestPlatform]:
    tool, platform = registered
    launch(tool, platform, browser)
    return tool, platform


def learner_launch() -> LaunchSession:
    found = db.session.scalar(sa.select(LaunchSession).join(User).where(User.sub == LEARNER.sub)
                              .order_by(LaunchSession.created_at.desc()))
    assert found is not None
    return found


def queue(event: str, score: Score = FINAL) -> GradeSync:
    row = enqueue_score(db.session, learner_launch(), score, event_id=event)
    assert row is not None
    db.session.commit()
    return row


def test_launched_learners_score_arrives_with_the_right_fields(launched: tuple[LiveTool, TestPlatform],
                                                               services: ServicesClient) -> None:
    tool, platform = launched
    platform.faults.add(SCORES_PATH, status=0)  # answer normally, but record the raw request target
    with tool.app.app_context():
        row = queue("attempt:1")
        before = utcnow()
        report = deliver_pending_scores(db.session, services, limit=10)
        assert report.delivered == [row.id]
        row = db.session.get(GradeSync, row.id)
        assert row.state == SyncState.SENT and row.tries == 1 and row.last_error is None
        assert row.lineitem_url == learner_launch().claims[Claim.AGS_ENDPOINT]["lineitem"]
    [score] = platform.scores
    assert score["userId"] == LEARNER.sub
    assert (score["scoreGiven"], score["scoreMaximum"]) == (8, 10)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    assert score["comment"] == "3 of 4 outcomes met"
    stamp = dt.datetime.fromisoformat(score["timestamp"])
    assert stamp.tzinfo is not None and stamp >= before - dt.timedelta(seconds=1)
    # Moodle's line item URL carries ?type_id=1: /scores went into the path and the query stayed.
    [(method, target, _)] = platform.faults.hits
    assert method == "POST" and target.endswith("/lineitem/scores?type_id=1")


def test_enqueue_twice_for_one_event_keeps_one_row(launched: tuple[LiveTool, TestPlatform]) -> None:
    tool, _ = launched
    with tool.app.app_context():
        first, second = queue("attempt:7"), queue("attempt:7")
        assert first.id == second.id
        assert db.session.scalar(sa.select(sa.func.count()).select_from(GradeSync)) == 1


def test_token_is_reused_across_calls_and_workers_and_refetched_after_expiry(
        launched: tuple[LiveTool, TestPlatform], services: ServicesClient) -> None:
    tool, platform = launched
    with tool.app.app_context():
        queue("attempt:1")
        deliver_pending_scores(db.session, services)
        queue("attempt:2")
        with ServicesClient(timeout_seconds=1.0) as other_worker:  # another process: same DB cache
            deliver_pending_scores(db.session, other_worker)
            assert other_worker.token_fetches == 0
        assert len(platform.oauth.token_requests) == 1
        platform.oauth.expire_access_tokens()  # the platform revokes: the next call gets a 401
        queue("attempt:3")
        report = deliver_pending_scores(db.session, services)
        assert len(report.delivered) == 1
        assert len(platform.oauth.token_requests) == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceToken)) == 1
    assert [s["userId"] for s in platform.scores] == [LEARNER.sub] * 3
    stamps = [dt.datetime.fromisoformat(s["timestamp"]) for s in platform.scores]
    # Moodle compares whole seconds and refuses a timestamp that is not newer: each one is in a later second.
    seconds = [int(stamp.timestamp()) for stamp in stamps]
    assert seconds == sorted(set(seconds))


def test_token_cache_honours_expires_in(launched: tuple[LiveTool, TestPlatform], services: ServicesClient) -> None:
    tool, platform = launched
    platform.oauth.token_lifetime = 1
    with tool.app.app_context():
        queue("attempt:1")
        deliver_pending_scores(db.session, services)
        time.sleep(1.1)
        queue("attempt:2")
        deliver_pending_scores(db.session, services)
    # Refetched because the cached token had expired, not because the platform answered 401.
    assert len(platform.oauth.token_requests) == 2
    assert len(platform.scores) == 2


def test_a_500_stays_pending_and_is_delivered_on_the_next_run(launched: tuple[LiveTool, TestPlatform],
                                                              services: ServicesClient) -> None:
    tool, platform = launched
    platform.faults.add(SCORES_PATH, status=500, body={"message": "grade database is down"})
    with tool.app.app_context():
        row = queue("attempt:1")
        now = utcnow()
        report = deliver_pending_scores(db.session, services, now=now)
        assert report.retrying == [row.id] and platform.scores == []
        row = db.session.get(GradeSync, row.id)
        assert row.state == SyncState.PENDING and row.tries == 1 and row.last_status == 500
        assert "HTTP 500" in row.last_error and "grade database is down" in row.last_error
        assert now + dt.timedelta(seconds=14) <= row.next_try_at <= now + dt.timedelta(seconds=31)
        assert deliver_pending_scores(db.session, services, now=now).handled == 0  # not due yet
        report = deliver_pending_scores(db.session, services, now=row.next_try_at)
        assert report.delivered == [row.id]
        assert db.session.get(GradeSync, row.id).tries == 2
    assert len(platform.scores) == 1


def test_a_retry_after_a_timeout_reads_the_result_and_does_not_post_twice(
        launched: tuple[LiveTool, TestPlatform], services: ServicesClient) -> None:
    tool, platform = launched
    # The platform stores the score but answers after the client gave up (a lost answer).
    platform.faults.add(SCORES_PATH, status=0, delay=1.6)
    platform.faults.add(r"/ags/[^/]+/lineitems/\d+/lineitem/results", status=0)  # record the results reads
    with tool.app.app_context():
        row = queue("attempt:1")
        report = deliver_pending_scores(db.session, services)
        assert report.retrying == [row.id]
        assert "did not answer within 1 s" in db.session.get(GradeSync, row.id).last_error
        time.sleep(0.8)  # the platform finishes storing the first post
        report = deliver_pending_scores(db.session, services, now=utcnow() + dt.timedelta(hours=1))
        assert report.delivered == [row.id]
        row = db.session.get(GradeSync, row.id)
        assert "already holds this score" in (row.platform_answer or "")
    # Exactly once at the LMS: the retry read the result (AGS results service) and did not post again.
    assert len(platform.scores) == 1
    [(method, target, _)] = [hit for hit in platform.faults.hits if "/results" in hit[1]]
    assert method == "GET" and f"user_id={LEARNER.sub}" in target and target.count("type_id=1") == 1


def test_a_retry_after_a_timeout_posts_when_the_lms_did_not_keep_the_score(
        launched: tuple[LiveTool, TestPlatform], services: ServicesClient) -> None:
    tool, platform = launched
    platform.faults.add(r"/token", status=0, delay=1.6)  # the token call times out: nothing posted
    with tool.app.app_context():
        row = queue("attempt:1")
        deliver_pending_scores(db.session, services)
        time.sleep(0.8)
        report = deliver_pending_scores(db.session, services, now=utcnow() + dt.timedelta(hours=1))
        assert report.delivered == [row.id]
        assert db.session.get(GradeSync, row.id).platform_answer == "HTTP 200"
    assert len(platform.scores) == 1


def test_without_result_readonly_a_retry_posts_again(launched: tuple[LiveTool, TestPlatform],
                                                     services: ServicesClient) -> None:
    tool, platform = launched
    platform.oauth.allowed_scopes -= {str(Scope.RESULT_READONLY)}
    platform.faults.add(SCORES_PATH, status=0, delay=1.6)
    with tool.app.app_context():
        row = queue("attempt:1")
        deliver_pending_scores(db.session, services)
        time.sleep(0.8)
        report = deliver_pending_scores(db.session, services, now=utcnow() + dt.timedelta(hours=1))
        assert report.delivered == [row.id]
    # The resend carries a newer timestamp, so a Moodle-like platform takes it rather than refusing it.
    assert len(platform.scores) == 2


def test_permanent_refusals_fail_with_the_platforms_reason(launched: tuple[LiveTool, TestPlatform],
                                                           services: ServicesClient) -> None:
    tool, platform = launched
    platform.faults.add(SCORES_PATH, status=400)  # Moodle: user cannot be graded, empty body
    with tool.app.app_context():
        moodle_like = queue("attempt:1")
        report = deliver_pending_scores(db.session, services)
        assert report.failed == [moodle_like.id]
        row = db.session.get(GradeSync, moodle_like.id)
        assert row.state == SyncState.FAILED and row.last_status == 400
        assert "cannot be graded" in row.last_error
        platform.members = [{"user_id": "someone-else", "status": "Active", "roles": [LtiRoles.LEARNER]}]
        refused = queue("attempt:2")
        report = deliver_pending_scores(db.session, services)
        assert report.failed == [refused.id]
        assert "is not a member of the context" in db.session.get(GradeSync, refused.id).last_error
        assert deliver_pending_scores(db.session, services, now=utcnow() + dt.timedelta(days=1)).handled == 0
    listing = tool.cli("grades", "list")
    assert "failed" in listing and "is not a member of the context" in listing and "attempt:2" in listing
    assert "lms=HTTP 400" in listing and "progress=Completed/FullyGraded" in listing
    assert platform.scores == []


def test_cli_delivers_once_and_requeues_failed(launched: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = launched
    platform.faults.add(SCORES_PATH, status=403, body={"message": "Refusing score"})
    with tool.app.app_context():
        queue("attempt:1")
    assert "failed 1" in tool.cli("grades", "deliver", "--once")
    assert "1 failed score(s) queued again" in tool.cli("grades", "retry")
    assert "sent 1" in tool.cli("grades", "deliver", "--once")
    assert len(platform.scores) == 1
    assert "No grade sync" in tool.cli("grades", "list")


def test_an_older_score_not_yet_sent_is_superseded(launched: tuple[LiveTool, TestPlatform],
                                                   services: ServicesClient) -> None:
    tool, platform = launched
    with tool.app.app_context():
        old = queue("attempt:1", Score(ActivityProgress.SUBMITTED, GradingProgress.PENDING_MANUAL, 5, 10))
        new = queue("attempt:1:review:1")
        report = deliver_pending_scores(db.session, services)
        assert report.superseded == [old.id] and report.delivered == [new.id]
    [score] = platform.scores
    assert score["gradingProgress"] == "FullyGraded"


def _without_lineitem(claims: dict[str, Any]) -> dict[str, Any]:
    claims[Claim.AGS_ENDPOINT].pop("lineitem")
    return claims


@pytest.mark.parametrize("granted", [{Scope.SCORE}, {Scope.SCORE, Scope.LINEITEM_READONLY}])
def test_a_platform_granting_some_scopes_still_gets_the_score(registered: tuple[LiveTool, TestPlatform],
                                                             browser: requests.Session, services: ServicesClient,
                                                             granted: set[str]) -> None:
    tool, platform = registered
    platform.oauth.allowed_scopes = set(granted)
    # Without the lineitem claim the tool must find the column itself when it may read the container.
    launch(tool, platform, browser, hook=None if granted == {Scope.SCORE} else _without_lineitem)
    with tool.app.app_context():
        row = queue("attempt:1")
        assert deliver_pending_scores(db.session, services).delivered == [row.id]
        token = db.session.scalar(sa.select(ServiceToken))
        assert set(token.granted_scopes) == {str(s) for s in granted}
    [score] = platform.scores
    assert score["lineitem_number"] == 1  # the resource link's own column


def test_line_item_is_created_when_missing_and_allowed(registered: tuple[LiveTool, TestPlatform],
                                                       browser: requests.Session, services: ServicesClient) -> None:
    tool, platform = registered
    launch(tool, platform, browser, hook=_without_lineitem)
    platform.ags.lineitems.clear()  # the platform made no column for this link
    with tool.app.app_context():
        row = queue("attempt:1")
        assert deliver_pending_scores(db.session, services).delivered == [row.id]
        link = learner_launch().resource_link
        assert link.ags_lineitem_url and link.ags_lineitem_url.endswith("?type_id=1")
    [item] = platform.ags.lineitems.values()
    assert item["resourceLinkId"] == "rl-1" and item["resourceId"] == UNIT and item["scoreMaximum"] == 10
    assert platform.scores[0]["lineitem"] == link.ags_lineitem_url


def test_only_lineitem_readonly_granted_fails_with_a_clear_reason(registered: tuple[LiveTool, TestPlatform],
                                                                  browser: requests.Session,
                                                                  services: ServicesClient) -> None:
    tool, platform = registered
    platform.oauth.allowed_scopes = {str(Scope.LINEITEM_READONLY)}
    launch(tool, platform, browser)
    with tool.app.app_context():
        row = queue("attempt:1")
        assert deliver_pending_scores(db.session, services).failed == [row.id]
        assert "score scope" in db.session.get(GradeSync, row.id).last_error
    assert platform.scores == []


def test_two_registrations_under_one_issuer_never_share_a_token(registered: tuple[LiveTool, TestPlatform],
                                                                services: ServicesClient) -> None:
    tool, platform = registered
    platform.oauth.client_ids.add("second-client")
    tool.cli("platform", "add", "--issuer", platform.issuer, "--client-id", "second-client",
             "--deployment-id", "deployment-2", "--auth-login-url", platform.auth_login_url,
             "--auth-token-url", platform.auth_token_url, "--key-set-url", platform.key_set_url)
    with tool.app.app_context():
        registrations = list(db.session.scalars(sa.select(Platform).where(Platform.issuer == platform.issuer)))
        assert len(registrations) == 2
        scopes = {str(Scope.SCORE)}
        tokens = {p.client_id: services.token(db.session, p, scopes).value for p in registrations}
        again = {p.client_id: services.token(db.session, p, scopes).value for p in registrations}
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceToken)) == 2
    assert tokens == again and len(set(tokens.values())) == 2
    for client_id, value in tokens.items():
        assert platform.oauth.access_tokens[value].client_id == client_id
    assert len(platform.oauth.token_requests) == 2


def _members(count: int) -> list[dict[str, Any]]:
    return [{"user_id": f"u{n:03d}", "status": "Inactive" if n % 50 == 0 else "Active",
             "name": f"Learner {n}", "email": f"u{n}@example.org",
             "roles": [LtiRoles.INSTRUCTOR if n == 0 else LtiRoles.LEARNER]} for n in range(count)]


def test_roster_of_250_members_over_3_pages_is_cached_and_refreshable(launched: tuple[LiveTool, TestPlatform],
                                                                      services: ServicesClient) -> None:
    tool, platform = launched
    platform.members = _members(250)
    with tool.app.app_context():
        context = db.session.scalar(sa.select(Context))
        roster = get_roster(db.session, services, context)
        db.session.commit()
        assert not roster.from_cache and len(roster.members) == 250
        assert [r.get("page", "1") for r in platform.nrps.requests] == ["1", "2", "3"]
        assert all(r["limit"] == "100" for r in platform.nrps.requests)
        first = roster.members[1]
        assert (first.user_id, first.name, first.email, first.status) == ("u001", "Learner 1", "u1@example.org",
                                                                           MemberStatus.ACTIVE)
        assert first.is_learner and not roster.members[0].is_learner
        assert roster.members[50].status == MemberStatus.INACTIVE
        assert len(roster.learners()) == 249

        cached = get_roster(db.session, services, context)
        assert cached.from_cache and len(cached.members) == 250 and len(platform.nrps.requests) == 3

        platform.members = _members(251)
        fresh = get_roster(db.session, services, context, refresh=True)
        db.session.commit()
        assert not fresh.from_cache and len(fresh.members) == 251 and len(platform.nrps.requests) == 6
        expired = get_roster(db.session, services, context, now=utcnow() + dt.timedelta(minutes=6))
        assert not expired.from_cache and len(platform.nrps.requests) == 9
        db.session.commit()

        platform.faults.add(r"/nrps/.*", status=503)
        stale = get_roster(db.session, services, context, refresh=True)
        assert stale.stale and len(stale.members) == 251 and "HTTP 503" in (stale.error or "")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RosterCache)) == 1


def test_a_registration_allowed_no_ags_scope_fails_for_good(launched: tuple[LiveTool, TestPlatform],
                                                            services: ServicesClient) -> None:
    tool, platform = launched
    platform.oauth.allowed_scopes = set()  # the token endpoint answers invalid_scope, even for score alone
    with tool.app.app_context():
        row = queue("attempt:1")
        assert deliver_pending_scores(db.session, services).failed == [row.id]
        assert "invalid_scope" in platform.oauth.token_errors[-1]["error"]
        assert "HTTP 400" in db.session.get(GradeSync, row.id).last_error
    assert len(platform.oauth.token_requests) == 2  # the set the claim offers, then score alone


def test_a_token_refused_for_the_tools_key_is_retried_later(launched: tuple[LiveTool, TestPlatform],
                                                           services: ServicesClient) -> None:
    tool, platform = launched
    jwks_url, platform.tool_jwks_url = platform.tool_jwks_url, None  # the LMS does not know our keys yet
    with tool.app.app_context():
        row = queue("attempt:1")
        assert deliver_pending_scores(db.session, services).retrying == [row.id]
        assert "HTTP 401" in db.session.get(GradeSync, row.id).last_error
        platform.tool_jwks_url = jwks_url  # the admin fixed the registration
        assert deliver_pending_scores(db.session, services, now=utcnow() + dt.timedelta(hours=1)).delivered == [row.id]
    assert len(platform.scores) == 1


def test_the_app_keeps_one_client_per_process(app: Any) -> None:
    from lti_tool.lms.extension import close_services_client, services_client

    first = services_client(app)
    assert services_client(app) is first and first.timeout_seconds == 5.0
    close_services_client(app)
    assert services_client(app) is not first
    close_services_client(app)
