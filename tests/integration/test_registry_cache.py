"""Registrations cached per process (lti_tool.launch.registry_cache): a warm worker stops reading platform and
deployment rows per launch, yet sees every registration change made by another process at its next request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import requests
import sqlalchemy as sa
from flask import Flask, has_request_context

from lti_tool import create_app
from lti_tool.db import db
from lti_tool.launch.models import LaunchSession, LoginState
from lti_tool.runtime import current_settings
from tests.conftest import LEARNER, LiveTool
from tests.landing import landing_url
from tests.lti_platform import LtiRoles, TestPlatform

UNIT = "wood-chain-of-custody"


@contextmanager
def other_process(tool: LiveTool) -> Iterator[Flask]:
    """A second app on the same database, as an admin's CLI in another process (its own caches)."""
    app = create_app(current_settings(tool.app))
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def admin(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def launch(tool: LiveTool, platform: TestPlatform, browser: requests.Session, **kwargs: object) -> requests.Response:
    return platform.launch(browser, login_url=tool.login_url, target_link_uri=tool.launch_url, user=LEARNER,
                           roles=[LtiRoles.LEARNER], custom={"unit": UNIT}, **kwargs)


def test_a_warm_worker_reads_no_registration_rows_per_launch(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    with requests.Session() as browser:
        assert launch(tool, platform, browser).status_code == 200  # warms the cache
        seen: list[str] = []

        def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            if has_request_context():  # the launch's requests, not a background thread of the live tool
                seen.append(" ".join(statement.split()).lower())

        with tool.app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            page = launch(tool, platform, browser)
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
    assert page.status_code == 200, page.text[:300]
    tables = " ".join(seen)
    assert "from platform" not in tables and "from deployment" not in tables, seen
    assert sum("registry_generation" in s for s in seen) == 2  # one per request: login, launch (with its page)
    # The login's and the launch's generation rides on their first write (RETURNING), never a read of its own.
    assert not any(s.startswith("select registry_generation.value from") for s in seen), seen
    # The whole warm launch's budget, as bench/launch.py counts it (rate limits off there): login 1, the launch 2
    # on PostgreSQL (the login state's DELETE with the user's upsert and the course and placement read; the
    # session, the "launched" statement and the learner record), 6 on SQLite (those one after another), and its
    # landing page 1 (the pinned unit, the attempts, the questionnaire's check); the page's own session read went
    # with its request (the launch answers with the page).
    # Not counted: rate limits, and the sweep of expired sessions one launch in 64 runs (launch.services).
    work = [s for s in seen if "rate_limit_window" not in s and not s.startswith("delete from launch_session")]
    with tool.app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    assert len(work) <= (4 if postgresql else 8), "\n".join(s[:90] for s in work)
    if postgresql:  # the login state is consumed by the statement that upserts the user, and only there
        taking = [s for s in seen if "delete from login_state" in s]
        assert len(taking) == 1 and "insert into lti_user" in taking[0], seen


def test_a_session_is_found_in_a_database_with_no_registry_generation_row(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    # A database whose registrations were never changed through the tool since the generation table came (rows
    # written by hand, or a restore) has no generation row; the session must still be found (the one-statement
    # read selects from that row).
    tool, platform = registered
    with requests.Session() as browser:
        assert launch(tool, platform, browser).status_code == 200
        with tool.app.app_context():
            db.session.execute(sa.text("DELETE FROM registry_generation"))
            db.session.commit()
        page = browser.get(f"{tool.url}/api/me")
    assert page.status_code == 200, page.text[:300]
    assert page.json()["user"]["sub"] == LEARNER.sub


def test_a_disabled_deployment_is_refused_at_the_next_request_in_a_warm_worker(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    with requests.Session() as browser, other_process(tool) as cli:
        page = launch(tool, platform, browser)
        assert page.status_code == 200
        admin(cli, "platform", "remove", "--issuer", platform.issuer, "--deployment-id", platform.deployment_id)
        assert browser.get(landing_url(page), timeout=10).status_code == 401  # the open session is closed at once
        refused = launch(tool, platform, browser)
        assert refused.status_code == 400 and 'data-error-code="platform_disabled"' in refused.text
        admin(cli, "platform", "enable", "--issuer", platform.issuer, "--deployment-id", platform.deployment_id)
        assert launch(tool, platform, browser).status_code == 200


def test_a_changed_key_set_url_is_used_at_the_next_launch(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    with requests.Session() as browser, other_process(tool) as cli:
        assert launch(tool, platform, browser).status_code == 200
        with TestPlatform().start() as elsewhere:  # another platform: it publishes other keys
            admin(cli, "platform", "update", "--issuer", platform.issuer, "--key-set-url", elsewhere.key_set_url)
            refused = launch(tool, platform, browser)
            assert refused.status_code in {400, 401}, refused.text[:300]
            assert 'data-error-code="unknown_kid"' in refused.text
        admin(cli, "platform", "update", "--issuer", platform.issuer, "--key-set-url", platform.key_set_url)
        assert launch(tool, platform, browser).status_code == 200


def test_a_purged_registration_is_unknown_at_the_next_launch(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    with requests.Session() as browser, other_process(tool) as cli:
        assert launch(tool, platform, browser).status_code == 200
        admin(cli, "platform", "remove", "--issuer", platform.issuer, "--purge", "--yes")
        refused = launch(tool, platform, browser)
        assert refused.status_code >= 400 and refused.status_code < 500, refused.text[:300]
        assert "platform_disabled" not in refused.text
        tool.register(platform)  # registered again: new rows, new ids
        assert launch(tool, platform, browser).status_code == 200


def _statements(tool: LiveTool) -> tuple[list[str], Callable[[], None]]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if has_request_context():  # the requests', not a background thread's of the live tool
            seen.append(" ".join(statement.split()).lower())

    with tool.app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    return seen, lambda: sa.event.remove(engine, "before_cursor_execute", record)


def test_a_registry_change_under_a_warm_login_runs_it_again_with_the_fresh_registry(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    # The warm login inserts its state on the cached registrations and reads the generation back from that INSERT:
    # once another process changed a registration (here a name: the launch still works), the INSERT is rolled
    # back and the login runs again on the registrations read afresh.
    tool, platform = registered
    with requests.Session() as browser, other_process(tool) as cli:
        assert launch(tool, platform, browser).status_code == 200
        admin(cli, "platform", "update", "--issuer", platform.issuer, "--name", "Renamed elsewhere")
        seen, stop = _statements(tool)
        try:
            page = launch(tool, platform, browser)
        finally:
            stop()
    assert page.status_code == 200, page.text[:300]
    inserts = [s for s in seen if s.startswith("insert into login_state")]
    assert len(inserts) == 2 and "registry_generation" in inserts[0] and "registry_generation" not in inserts[1]
    assert sum(s.startswith("select platform.") for s in seen) == 1  # the registrations read once, by the rerun
    with tool.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginState)) == 0  # nothing left behind


def test_a_deployment_disabled_between_login_and_launch_is_refused_by_the_launch(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    # The login ran on the enabled registration; the deployment is disabled while the browser is at the platform.
    # The launch validates on the cached (enabled) snapshot, its DELETE of the login state returns the moved
    # generation, and the launch runs again on the fresh registrations: refused, no session opened.
    tool, platform = registered
    with requests.Session() as browser, other_process(tool) as cli:
        assert launch(tool, platform, browser).status_code == 200
        with tool.app.app_context():
            sessions = db.session.scalar(sa.select(sa.func.count()).select_from(LaunchSession))

        def disable(claims: dict[str, object]) -> None:
            admin(cli, "platform", "remove", "--issuer", platform.issuer, "--deployment-id", platform.deployment_id)

        refused = launch(tool, platform, browser, claims_hook=disable)
        assert refused.status_code == 400 and 'data-error-code="platform_disabled"' in refused.text
        with tool.app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(LaunchSession)) == sessions
        admin(cli, "platform", "enable", "--issuer", platform.issuer, "--deployment-id", platform.deployment_id)
        assert launch(tool, platform, browser).status_code == 200


def test_a_platform_disabled_before_a_warm_login_is_refused_by_the_login(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    with requests.Session() as browser, other_process(tool) as cli:
        assert launch(tool, platform, browser).status_code == 200
        admin(cli, "platform", "remove", "--issuer", platform.issuer)
        refused = launch(tool, platform, browser)
        assert refused.status_code == 400 and 'data-error-code="platform_disabled"' in refused.text
        assert refused.url.startswith(tool.login_url)  # refused by the login, before the platform
        admin(cli, "platform", "enable", "--issuer", platform.issuer)
        assert launch(tool, platform, browser).status_code == 200  # the refusal's snapshot is stale: run again
