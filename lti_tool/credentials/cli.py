"""`flask --app lti_tool credentials revoke|reissue|reissue-old-contexts|rotate-key|issuer|issue-from-lrs`."""

from __future__ import annotations

import getpass

import click
from flask import Flask
from flask.cli import AppGroup

from lti_tool.credentials import services
from lti_tool.credentials.issuing import from_lrs, lrs_issuance
from lti_tool.credentials.models import Credential
from lti_tool.credentials.runtime import current_env, key_ring
from lti_tool.db import db, utcnow
from lti_tool.http_url import is_http_url
from lti_tool.runtime import current_settings
from lti_tool.settings import Settings
from lti_tool.xapi.export import parse_since
from lti_tool.xapi.lrs import open_lrs
from lti_tool.xapi.lrs_client import LrsError

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


@credentials_cli.command("reissue-old-contexts")
@click.option("--dry-run", is_flag=True, help="List what would be reissued; write nothing.")
@click.option("--by", default=None, help="Who reissues (default: the operating-system user).")
def reissue_old_contexts_command(dry_run: bool, by: str | None) -> None:
    """Reissue every live credential whose @context independent verifiers cannot load (issue 14).

    Each new credential carries only the standard contexts plus the embedded one; the old one is superseded and
    revoked (its page points to the new one). Revoked credentials are left as they are. One commit per credential.
    """
    who = f"admin {by or getpass.getuser()}"
    base_url = current_env().base_url
    done = skipped = 0
    for old in services.old_shape_credentials(db.session):
        if old.revoked_at is not None:
            skipped += 1
            click.echo(f"left revoked  {services.credential_url(base_url, old.id)}")
            continue
        if dry_run:
            done += 1
            click.echo(f"would reissue {services.credential_url(base_url, old.id)}")
            continue
        try:
            new = services.reissue(db.session, old, now=utcnow(), by=who)
        except services.CredentialRefused as error:
            db.session.rollback()
            skipped += 1
            click.echo(f"not reissued  {services.credential_url(base_url, old.id)}: {error}")
            continue
        db.session.commit()
        done += 1
        click.echo(f"reissued      {services.credential_url(base_url, old.id)} as "
                   f"{services.credential_url(base_url, new.id)}")
    db.session.rollback()
    click.echo(f"{'would reissue' if dry_run else 'reissued'} {done}, left {skipped}")


@credentials_cli.command("rotate-key")
def rotate_key_command() -> None:
    """New issuer signing key; old keys stay published so every issued credential keeps verifying."""
    keys = key_ring().rotate(utcnow())
    env = current_env()
    click.echo(f"new key {keys.current.multikey}; issuer {env.issuer.did}; {len(keys.retired)} retired key(s) kept")


@credentials_cli.command("issuer")
def issuer_command() -> None:
    """Show the issuer id and the current verification method."""
    issuer = current_env().issuer
    click.echo(f"issuer {issuer.did}\nverification method {issuer.current_method}")


def _lrs_url(value: str) -> str:
    if not is_http_url(value.strip()):
        raise click.BadParameter(f"{value!r} is not an http(s) URL (e.g. http://127.0.0.1:8100/xAPI/)",
                                 param_hint="--lrs")
    return value.strip()


def _learner(j: from_lrs.Justified) -> str:
    return f"{j.slug} {j.version}  learner {j.home_page} {j.sub}  (attempt {j.registration})"


@credentials_cli.command("issue-from-lrs")
@click.option("--lrs", "lrs_url", required=True, help="xAPI base URL of the LRS, e.g. http://127.0.0.1:8100/xAPI/.")
@click.option("--since", help="Only masteries stated from this ISO 8601 date-time on (UTC if no offset).")
@click.option("--dry-run", is_flag=True, help="Print what would be issued; write nothing.")
@click.option("--username", envvar="LRS_USERNAME", show_envvar=True, help="LRS user (default: the tool's).")
@click.option("--password", envvar="LRS_PASSWORD", show_envvar=True, help="LRS password (prefer the env var).")
@click.option("--tool-url", "tool_urls", multiple=True,
              help="Base URL of a MASTERY Tool whose statements count (repeatable; default: TOOL_BASE_URL).")
def issue_from_lrs_command(lrs_url: str, since: str | None, dry_run: bool, username: str | None,
                           password: str | None, tool_urls: tuple[str, ...]) -> None:
    """Issue the credentials that the LRS's statements justify (reads only the xAPI API; idempotent)."""
    lrs_url = _lrs_url(lrs_url)
    try:
        moment = parse_since(since)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--since") from None
    settings: Settings = current_settings()
    with open_lrs(lrs_url, username or settings.lrs_username, password or settings.lrs_password) as lrs:
        try:
            statements = from_lrs.read_statements(lrs, moment)
        except LrsError as error:
            raise click.ClickException(from_lrs.describe_lrs_failure(error, lrs_url)) from None
    decision = from_lrs.decide(statements, tool_urls or (settings.base_url,), lrs_issuance.catalogue_index(db.session))
    for skipped in decision.skipped:
        click.echo(f"skipped      statement {skipped.statement_id}: {skipped.reason}")
    new = held = 0
    env = None if dry_run else current_env()
    for justified in decision.justified:
        if dry_run:
            found = lrs_issuance.existing(db.session, justified)
            outcome = lrs_issuance.Issued(justified, found.id if found else None, new=found is None)
        else:
            outcome = lrs_issuance.issue(db.session, justified, now=utcnow(), env=env)
            db.session.commit()  # one credential at a time: a later failure keeps what was issued
        new, held = new + int(outcome.new), held + int(not outcome.new)
        verb = ("would issue " if dry_run else "issued      ") if outcome.new else "already held"
        where = services.credential_url(settings.base_url, outcome.credential_id) if outcome.credential_id else "-"
        click.echo(f"{verb} {where}  {_learner(justified)}")
    db.session.rollback()  # a dry run only read; nothing is pending otherwise
    click.echo(f"read {len(statements)} statement(s); {len(decision.justified)} credential(s) justified: "
               f"{'would issue' if dry_run else 'issued'} {new}, already held {held}; "
               f"{len(decision.skipped)} unit mastery statement(s) skipped")


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(credentials_cli)
