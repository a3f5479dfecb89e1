"""Health, catalogue JSON, security headers and the framing policy."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner

from tests.lti_platform import TestPlatform


def test_health_reports_the_database(client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok" and response.get_json()["database"] == "ok"


def test_catalogue_never_sends_items_or_answers(client, runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["content", "load"]).exit_code == 0
    units = client.get("/api/units").get_json()["units"]
    assert units, "content load should have loaded units"
    unit = units[0]
    assert {"slug", "title", "sector", "eqf_level", "ects", "outcomes"} <= set(unit)
    assert all(set(o) == {"id", "title", "esco"} for o in unit["outcomes"])
    assert "answer" not in client.get("/api/units").get_data(as_text=True)


def test_frame_ancestors_lists_registered_platforms(app: Flask, runner: FlaskCliRunner) -> None:
    with TestPlatform().start() as platform:
        result = runner.invoke(args=["platform", "add", "--issuer", platform.issuer, "--client-id", "c",
                                     "--deployment-id", "d", "--auth-login-url", platform.auth_login_url,
                                     "--auth-token-url", platform.auth_token_url, "--key-set-url",
                                     platform.key_set_url])
        assert result.exit_code == 0, result.output
        csp = app.test_client().get("/health").headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {platform.issuer}" in csp
    assert "X-Frame-Options" not in app.test_client().get("/health").headers


def test_unknown_json_api_answers_json_404(client) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
