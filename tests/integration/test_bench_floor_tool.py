"""bench/floor_tool.py does the work it claims (issue 16's yardstick): a launch validated by pylti1p3next takes the
login's state and nonce once, writes the learner, course, placement, session and queued statement, and answers a
page; a replayed launch or a token with another nonce is refused and writes nothing. Otherwise its figure in
bench/launch.py would be a floor for less work than ours does."""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient

from lti_tool.db import db
from tests.conftest import PROJECT_ROOT
from tests.lti_platform import Claim, LtiRoles, TestPlatform

WRITTEN = ("floor_outbox", "floor_session", "floor_placement", "floor_course", "floor_user")


@pytest.fixture
def floor_database(app: Flask) -> Iterator[str]:
    """A schema of its own in the test database (the tool's migrations check must not see the floor's tables)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the floor tool runs on PostgreSQL only")
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"floor_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield psycopg.conninfo.make_conninfo(url, options=f"-c search_path={schema}")
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def floor(floor_database: str, platform: TestPlatform, monkeypatch: pytest.MonkeyPatch) -> Iterator[FlaskClient]:
    monkeypatch.syspath_prepend(str(PROJECT_ROOT / "bench"))
    import floor_tool

    floor_tool.prepare(floor_database, {"wood-unit": "Wood <unit>"})
    monkeypatch.setenv("FLOOR_TOOL_CONF", json.dumps({
        "database": floor_database, "issuer": platform.issuer, "client_id": platform.client_id,
        "deployment_id": platform.deployment_id, "auth_login_url": platform.auth_login_url,
        "auth_token_url": platform.auth_token_url, "key_set_url": platform.key_set_url}))
    app = floor_tool.create_app()
    yield app.test_client()
    for conn in app.extensions["floor_tool.connections"]:
        conn.close()
    sys.modules.pop("floor_tool", None)


def _login(client: FlaskClient, platform: TestPlatform) -> tuple[str, str]:
    answer = client.post("/login", data={"iss": platform.issuer, "login_hint": "7", "client_id": platform.client_id,
                                          "target_link_uri": "http://localhost/launch",
                                          "lti_deployment_id": platform.deployment_id})
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    return query["state"][0], query["nonce"][0]


def _token(platform: TestPlatform, nonce: str) -> str:
    now = int(time.time())
    return platform.build_id_token({
        "iss": platform.issuer, "aud": platform.client_id, "sub": "learner-7", "iat": now, "exp": now + 60,
        "nonce": nonce, "name": "Ada <b>Lovelace</b>",
        str(Claim.VERSION): "1.3.0", str(Claim.MESSAGE_TYPE): "LtiResourceLinkRequest",
        str(Claim.DEPLOYMENT_ID): platform.deployment_id, str(Claim.TARGET_LINK_URI): "http://localhost/launch",
        str(Claim.ROLES): [LtiRoles.LEARNER], str(Claim.RESOURCE_LINK): {"id": "rl-1"},
        str(Claim.CONTEXT): {"id": "course-1", "title": "Course"}, str(Claim.CUSTOM): {"unit": "wood-unit"}})


def _counts(database: str) -> dict[str, int]:
    with psycopg.connect(database) as conn:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
                for table in (*WRITTEN, "floor_login_state")}


def test_the_floor_tool_takes_state_and_nonce_once_and_writes_the_launch(floor: FlaskClient, platform: TestPlatform,
                                                                         floor_database: str) -> None:
    state, nonce = _login(floor, platform)
    assert _counts(floor_database)["floor_login_state"] == 1
    token = _token(platform, nonce)
    answer = floor.post("/launch", data={"id_token": token, "state": state})
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert 'data-unit="wood-unit"' in page and "Wood &lt;unit&gt;" in page and "Ada &lt;b&gt;" in page
    assert "floor_session=" in answer.headers["Set-Cookie"]
    assert _counts(floor_database) == {**dict.fromkeys(WRITTEN, 1), "floor_login_state": 0}
    with psycopg.connect(floor_database) as conn:
        payload = conn.execute("SELECT payload FROM floor_outbox").fetchone()[0]  # type: ignore[index]
    assert payload["verb"]["id"].endswith("/launched") and payload["actor"]["account"]["name"] == "learner-7"

    replayed = floor.post("/launch", data={"id_token": token, "state": state})
    assert replayed.status_code == 400
    assert _counts(floor_database) == {**dict.fromkeys(WRITTEN, 1), "floor_login_state": 0}


def test_the_floor_tool_refuses_a_token_whose_nonce_is_not_the_logins(floor: FlaskClient, platform: TestPlatform,
                                                                      floor_database: str) -> None:
    state, _nonce = _login(floor, platform)
    answer = floor.post("/launch", data={"id_token": _token(platform, "another-nonce"), "state": state})
    assert answer.status_code == 400
    assert _counts(floor_database) == {**dict.fromkeys(WRITTEN, 0), "floor_login_state": 1}
