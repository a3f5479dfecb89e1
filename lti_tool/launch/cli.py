"""`mastery platform add|list|remove` and `keys rotate`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from lti_tool.db import db
from lti_tool.errors import ToolError
from lti_tool.launch.keys import rotate
from lti_tool.launch.registration import PlatformInput, add_platform, list_platforms, remove_platform
from lti_tool.launch.registration_key import make_key

platform_cli = AppGroup("platform", help="Register LTI 1.3 platforms (LMSs) and their deployments.")
keys_cli = AppGroup("keys", help="The tool's signing keys.")


def _fail(error: ToolError) -> None:
    db.session.rollback()
    raise click.ClickException(error.message)


@platform_cli.command("add")
@click.option("--issuer", required=True, help="The platform's issuer (iss), e.g. https://moodle.example.org")
@click.option("--client-id", required=True, help="The client id the platform gave this tool.")
@click.option("--deployment-id", required=True, help="The deployment id (repeat the command to add more).")
@click.option("--auth-login-url", required=True, help="The platform's OIDC authentication URL.")
@click.option("--auth-token-url", required=True, help="The platform's OAuth2 access token URL.")
@click.option("--key-set-url", required=True, help="The platform's public keyset (JWKS) URL.")
@click.option("--name", default="", help="A name to recognise the platform by.")
def platform_add(issuer: str, client_id: str, deployment_id: str, auth_login_url: str, auth_token_url: str,
                 key_set_url: str, name: str) -> None:
    """Register a platform with one deployment, or add a deployment to a registered platform."""
    try:
        platform, _ = add_platform(db.session, PlatformInput(
            issuer=issuer, client_id=client_id, deployment_id=deployment_id, auth_login_url=auth_login_url,
            auth_token_url=auth_token_url, key_set_url=key_set_url, name=name,
        ))
        db.session.commit()
    except ToolError as error:
        _fail(error)
        return
    cache = current_app.extensions.get("mastery.frame_origins")
    if cache is not None:
        cache.clear()
    click.echo(f"Registered deployment {deployment_id} of {platform.issuer} (client {platform.client_id}).")


@platform_cli.command("list")
def platform_list() -> None:
    """List registered platforms and their deployments."""
    platforms = list_platforms(db.session)
    if not platforms:
        click.echo("No platform registered yet. Use: mastery platform add --help")
    for platform in platforms:
        deployments = ", ".join(d.deployment_id for d in platform.deployments) or "-"
        click.echo(f"{platform.issuer}\tclient={platform.client_id}\tdeployments={deployments}\t{platform.name}")


@platform_cli.command("remove")
@click.option("--issuer", required=True)
@click.option("--client-id", default=None, help="Needed when the issuer has several registrations.")
@click.option("--deployment-id", default=None, help="Remove only this deployment.")
def platform_remove(issuer: str, client_id: str | None, deployment_id: str | None) -> None:
    """Remove a registration (with its courses' launch data) or one of its deployments."""
    try:
        removed = remove_platform(db.session, issuer, client_id, deployment_id)
        db.session.commit()
    except ToolError as error:
        _fail(error)
        return
    click.echo(f"Removed {removed}.")


@platform_cli.command("registration-url")
def platform_registration_url() -> None:
    """Print a URL an LMS admin pastes into "Register tool via URL" (LTI Dynamic Registration)."""
    settings = current_app.extensions["mastery.settings"]
    url = f"{settings.base_url}/lti/register?key={make_key(settings.secret_key)}"
    click.echo(f"Dynamic registration URL (valid {settings.registration_key_hours} hours):\n{url}")


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Make a new signing key; the old one stays in the JWKS until it expires."""
    days = current_app.extensions["mastery.settings"].tool_key_retention_days
    new, retired = rotate(db.session, retention_days=days)
    db.session.commit()
    click.echo(f"New signing key {new.kid}; {len(retired)} previous key(s) stay published for {days} days.")


def init_app(app: Flask) -> None:
    """Attach the command groups."""
    app.cli.add_command(platform_cli)
    app.cli.add_command(keys_cli)
