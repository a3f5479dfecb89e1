"""Issue 11, validation at the edge: the probe's 5xx causes, each answered with a 4xx before a service runs.

Bodies that are not objects, integers beyond the database's range, NUL characters and over-long values
(login, state, slugs, launch claims), ``launch_presentation`` that is not an object, a ``unit=`` naming no
unit; and the error page that needs no database, log lines that cannot be forged, no-store on launched pages.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from lti_tool import create_app
from lti_tool.launch.claims import Claim
from lti_tool.settings import Settings
from tests.conftest import LEARNER, LiveTool
from tests.integration.assessment.helpers import launch_learner
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform

UNIT = "manufacturing-circular-design"


@pytest.mark.parametrize("path", [
    "/credentials/status/2147483648", "/credentials/status/99999999999999999999",
    "/courses/2147483648", "/courses/1/links/9223372036854775808", "/courses/1/links/2147483648/export.csv",
])
def test_integers_beyond_the_database_range_are_not_found(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("GET", "/units/wood%00chain", {}),
    ("GET", "/credentials/status/1", {"query_string": {"x": "a\x00b"}}),
    ("GET", "/api/units", {"query_string": {"lang": "\x00"}}),
    ("POST", "/lti/login", {"data": {"iss": "https://lms.example", "login_hint": "a\x00"}}),
    ("POST", "/lti/launch", {"data": {"state": "s\x00", "id_token": "x"}}),
])
def test_nul_characters_are_refused_at_the_edge(client: FlaskClient, method: str, path: str,
                                                kwargs: dict[str, Any]) -> None:
    answer = client.open(path, method=method, headers={"Accept": "application/json"}, **kwargs)
    assert answer.status_code == 400, answer.get_data(as_text=True)[:200]


def test_over_long_and_odd_launch_states_never_reach_the_database(client: FlaskClient) -> None:
    for state in ("s" * 129, "s\x01t", "é" * 200):
        answer = client.post("/lti/launch", data={"state": state, "id_token": "a.b.c"})
        assert 400 <= answer.status_code < 500, state


def _json_body(learner: Any, method: str, path: str, body: str) -> requests.Response:
    return learner.http.request(method, learner.tool.url + path, data=body, timeout=10,
                                headers={"X-CSRFToken": learner.csrf, "Content-Type": "application/json"})


def test_json_bodies_that_are_not_objects_or_carry_nul(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    item = next(i for i in attempt["items"] if i["type"] in ("short_text", "single_choice"))
    teacher = launch_learner(tool, platform, UNIT, PlatformUser(sub="teach", name="T"), roles=[LtiRoles.INSTRUCTOR])
    context_pk = teacher.api("GET", "/api/me").json()
    cases = [
        (learner, "PUT", f"/api/attempts/{attempt['id']}/responses/{item['id']}", '{"response": "a\\u0000b"}'),
        (learner, "POST", "/api/attempts", '{"unit": "manufacturing\\u0000"}'),
        (learner, "POST", "/api/attempts", "[1, 2]"),
        (learner, "POST", "/api/attempts", '"just a string"'),
        (teacher, "POST", f"/courses/1/attempts/{attempt['id']}/reset", "[]"),
        (teacher, "POST", f"/courses/1/attempts/{attempt['id']}/reset", '{"reason": 7}'),
        (teacher, "POST", f"/courses/1/attempts/{attempt['id']}/reset", "null"),
        (teacher, "POST", "/credentials/00000000-0000-4000-8000-000000000000/revoke", "[]"),
    ]
    assert context_pk
    for who, method, path, body in cases:
        answer = _json_body(who, method, path, body)
        assert 400 <= answer.status_code < 500, (path, body, answer.status_code, answer.text[:200])
    assert learner.api("GET", f"/api/attempts/{attempt['id']}").json()["responses"] == {}


def _launch(tool: LiveTool, platform: TestPlatform, browser: requests.Session, hook: Any,
            custom: dict[str, Any] | None = None, roles: list[str] | None = None) -> requests.Response:
    return platform.launch(browser, login_url=tool.login_url, target_link_uri=tool.launch_url, user=LEARNER,
                           roles=roles or [LtiRoles.LEARNER], custom=custom or {"unit": UNIT}, claims_hook=hook)


def _set(**changes: Any) -> Any:
    return lambda claims: {**claims, **changes}


CLAIMS = [
    ("sub over 255", _set(sub="s" * 256)),
    ("sub with a control character", _set(sub="abc\x07")),
    ("deployment id over 255", _set(**{str(Claim.DEPLOYMENT_ID): "d" * 256})),
    ("context id over 255", lambda c: {**c, str(Claim.CONTEXT): {**c[str(Claim.CONTEXT)], "id": "c" * 256}}),
    ("resource link id over 255", lambda c: {**c, str(Claim.RESOURCE_LINK): {**c[str(Claim.RESOURCE_LINK)],
                                                                             "id": "r" * 256}}),
    ("NUL in the name", _set(name="Lea\x00Learner")),
    ("NUL in a course title", lambda c: {**c, str(Claim.CONTEXT): {**c[str(Claim.CONTEXT)], "title": "A\x00"}}),
    ("NUL in a custom value", lambda c: {**c, str(Claim.CUSTOM): {"unit": UNIT, "other": "x\x00"}}),
    ("launch_presentation a list", _set(**{str(Claim.LAUNCH_PRESENTATION): ["locale", "it"]})),
    ("launch_presentation a string", _set(**{str(Claim.LAUNCH_PRESENTATION): "it"})),
    ("custom a list", _set(**{str(Claim.CUSTOM): ["unit"]})),
    ("sub a number object", _set(sub={"id": 1})),
]


@pytest.mark.parametrize("hook", [h for _, h in CLAIMS], ids=[n for n, _ in CLAIMS])
def test_bad_claims_are_refused_with_a_readable_page(registered: tuple[LiveTool, TestPlatform],
                                                     browser: requests.Session, hook: Any) -> None:
    tool, platform = registered
    answer = _launch(tool, platform, browser, hook)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    assert "data-error-code=" in answer.text and "Traceback" not in answer.text


def test_long_titles_and_names_are_kept_cut_not_fatal(registered: tuple[LiveTool, TestPlatform],
                                                      browser: requests.Session) -> None:
    tool, platform = registered
    hook = lambda c: {**c, "name": "N" * 5000, str(Claim.CONTEXT): {**c[str(Claim.CONTEXT)],  # noqa: E731
                                                                  "title": "T" * 5000, "label": "L" * 5000}}
    answer = _launch(tool, platform, browser, hook)
    assert answer.status_code == 200, answer.text[:300]


@pytest.mark.parametrize("unit", ["no-such-unit", "u" * 5000, "Wood Chain Of Custody"])
def test_a_unit_that_names_nothing_gives_the_teacher_a_clear_page(registered: tuple[LiveTool, TestPlatform],
                                                                  browser: requests.Session, unit: str) -> None:
    tool, platform = registered
    teacher = _launch(tool, platform, browser, None, custom={"unit": unit}, roles=[LtiRoles.INSTRUCTOR])
    assert teacher.status_code == 404, teacher.text[:300]
    assert 'data-error-code="unknown_unit"' in teacher.text
    assert "unit=wood-chain-of-custody" in teacher.text  # the slugs it could name
    learner = _launch(tool, platform, requests.Session(), None, custom={"unit": unit})
    assert learner.status_code == 404 and "Ask your teacher" in learner.text


def test_log_lines_cannot_be_forged_through_the_path(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="lti_tool.web.errors"):
        client.get("/units/x%0D%0A2026-12-05 INFO forged line")
    [record] = [r for r in caplog.records if r.name == "lti_tool.web.errors"]
    line = record.getMessage()
    assert "\n" not in line and "\r" not in line and "\\r\\n2026-12-05" in line


def test_launched_pages_are_not_cached(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    for path in (f"/units/{UNIT}", "/api/me", "/api/me/credentials"):
        answer = learner.http.get(tool.url + path, timeout=10)
        assert answer.headers.get("Cache-Control") == "no-store", path
    assert requests.get(tool.url + "/api/units", timeout=10).headers.get("Cache-Control") != "no-store"


@pytest.fixture
def unreachable_db(tmp_path: Path) -> Flask:
    app = create_app(Settings(DATABASE_URL="postgresql+psycopg://nobody:x@127.0.0.1:1/none", INSTANCE_PATH=tmp_path,
                              SECRET_KEY="x", testing=True))
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: errors go to the handlers
    return app


def test_during_a_database_outage_json_callers_get_json_and_pages_render(unreachable_db: Flask) -> None:
    client = unreachable_db.test_client()
    api = client.get("/api/units")
    assert api.status_code == 503 and api.json == {
        "error": "database_unavailable",
        "message": "The tool cannot reach its database at the moment. Nothing was saved; please try again in a minute."}
    assert api.headers["Retry-After"] == "30"
    wanted_json = client.get("/credentials/status/1", headers={"Accept": "application/json"})
    assert wanted_json.status_code == 503 and wanted_json.json["error"] == "database_unavailable"
    page = client.get("/credentials/00000000-0000-4000-8000-000000000000",
                      headers={"Accept": "text/html", "Accept-Language": "it"})
    assert page.status_code == 503 and page.mimetype == "text/html" and '<html lang="it">' in page.get_data(
        as_text=True)
    learner = client.get("/units/x", headers={"X-Launch-Session": "abc"})
    assert learner.status_code == 503 and learner.headers["Cache-Control"] == "no-store"
    health = client.get("/health")  # its database check is the registry read its own policy needs
    assert health.status_code == 503 and health.json["database"] == "unreachable"
    assert "frame-ancestors 'self'" in health.headers["Content-Security-Policy"]
