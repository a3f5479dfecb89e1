"""The separate issuer: a second tool instance with its own database issues from the real Ralph LRS alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from lti_tool import create_app
from lti_tool.credentials.models import Credential
from lti_tool.db import db
from lti_tool.launch.models import User
from lti_tool.settings import PROJECT_ROOT
from tests.conftest import LEARNER, LiveTool, _settings
from tests.integration.assessment.helpers import launch_learner
from tests.integration.assessment.test_gradebook import UNIT, _answer
from tests.integration.assessment.test_learning_record import _point_at
from tests.lrs_fixtures import RalphLrs
from tests.lti_platform import PlatformUser, TestPlatform
from tests.support.databases import fresh_database

ISSUER_BASE = "http://127.0.0.1:5999"  # the separate issuer's own address: its credentials live there
FAILING = PlatformUser(sub="learner-2", name="Fay Failing", email="fay@example.org")


@pytest.fixture
def issuer_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A second MASTERY instance on a fresh database of the same kind, with the catalogue and no learners."""
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    directory = tmp_path / "issuer"
    directory.mkdir()
    for url in fresh_database(kind, directory):
        app = create_app(_settings(url, directory / "instance", ISSUER_BASE))
        with app.app_context():
            upgrade(directory=str(PROJECT_ROOT / "migrations"), revision="heads")
        loaded = app.test_cli_runner().invoke(args=["content", "load"])
        assert loaded.exit_code == 0, loaded.output
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _issue(app: Flask, lrs: RalphLrs, tool: LiveTool, *extra: str) -> str:
    result = app.test_cli_runner().invoke(args=[
        "credentials", "issue-from-lrs", "--lrs", lrs.url, "--username", lrs.username, "--password", lrs.password,
        "--tool-url", tool.url, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def _rows(app: Flask) -> tuple[list[tuple[str, str, str, dict]], list[tuple[str, str, str, str]]]:
    """(credential id, learner sub, unit slug, document) and (issuer, sub, name, email) of every row."""
    with app.app_context():
        credentials = [(c.id, c.user.sub, c.unit.slug, c.document) for c in db.session.scalars(sa.select(Credential))]
        users = [(u.issuer, u.sub, u.name, u.email) for u in db.session.scalars(sa.select(User))]
        db.session.rollback()
        return credentials, users


def test_issuer_reads_the_lrs_and_issues_once(registered: tuple[LiveTool, TestPlatform], ralph_lrs: RalphLrs,
                                              issuer_app: Flask) -> None:
    tool, platform = registered
    _point_at(tool, ralph_lrs)
    started = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    _answer(learner, attempt, right_first=len(attempt["items"]))
    assert learner.api("POST", f"/api/attempts/{attempt['id']}/submit").json()["mastered"] is True
    failing = launch_learner(tool, platform, UNIT, FAILING)
    other = failing.api("POST", "/api/attempts", {"unit": UNIT}).json()
    _answer(failing, other, right_first=1)
    assert failing.api("POST", f"/api/attempts/{other['id']}/submit").json()["mastered"] is False
    tool.cli("xapi", "deliver", "--once")
    since = ["--since", started.isoformat()]

    dry = _issue(issuer_app, ralph_lrs, tool, "--dry-run", *since)
    assert "would issue 1, already held 0" in dry
    assert f"learner {platform.issuer} {LEARNER.sub}  (attempt {attempt['id']})" in dry
    assert FAILING.sub not in dry
    assert _rows(issuer_app) == ([], [])  # a dry run writes nothing, not even the learner

    first = _issue(issuer_app, ralph_lrs, tool, *since)
    assert "issued 1, already held 0" in first
    [(credential_id, sub, slug, document)], users = _rows(issuer_app)
    assert users == [(platform.issuer, LEARNER.sub, "", "")]  # created from the statement's actor alone
    assert (sub, slug) == (LEARNER.sub, UNIT)
    assert document["id"] == f"{ISSUER_BASE}/credentials/{credential_id}"
    assert f"issued       {document['id']}" in first

    # Again, and over the whole LRS (earlier tests' statements too): nothing new for this tool's learners.
    again = _issue(issuer_app, ralph_lrs, tool)
    assert "issued 0, already held 1" in again
    assert f"already held {document['id']}" in again
    assert [row[0] for row in _rows(issuer_app)[0]] == [credential_id]

    verified = issuer_app.test_client().post("/api/verify", json=document).get_json()
    assert verified["ok"] is True, verified["checks"]
    assert {c["name"] for c in verified["checks"] if c["ok"]} >= {"status"}


def test_operator_errors_are_sentences(issuer_app: Flask, ralph_lrs: RalphLrs) -> None:
    def run(*args: str) -> str:
        result = issuer_app.test_cli_runner().invoke(args=["credentials", "issue-from-lrs", *args])
        assert result.exit_code != 0
        return result.output

    good = ["--username", ralph_lrs.username, "--password", ralph_lrs.password]
    assert "is not an http(s) URL" in run("--lrs", "ftp://nowhere", *good)
    assert "not an ISO 8601" in run("--lrs", ralph_lrs.url, "--since", "last tuesday", *good)
    assert "refused the credentials (HTTP 401)" in run("--lrs", ralph_lrs.url, "--username", "x", "--password", "y")
    closed = f"http://127.0.0.1:{_closed_port()}/xAPI/"
    assert "is unreachable" in run("--lrs", closed, *good)
    assert _rows(issuer_app) == ([], [])


def _closed_port() -> int:
    from tests.support.live_server import free_port

    return free_port()  # nothing listens there once the probe socket is closed
