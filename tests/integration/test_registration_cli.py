"""`platform add|list|remove` and `keys rotate`, through the real CLI, with clear errors."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner

ARGS = ["--issuer", "https://moodle.example.org", "--client-id", "abc123",
        "--auth-login-url", "https://moodle.example.org/mod/lti/auth.php",
        "--auth-token-url", "https://moodle.example.org/mod/lti/token.php",
        "--key-set-url", "https://moodle.example.org/mod/lti/certs.php"]


def _add(runner: FlaskCliRunner, deployment: str = "1", *extra: str) -> tuple[int, str]:
    result = runner.invoke(args=["platform", "add", *ARGS, "--deployment-id", deployment, *extra])
    return result.exit_code, result.output


def test_add_list_and_more_deployments(runner: FlaskCliRunner) -> None:
    assert _add(runner, "1", "--name", "School Moodle")[0] == 0
    assert _add(runner, "2")[0] == 0
    listing = runner.invoke(args=["platform", "list"]).output
    assert "https://moodle.example.org\tclient=abc123\tdeployments=1, 2\tSchool Moodle" in listing


def test_duplicate_deployment_is_a_clear_error(runner: FlaskCliRunner) -> None:
    _add(runner)
    code, output = _add(runner)
    assert code == 1
    assert "Deployment '1' is already registered" in output


def test_bad_url_is_a_clear_error(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["platform", "add", *ARGS[:-1], "moodle/certs.php", "--deployment-id", "1"])
    assert result.exit_code == 1
    assert "--key-set-url must be an absolute http(s) URL" in result.output
    assert "No platform registered yet" in runner.invoke(args=["platform", "list"]).output


def test_same_client_with_other_endpoints_is_refused(runner: FlaskCliRunner) -> None:
    _add(runner)
    args = [*ARGS]
    args[args.index("--key-set-url") + 1] = "https://moodle.example.org/other-certs"
    result = runner.invoke(args=["platform", "add", *args, "--deployment-id", "9"])
    assert result.exit_code == 1
    assert "already registered with other key_set_url" in result.output


def test_remove_deployment_then_platform_and_unknown(runner: FlaskCliRunner) -> None:
    _add(runner, "1")
    _add(runner, "2")
    out = runner.invoke(args=["platform", "remove", "--issuer", "https://moodle.example.org", "--deployment-id", "2"])
    assert out.exit_code == 0 and "Removed deployment 2" in out.output
    assert "deployments=1\t" in runner.invoke(args=["platform", "list"]).output
    assert runner.invoke(args=["platform", "remove", "--issuer", "https://moodle.example.org"]).exit_code == 0
    unknown = runner.invoke(args=["platform", "remove", "--issuer", "https://moodle.example.org"])
    assert unknown.exit_code == 1 and "No platform is registered" in unknown.output


def test_keys_rotate_keeps_the_old_key_published(app: Flask, runner: FlaskCliRunner) -> None:
    client = app.test_client()
    first = client.get("/.well-known/jwks.json").get_json()["keys"]
    assert len(first) == 1 and first[0]["alg"] == "RS256" and first[0]["use"] == "sig" and "d" not in first[0]
    output = runner.invoke(args=["keys", "rotate"]).output
    assert "stay published for 30 days" in output
    second = client.get("/.well-known/jwks.json").get_json()["keys"]
    assert [k["kid"] for k in second][1:] == [first[0]["kid"]]
    assert second[0]["kid"] != first[0]["kid"]
    assert all(set(k) >= {"kty", "n", "e", "kid"} and not {"d", "p", "q"} & set(k) for k in second)


def test_tool_config_prints_the_values_to_paste(runner: FlaskCliRunner) -> None:
    output = runner.invoke(args=["tool-config"]).output
    assert "Initiate login URL" in output and "http://127.0.0.1:5000/lti/login" in output
    assert "http://127.0.0.1:5000/.well-known/jwks.json" in output
