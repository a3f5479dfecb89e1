"""`mastery content load|check [PATH]` (PATH: a unit file, a folder of them, or a folder with units/)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from lti_tool.catalogue.loader import LoadReport, check_units, load_units, unit_paths
from lti_tool.db import db
from lti_tool.runtime import current_settings

content_cli = AppGroup("content", help="MASTERY unit files.")


def _unit_source(path: Path | None) -> Path:
    """A unit file, or the folder holding the unit files: PATH itself or its units/ folder (content/ works)."""
    chosen: Path = path or current_settings().content_path
    if chosen.is_file():
        return chosen
    for folder in (chosen, chosen / "units"):
        if folder.is_dir() and unit_paths(folder):
            return folder
    raise click.ClickException(f"No unit files (*.yaml) in {chosen} or in {chosen / 'units'}.")


def _print_errors(report: LoadReport) -> None:
    for error in report.errors:
        for field_error in error.errors:
            click.echo(f"{error.path}: {field_error}", err=True)


@content_cli.command("check")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on authoring-rule warnings too (docs/authoring.md).")
def content_check(path: Path | None, strict: bool) -> None:
    """Validate unit files; one line per problem (file: field: message), then each unit's languages."""
    report = check_units(_unit_source(path))
    _print_errors(report)
    warned = 0
    for label, warnings in report.warnings.items():
        warned += bool(warnings)
        for warning in warnings:
            click.echo(f"{label}: warning: {warning}", err=True)
    for label, statuses in report.languages.items():
        click.echo(f"{label}: languages: {', '.join(map(str, statuses))}")
    click.echo(f"{len(report.unchanged)} valid, {len(report.errors)} with errors, {warned} with warnings.")
    if report.errors or (strict and warned):
        raise SystemExit(1)


@content_cli.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
def content_load(path: Path | None) -> None:
    """Import unit files (idempotent; a changed unit needs a new version, old versions are kept)."""
    report = load_units(db.session, _unit_source(path))
    if report.errors:
        db.session.rollback()
        _print_errors(report)
        raise click.ClickException(f"{len(report.errors)} file(s) with errors; nothing was loaded.")
    db.session.commit()
    click.echo(f"Loaded {len(report.added)} new unit version(s); {len(report.unchanged)} unchanged.")


def init_app(app: Flask) -> None:
    """Attach the command group."""
    app.cli.add_command(content_cli)
