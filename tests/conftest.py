"""Fixtures: the app on SQLite and PostgreSQL, a live tool server, the independent LTI platform."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade

from lti_tool import create_app
from lti_tool.db import Base, db
from lti_tool.settings import PROJECT_ROOT, Settings
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform
from tests.support.catalogue import load_shipped_units
from tests.support.databases import backends, empty_all_tables, fresh_database
from tests.support.live_server import LiveServer, free_port

pytest_plugins = ["tests.lti_platform.fixtures", "tests.lrs_fixtures"]

# The standards data the tests check against (see standards/README.md).
STANDARDS = PROJECT_ROOT / "standards"


@pytest.fixture(scope="session", params=backends())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database per backend for the whole session (migrations run from empty here)."""
    directory = tmp_path_factory.mktemp(f"db-{request.param}")
    for url in fresh_database(request.param, directory):
        app = create_app(_settings(url, directory))
        with app.app_context():
            upgrade(directory=str(PROJECT_ROOT / "migrations"), revision="heads")
            db.engine.dispose()
        yield url


def _settings(url: str, instance: Path, base_url: str = "http://127.0.0.1:5000") -> Settings:
    return Settings(
        DATABASE_URL=url, INSTANCE_PATH=instance, TOOL_BASE_URL=base_url, SECRET_KEY="test-secret-key",
        CONTENT_PATH=PROJECT_ROOT / "content" / "units", testing=True,
    )


def _make_app(database_url: str, tmp_path: Path, base_url: str) -> Iterator[Flask]:
    app = create_app(_settings(database_url, tmp_path / "instance", base_url))
    with app.app_context():
        empty_all_tables(db.engine, Base.metadata)
    yield app
    with app.app_context():
        db.session.remove()
        _wait_for_pooled_connections(db.engine)
        db.engine.dispose()


def _wait_for_pooled_connections(engine: sa.Engine, seconds: float = 10.0) -> None:
    """Wait (bounded) until every pooled connection is back before the pool is disposed of.

    The live server answers on daemon threads, which its shutdown does not wait for (socketserver joins only
    non-daemon threads), so a request a browser sent last may still hold a connection. Disposed of under it, the
    pool was orphaned with that connection in it, open, until the garbage collector met it in some later test:
    psycopg's ResourceWarning, an error there under filterwarnings = error (two CI runs, sessions 5 and 6).
    """
    checked_out = getattr(engine.pool, "checkedout", None)
    deadline = time.monotonic() + seconds
    while checked_out is not None and checked_out() and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on an empty, migrated database."""
    yield from _make_app(database_url, tmp_path, "http://127.0.0.1:5000")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@dataclass
class LiveTool:
    """The tool over HTTP plus helpers to register platforms and load content through its CLI."""

    app: Flask
    server: LiveServer

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def login_url(self) -> str:
        return self.url + "/lti/login"

    @property
    def launch_url(self) -> str:
        return self.url + "/lti/launch"

    def cli(self, *args: str) -> str:
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output

    def register(self, platform: TestPlatform, deployment_id: str | None = None) -> None:
        """Register the platform through the public CLI, as a site admin would."""
        self.cli("platform", "add", "--issuer", platform.issuer, "--client-id", platform.client_id,
                 "--deployment-id", deployment_id or platform.deployment_id,
                 "--auth-login-url", platform.auth_login_url, "--auth-token-url", platform.auth_token_url,
                 "--key-set-url", platform.key_set_url)
        platform.tool_jwks_url = self.url + "/.well-known/jwks.json"

    def load_content(self) -> None:
        load_shipped_units(self.app)

    def target(self, path: str = "/lti/launch") -> str:
        return self.url + path


@pytest.fixture
def live_tool(database_url: str, tmp_path: Path) -> Iterator[LiveTool]:
    """The tool served on a free loopback port, with its content loaded."""
    port = free_port()
    for app in _make_app(database_url, tmp_path, f"http://127.0.0.1:{port}"):
        server = LiveServer(app, port).start()
        tool = LiveTool(app, server)
        tool.load_content()
        try:
            yield tool
        finally:
            server.stop()


@pytest.fixture
def registered(live_tool: LiveTool, platform: TestPlatform) -> tuple[LiveTool, TestPlatform]:
    """The live tool with the independent platform registered."""
    live_tool.register(platform)
    return live_tool, platform


@pytest.fixture
def browser() -> Iterator[requests.Session]:
    """A browser-like HTTP client with its own cookie jar."""
    with requests.Session() as session:
        yield session


LEARNER = PlatformUser(sub="learner-1", name="Lea Learner", email="lea@example.org")
TEACHER = PlatformUser(sub="teacher-1", name="Tom Teacher", email="tom@example.org")
__all__ = ["LEARNER", "TEACHER", "LtiRoles", "LiveTool", "STANDARDS"]
