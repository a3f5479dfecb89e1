"""The launch queues its statement with the launch; the profile, /health and the admin page over HTTP."""

from __future__ import annotations

import json
import re
import time

import requests
import sqlalchemy as sa

from lti_tool.db import db
from lti_tool.launch.models import LaunchSession
from lti_tool.xapi import outbox
from lti_tool.xapi.models import OutboxState, StatementOutbox
from lti_tool.xapi.profile import PROFILE_VERSION, Verb
from tests.conftest import LEARNER, TEACHER, LiveTool
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform

UNIT = "wood-chain-of-custody"
ADMIN = PlatformUser(sub="admin-1", name="Ada Admin", email="ada@example.org")


def launch(tool: LiveTool, platform: TestPlatform, browser: requests.Session, user: PlatformUser,
           roles: list[str], **extra: object) -> requests.Response:
    return platform.launch(browser, login_url=tool.login_url, target_link_uri=tool.launch_url, user=user,
                           roles=roles, custom={"unit": UNIT}, **extra)


def outbox_rows(tool: LiveTool) -> list[tuple[StatementOutbox, dict]]:
    with tool.app.app_context():
        rows = list(db.session.scalars(sa.select(StatementOutbox).order_by(StatementOutbox.id)))
        db.session.remove()
    return [(row, json.loads(row.payload)) for row in rows]


def test_a_learner_launch_queues_launched_with_the_launch(registered: tuple[LiveTool, TestPlatform],
                                                          browser: requests.Session) -> None:
    tool, platform = registered
    assert launch(tool, platform, browser, LEARNER, [LtiRoles.LEARNER]).status_code == 200
    [(row, statement)] = outbox_rows(tool)
    assert row.state == OutboxState.PENDING.value and row.issuer == platform.issuer
    assert statement["actor"] == {"objectType": "Agent", "account": {"homePage": platform.issuer, "name": LEARNER.sub}}
    assert statement["verb"]["id"] == Verb.LAUNCHED.value
    assert statement["object"]["id"] == f"{tool.url}/units/{UNIT}"
    assert LEARNER.name not in row.payload.decode() and LEARNER.email not in row.payload.decode()
    with tool.app.app_context():  # written with the launch session: same transaction, same commit
        session = db.session.scalar(sa.select(LaunchSession))
        assert session is not None and abs((session.created_at - row.created_at).total_seconds()) < 1
        db.session.remove()


def test_refused_and_staff_launches_queue_nothing(registered: tuple[LiveTool, TestPlatform],
                                                  browser: requests.Session) -> None:
    tool, platform = registered
    now = int(time.time())
    refused = launch(tool, platform, browser, LEARNER, [LtiRoles.LEARNER],
                     claims_hook=lambda c: {**c, "iat": now - 600, "exp": now - 300})
    assert refused.status_code >= 400
    assert launch(tool, platform, requests.Session(), TEACHER, [LtiRoles.INSTRUCTOR]).status_code == 200
    assert outbox_rows(tool) == []


def test_profile_is_served_where_its_iri_points(live_tool: LiveTool) -> None:
    response = requests.get(live_tool.url + "/xapi/profile", timeout=5)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/ld+json")
    document = response.json()
    assert document["id"] == live_tool.url + "/xapi/profile"
    version = document["versions"][0]["id"]
    assert version == f"{live_tool.url}/xapi/profile/v{PROFILE_VERSION}"
    assert requests.get(version, timeout=5).json() == document
    for concept in document["concepts"]:  # every IRI the profile defines resolves to its definition
        answer = requests.get(concept["id"], timeout=5)
        assert answer.status_code == 200 and answer.json()["id"] == concept["id"]


def test_health_reports_the_lrs_without_failing_on_it(live_tool: LiveTool) -> None:
    body = requests.get(live_tool.url + "/health", timeout=5)
    assert body.status_code == 200 and body.json()["lrs"] in {"ok", "unreachable"}


