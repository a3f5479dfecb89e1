"""`flask --app lti_tool pilot …`, `coordinator …`, `report --lrs URL`, `learner export|erase`, `retention purge`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from lti_tool.db import db
from lti_tool.errors import ToolError
from lti_tool.pilots import accounts, services
from lti_tool.settings import Settings

pilot_cli = AppGroup("pilot", help="MASTERY pilots: named groups of LMS courses with a country, sector and target.")
coordinator_cli = AppGroup("coordinator", help="Coordinator accounts (they sign in at /coordinator/sign-in).")


def _settings() -> Settings:
    settings: Settings = current_app.extensions["mastery.settings"]
    return settings


def _fail(error: ToolError) -> None:
    db.session.rollback()
    raise click.ClickException(error.message)


@pilot_cli.command("create")
@click.option("--code", required=True, help="What teachers type as the custom parameter pilot=<code>.")
@click.option("--name", required=True)
@click.option("--country", required=True, help="ISO 3166-1 alpha-2, e.g. IT")
@click.option("--sector", required=True, type=click.Choice(services.SECTORS))
@click.option("--partner", required=True, help="The partner organisation running the pilot.")
@click.option("--starts", required=True, help="First day, YYYY-MM-DD")
@click.option("--ends", required=True, help="Last day, YYYY-MM-DD")
@click.option("--target", required=True, help="Target number of learners.")
def pilot_create(code: str, name: str, country: str, sector: str, partner: str, starts: str, ends: str,
                 target: str) -> None:
    """Create a pilot (courses that asked for its code at a launch join it now)."""
    try:
        pilot = services.create_pilot(db.session, services.PilotInput(
            code=code, name=name, country=country, sector=sector, partner=partner, starts_on=starts, ends_on=ends,
            target_learners=target), _settings().base_url)
        db.session.commit()
    except ToolError as error:
        _fail(error)
        return
    click.echo(f"Created pilot {pilot.code} ({len(pilot.courses)} course(s) attached).")


@pilot_cli.command("list")
def pilot_list() -> None:
    """List the pilots and their courses."""
    for pilot in services.pilots(db.session):
        click.echo(f"{pilot.code}\t{pilot.country}\t{pilot.sector}\t{pilot.starts_on}..{pilot.ends_on}\t"
                   f"target={pilot.target_learners}\tcourses={len(pilot.courses)}\t{pilot.name}")


@pilot_cli.command("attach")
@click.argument("code")
@click.option("--issuer", required=True, help="The platform issuer of the course.")
@click.option("--deployment-id", required=True)
@click.option("--context-id", required=True, help="The LTI context (course) id.")
def pilot_attach(code: str, issuer: str, deployment_id: str, context_id: str) -> None:
    """Attach a course the tool has seen at a launch to a pilot."""
    try:
        pilot = services.pilot_by_code(db.session, code)
        context = services.find_context(db.session, issuer, deployment_id, context_id)
        services.attach_course(db.session, pilot, context, "cli", _settings().base_url)
        db.session.commit()
    except ToolError as error:
        _fail(error)
        return
    click.echo(f"Course {context_id} now takes part in pilot {pilot.code}.")


@coordinator_cli.command("create")
@click.argument("username")
@click.option("--name", default="", help="The coordinator's name, shown on the pages.")
@click.option("--locale", default="", help="Language of the pages (en, it, es, fi, bg, fr, nl); default: browser's.")
@click.password_option(help="At least 12 characters (asked for when not given).")
def coordinator_create(username: str, name: str, locale: str, password: str) -> None:
    """Create a coordinator account."""
    try:
        accounts.create_coordinator(db.session, username, password, name, locale)
        db.session.commit()
    except ToolError as error:
        _fail(error)
        return
    click.echo(f"Created coordinator {username.strip().lower()}.")


@coordinator_cli.command("set-password")
@click.argument("username")
@click.password_option()
def coordinator_set_password(username: str, password: str) -> None:
    """Set a new password (also unlocks the account and ends its sessions)."""
    try:
        accounts.set_password(db.session, username, password)
        db.session.commit()
    except ToolError as error:
        _fail(error)
        return
    click.echo(f"New password set for {username.strip().lower()}.")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(pilot_cli)
    app.cli.add_command(coordinator_cli)
