"""`mastery platform add|list|remove` and `keys rotate`."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from lti_tool.db import db
from lti_tool.errors import ToolError
from lti_tool.launch.keys import rotate
from lti_tool.launch.registration import (
    PlatformInput,
    add_platform,
    list_platforms,
    purge_counters,
    purge_counts,
    set_enabled,
    update_platform,
)
from lti_tool.launch.registration import purge as purge_registration
from lti_tool.launch.registration_key import make_key
from lti_tool.runtime import current_settings

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
    click.echo(f"Registered deployment {deployment_id.strip()} of {platform.issuer} (client {platform.client_id}).")


@platform_cli.command("update")
@click.option("--issuer", required=True, help="The registered platform's issuer.")
@click.option("--client-id", default=None, help="Needed when the issuer has several registrations.")
@click.option("--auth-login-url", default=None, help="New OIDC authentication URL.")
@click.option("--auth-token-url", default=None, help="New OAuth2 access token URL.")
@click.option("--key-set-url", default=None, help="New public keyset (JWKS) URL.")
@click.option("--name", default=None, help="New name.")
def platform_update(issuer: str, client_id: str | None, auth_login_url: str | None, auth_token_url: str | None,
                    key_set_url: str | None, name: str | None) -> None:
    """Change a registered platform's URLs, key set or name (its courses and records stay)."""
    try:
        platform, changed = update_platform(db.session, issuer, client_id, auth_login_url=auth_login_url,
                                            auth_token_url=auth_token_url, key_set_url=key_set_url, name=name)
        db.session.commit()
    except ToolError as error:
        _fail(error)
        return
    what = ", ".join(changed) if changed else "nothing (the values were already these)"
    click.echo(f"Updated {platform.issuer} (client {platform.client_id}): {what}.")


@platform_cli.command("list")
def platform_list() -> None:
    """List registered platforms and their deployments."""
    platforms = list_platforms(db.session)
    if not platforms:
        click.echo("No platform registered yet. Use: mastery platform add --help")
    for platform in platforms:
        deployments = ", ".join(d.deployment_id + (" (disabled)" if d.disabled_at else "")
                                for d in platform.deployments) or "-"
        state = "\tDISABLED" if platform.disabled_at else ""
        click.echo(f"{platform.issuer}\tclient={platform.client_id}\tdeployments={deployments}\t{platform.name}{state}")


_TARGET = [
    click.option("--issuer", required=True),
    click.option("--client-id", default=None, help="Needed when the issuer has several registrations."),
    click.option("--deployment-id", default=None, help="Only this deployment."),
]


def _target_options(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_TARGET):
        command = option(command)
    return command


@platform_cli.command("remove")
@_target_options
@click.option("--purge", is_flag=True, help="Delete it with its courses, activities and attempts (asks first).")
@click.option("--yes", is_flag=True, help="With --purge: do not ask (for scripts).")
def platform_remove(issuer: str, client_id: str | None, deployment_id: str | None, purge: bool, yes: bool) -> None:
    """Disable a registration or one deployment (launches refused, records kept); --purge deletes it."""
    try:
        if not purge:
            label, changed = set_enabled(db.session, issuer, client_id, deployment_id, enabled=False)
            db.session.commit()
            click.echo(f"Disabled {label}{'' if changed else ' (it already was)'}: its launches are refused; its "
                       "courses, attempts and credentials are kept. Undo with `mastery platform enable`; delete "
                       "with --purge.")
            return
        label, counts = purge_counts(db.session, issuer, client_id, deployment_id,
                                     purge_counters(current_app))
    except ToolError as error:
        _fail(error)
        return
    click.echo(f"Purging {label} deletes {counts.sentence()}. Credentials already issued are kept.")
    if not yes:
        click.confirm("Delete them for good?", abort=True)
    try:
        purge_registration(db.session, issuer, client_id, deployment_id)
        db.session.commit()
    except ToolError as error:
        _fail(error)
        return
    click.echo(f"Deleted {label}.")


@platform_cli.command("enable")
@_target_options
def platform_enable(issuer: str, client_id: str | None, deployment_id: str | None) -> None:
    """Allow launches again from a disabled registration or deployment."""
    try:
        label, changed = set_enabled(db.session, issuer, client_id, deployment_id, enabled=True)
        db.session.commit()
    except ToolError as error:
        _fail(error)
        return
    click.echo(f"Enabled {label}." if changed else f"{label[0].upper()}{label[1:]} was not disabled.")


@platform_cli.command("registration-url")
def platform_registration_url() -> None:
    """Print a URL an LMS admin pastes into "Register tool via URL" (LTI Dynamic Registration)."""
    settings = current_settings()
    url = f"{settings.base_url}/lti/register?key={make_key(settings.secret_key)}"
    click.echo(f"Dynamic registration URL (valid {settings.registration_key_hours} hours):\n{url}")


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Make a new signing key; the old one stays in the JWKS until it expires."""
    days = current_settings().tool_key_retention_days
    new, retired = rotate(db.session, retention_days=days)
    db.session.commit()
    click.echo(f"New signing key {new.kid}; {len(retired)} previous key(s) stay published for {days} days.")


def init_app(app: Flask) -> None:
    """Attach the command groups."""
    app.cli.add_command(platform_cli)
    app.cli.add_command(keys_cli)
