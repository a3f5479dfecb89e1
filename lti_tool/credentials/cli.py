"""`flask --app lti_tool credentials revoke|reissue|rotate-key|status`: the administrator's tools."""

from __future__ import annotations

import getpass

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from lti_tool.credentials import services
from lti_tool.credentials.models import Credential
from lti_tool.credentials.runtime import KEYRING, current_env
from lti_tool.db import db, utcnow

credentials_cli = AppGroup("credentials", help="Issued credentials: revoke, reissue, issuer keys.")


def _load(credential_id: str) -> Credential:
    credential = services.get_credential(db.session, credential_id.strip().rsplit("/", 1)[-1])
    if credential is None:
        raise click.ClickException(f"no credential {credential_id!r}")
    return credential


@credentials_cli.command("revoke")
@click.argument("credential_id")
@click.option("--reason", required=True, help="Why it is revoked; shown on the public verification page.")
@click.option("--by", default=None, help="Who revokes (default: the operating-system user).")
def revoke_command(credential_id: str, reason: str, by: str | None) -> None:
    """Revoke a credential (by its id or page URL). Revoking twice changes nothing."""
    credential = _load(credential_id)
    try:
        changed = services.revoke(db.session, credential, reason, f"admin {by or getpass.getuser()}", now=utcnow())
    except services.CredentialRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"revoked {credential.id}" if changed else f"{credential.id} was already revoked "
               f"({credential.revoked_at:%Y-%m-%d %H:%M} UTC: {credential.revocation_reason})")


@credentials_cli.command("reissue")
@click.argument("credential_id")
@click.option("--by", default=None, help="Who reissues (default: the operating-system user).")
def reissue_command(credential_id: str, by: str | None) -> None:
    """Reissue with the learner's current data (say, a corrected name); the old one is revoked as superseded."""
    try:
        new = services.reissue(db.session, _load(credential_id), now=utcnow(), by=f"admin {by or getpass.getuser()}")
    except services.CredentialRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"reissued as {new.id}: {services.credential_url(current_env().base_url, new.id)}")


@credentials_cli.command("rotate-key")
def rotate_key_command() -> None:
    """New issuer signing key; old keys stay published so every issued credential keeps verifying."""
    keys = current_app.extensions[KEYRING].rotate(utcnow())
    env = current_env()
    click.echo(f"new key {keys.current.multikey}; issuer {env.issuer.did}; {len(keys.retired)} retired key(s) kept")


@credentials_cli.command("issuer")
def issuer_command() -> None:
    """Show the issuer id and the current verification method."""
    issuer = current_env().issuer
    click.echo(f"issuer {issuer.did}\nverification method {issuer.current_method}")


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(credentials_cli)