def test_admin_page_is_for_administrators_and_requeues_with_csrf(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner, teacher, admin = requests.Session(), requests.Session(), requests.Session()
    launch(tool, platform, learner, LEARNER, [LtiRoles.LEARNER])
    launch(tool, platform, teacher, TEACHER, [LtiRoles.INSTRUCTOR])
    launch(tool, platform, admin, ADMIN, [LtiRoles.ADMIN, LtiRoles.INSTRUCTOR])
    [(row, _)] = outbox_rows(tool)
    with tool.app.app_context():
        db.session.execute(sa.update(StatementOutbox).values(state=OutboxState.DEAD.value,
                                                             last_error="HTTP 422: verb Field required"))
        db.session.commit()
        db.session.remove()
    for who in (learner, teacher):
        assert who.get(tool.url + "/xapi/admin", timeout=5).status_code == 403
    page = admin.get(tool.url + "/xapi/admin", timeout=5)
    assert page.status_code == 200, page.text[:300]
    assert 'data-state="dead"><td>refused (dead letter)</td><td class="num">1</td>' in page.text
    assert "verb Field required" in page.text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    url = tool.url + "/xapi/admin/requeue"
    assert admin.post(url, data={"dead": "1"}, timeout=5).status_code == 403  # no CSRF token
    assert teacher.post(url, data={"dead": "1", "csrf_token": csrf}, timeout=5).status_code == 403
    done = admin.post(url, data={"dead": "1", "csrf_token": csrf}, timeout=5)
    assert done.status_code == 200 and 'data-requeued="1"' in done.text
    with tool.app.app_context():
        assert outbox.backlog(db.session, platform.issuer).counts["pending"] == 1
        db.session.remove()


def test_admin_pages_are_scoped_to_the_launch_tenant(registered: tuple[LiveTool, TestPlatform]) -> None:
    """Issue 11 M6: two registrations on one issuer (a shared cloud LMS) never see or requeue each other's rows."""
    import uuid

    tool, platform = registered
    learner, admin = requests.Session(), requests.Session()
    launch(tool, platform, learner, LEARNER, [LtiRoles.LEARNER])
    [(own, payload)] = outbox_rows(tool)
    extensions = payload["context"]["extensions"]
    assert platform.client_id in extensions.values()  # the statement names its registration
    with tool.app.app_context():
        assert (own.client_id, own.deployment_id) == (platform.client_id, platform.deployment_id)
        for client_id, deployment_id in (("another-client", platform.deployment_id), (platform.client_id, "other")):
            db.session.add(StatementOutbox(statement_id=uuid.uuid4(), issuer=platform.issuer, client_id=client_id,
                                           deployment_id=deployment_id, payload=b"{}", state=OutboxState.DEAD.value,
                                           last_error=f"HTTP 422: foreign {client_id}/{deployment_id}"))
        db.session.execute(sa.update(StatementOutbox).where(StatementOutbox.id == own.id).values(
            state=OutboxState.DEAD.value, last_error="HTTP 422: our own"))
        db.session.commit()
        db.session.remove()
    launch(tool, platform, admin, ADMIN, [LtiRoles.ADMIN, LtiRoles.INSTRUCTOR])
    page = admin.get(tool.url + "/xapi/admin", timeout=5)
    assert "our own" in page.text and "foreign" not in page.text
    assert 'data-state="dead"><td>refused (dead letter)</td><td class="num">1</td>' in page.text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    done = admin.post(tool.url + "/xapi/admin/requeue", data={"dead": "1", "csrf_token": csrf}, timeout=5)
    assert 'data-requeued="1"' in done.text
    with tool.app.app_context():
        states = dict(db.session.execute(sa.select(StatementOutbox.client_id + "/" + StatementOutbox.deployment_id,
                                                   StatementOutbox.state)).all())
        db.session.remove()
    assert states[f"{platform.client_id}/{platform.deployment_id}"] == OutboxState.PENDING.value
    assert states[f"another-client/{platform.deployment_id}"] == OutboxState.DEAD.value
    assert states[f"{platform.client_id}/other"] == OutboxState.DEAD.value
