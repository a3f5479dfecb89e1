"""`mastery …`: the admin commands without knowing Python (the same commands as `flask --app lti_tool …`)."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup, routes_command, shell_command
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from lti_tool import create_app
from lti_tool.settings import Settings, load_settings


def _settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ValidationError as error:  # a bad environment variable: one line naming it, no traceback
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first.get("loc") else "a setting"
        click.echo(f"Error: {name}: {first['msg']}", err=True)
        sys.exit(2)


def main() -> None:
    """Entry point of the `mastery` console script."""
    settings = _settings_or_exit()
    group = FlaskGroup(
        name="mastery",
        help="Administer the MASTERY Tool: registrations, keys, content, workers. "
             "Settings come from the environment (see the README).",
        create_app=lambda: create_app(settings),
        add_version_option=False,
        load_dotenv=False,
        set_debug_flag=False,
        add_default_commands=False,  # no `run`: `make run` serves the tool with its workers
    )
    group.add_command(routes_command)
    group.add_command(shell_command)
    # The app is built here from the environment: Flask's --app/--env-file/--debug options would only confuse.
    group.params = [param for param in group.params if param.name not in {"app", "env_file", "debug"}]
    try:
        group.main(prog_name="mastery")
    except OperationalError as error:  # the database is down or DATABASE_URL is wrong: say so in one line
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "unknown reason"
        click.echo(f"Error: the database cannot be reached (DATABASE_URL): {reason}", err=True)
        sys.exit(1)
