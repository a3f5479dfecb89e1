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
    assert "already registered with other key_set_url" in result.output and "platform update" in result.output


def test_remove_disables_keeps_the_records_and_enable_undoes_it(runner: FlaskCliRunner) -> None:
    _add(runner, "1")
    _add(runner, "2")
    out = runner.invoke(args=["platform", "remove", "--issuer", "https://moodle.example.org", "--deployment-id", "2"])
    assert out.exit_code == 0 and "Disabled deployment 2 of https://moodle.example.org" in out.output
    assert "deployments=1, 2 (disabled)\t" in runner.invoke(args=["platform", "list"]).output
    out = runner.invoke(args=["platform", "remove", "--issuer", "https://moodle.example.org"])
    assert out.exit_code == 0 and "its courses, attempts and credentials are kept" in out.output
    assert "\tDISABLED" in runner.invoke(args=["platform", "list"]).output
    out = runner.invoke(args=["platform", "enable", "--issuer", "https://moodle.example.org/"])
    assert out.exit_code == 0 and "Enabled platform https://moodle.example.org" in out.output
    assert "DISABLED" not in runner.invoke(args=["platform", "list"]).output
    unknown = runner.invoke(args=["platform", "remove", "--issuer", "https://other.example.org"])
    assert unknown.exit_code == 1 and "No platform is registered" in unknown.output


def _with_a_course(app: Flask) -> None:
    import sqlalchemy as sa

    from lti_tool.db import db
    from lti_tool.launch.models import Context, Deployment, ResourceLink

    with app.app_context():
        deployment = db.session.scalar(sa.select(Deployment).where(Deployment.deployment_id == "1"))
        context = Context(deployment_pk=deployment.id, context_id="course-1")
        db.session.add(context)
        db.session.flush()
        db.session.add_all([ResourceLink(context_pk=context.id, resource_link_id=f"link-{n}") for n in (1, 2)])
        db.session.commit()


def test_purge_shows_what_goes_and_asks_first(app: Flask, runner: FlaskCliRunner) -> None:
    _add(runner, "1")
    _with_a_course(app)
    purge = ["platform", "remove", "--issuer", "https://moodle.example.org", "--purge"]
    refused = runner.invoke(args=purge, input="n\n")
    assert refused.exit_code == 1
    assert "deletes 1 deployment(s), 1 course(s), 2 placed activities and 0 learner attempt(s)" in refused.output
    assert "Aborted" in refused.output and "Traceback" not in refused.output
    assert "client=abc123" in runner.invoke(args=["platform", "list"]).output
    done = runner.invoke(args=[*purge, "--yes"])
    assert done.exit_code == 0 and "Deleted platform https://moodle.example.org (client abc123)." in done.output
    assert "No platform registered yet" in runner.invoke(args=["platform", "list"]).output


def test_update_changes_urls_and_keeps_deployments(runner: FlaskCliRunner) -> None:
    _add(runner, "1")
    out = runner.invoke(args=["platform", "update", "--issuer", "https://Moodle.example.org/", "--key-set-url",
                              "https://moodle.example.org/new-certs", "--name", "New name"])
    assert out.exit_code == 0 and "key_set_url, name" in out.output
    listing = runner.invoke(args=["platform", "list"]).output
    assert "deployments=1\tNew name" in listing
    assert _add(runner, "2")[0] == 1  # the old key set URL now differs: add says to use update
    nothing = runner.invoke(args=["platform", "update", "--issuer", "https://moodle.example.org"])
    assert nothing.exit_code == 1 and "Nothing to change" in nothing.output
    bad = runner.invoke(args=["platform", "update", "--issuer", "https://moodle.example.org", "--auth-login-url", "x"])
    assert bad.exit_code == 1 and "--auth-login-url must be an absolute http(s) URL" in bad.output


def test_issuers_are_normalised_and_plain_http_is_only_for_this_machine(runner: FlaskCliRunner) -> None:
    _add(runner, "1")
    twin = [*ARGS]
    twin[1] = "HTTPS://moodle.example.org/"
    assert runner.invoke(args=["platform", "add", *twin, "--deployment-id", "2"]).exit_code == 0
    listing = runner.invoke(args=["platform", "list"]).output
    assert listing.count("moodle.example.org\tclient") == 1 and "deployments=1, 2\t" in listing
    plain = [*ARGS]
    plain[1] = "http://lms.example.org"
    refused = runner.invoke(args=["platform", "add", *plain, "--deployment-id", "1"])
    assert refused.exit_code == 1 and "uses plain http" in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    local = [*ARGS]
    local[1] = "http://127.0.0.1:8080"
    assert runner.invoke(args=["platform", "add", *local, "--deployment-id", "1"]).exit_code == 0


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
