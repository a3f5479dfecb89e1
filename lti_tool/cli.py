"""`mastery …`: the admin commands without knowing Python (the same commands as `flask --app lti_tool …`)."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup, routes_command, shell_command
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError, ProgrammingError

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
        group.main(prog_name="mastery", standalone_mode=False)
    except click.UsageError as error:  # one line, with where to look, instead of click's usage block
        where = error.ctx.command_path if error.ctx is not None else "mastery"
        click.echo(f"Error: {error.format_message()} (see `{where} --help`)", err=True)
        sys.exit(error.exit_code)
    except click.ClickException as error:
        click.echo(f"Error: {error.format_message()}", err=True)
        sys.exit(error.exit_code)
    except click.Abort:
        click.echo("Aborted: nothing was changed.", err=True)
        sys.exit(1)
    except (OperationalError, ProgrammingError) as error:  # database down, wrong URL, or never migrated
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "unknown reason"
        if "no such table" in reason or (isinstance(error, ProgrammingError) and "does not exist" in reason):
            click.echo(f"Error: the database has no tables yet ({reason}): run `mastery db upgrade` first.",
                       err=True)
        else:
            click.echo(f"Error: the database cannot be reached (DATABASE_URL): {reason}", err=True)
        sys.exit(1)
