"""`flask --app lti_tool pilot …`, `coordinator …`, `report --lrs URL`, `learner export|erase`, `retention purge`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click
import httpx
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale

from lti_tool.catalogue.loader import unit_paths
from lti_tool.catalogue.schema import UnitFileError, read_unit_file
from lti_tool.catalogue.unit_doc import parse_unit
from lti_tool.credentials.issuing.from_lrs import describe_lrs_failure
from lti_tool.db import db, utcnow
from lti_tool.errors import ToolError
from lti_tool.launch.models import User
from lti_tool.lms.models import RosterCache
from lti_tool.locales import SUPPORTED_LOCALES
from lti_tool.pilots import accounts, exports, rights, services
from lti_tool.pilots import figures as fg
from lti_tool.pilots.db_facts import load as load_facts
from lti_tool.pilots.db_facts import unit_info
from lti_tool.pilots.labels import label
from lti_tool.pilots.lrs_report import ReportError, facts_from_statements, profile_from_document
from lti_tool.runtime import current_settings, runtime
from lti_tool.xapi.lrs import open_lrs
from lti_tool.xapi.lrs_client import LrsError

pilot_cli = AppGroup("pilot", help="MASTERY pilots: named groups of LMS courses with a country, sector and target.")
coordinator_cli = AppGroup("coordinator", help="Coordinator accounts (they sign in at /coordinator/sign-in).")
learner_cli = AppGroup("learner", help="Learners' data rights: export everything, erase (docs/privacy.md).")
retention_cli = AppGroup("retention", help="Purge the personal data of pilots that ended long enough ago.")



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
            target_learners=target), current_settings().base_url)
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
        services.attach_course(db.session, pilot, context, "cli", current_settings().base_url)
        db.session.commit()
    except ToolError as error:
        _fail(error)
        return
    click.echo(f"Course {context_id} now takes part in pilot {pilot.code}.")


@pilot_cli.command("sync")
def pilot_sync() -> None:
    """Tell the LRS each pilot course's current enrolment (the dashboard does it when viewed)."""
    facts = load_facts(db.session, "en")
    changed = services.report_enrolment(db.session, facts, current_settings().base_url)
    db.session.commit()
    click.echo(f"{changed} course enrolment figure(s) queued for the LRS (run `xapi deliver` to send them).")


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


def _read_profile(source: str, timeout: float) -> dict[str, Any]:
    """The published xAPI profile, from a URL or a file."""
    try:
        if source.startswith(("http://", "https://")):
            response = httpx.get(source, timeout=timeout, follow_redirects=True)
            response.raise_for_status()
            return dict(response.json())
        return dict(json.loads(Path(source).read_text(encoding="utf-8")))
    except (httpx.HTTPError, OSError, ValueError) as error:
        raise click.ClickException(f"cannot read the xAPI profile at {source}: {type(error).__name__}: {error}") \
            from None


@click.command("report")
@click.option("--lrs", "lrs_url", required=True, help="The LRS's xAPI base URL, e.g. https://lrs.example/xAPI/")
@click.option("--username", default=None, help="LRS user (default: LRS_USERNAME).")
@click.option("--password", default=None, help="LRS password (default: LRS_PASSWORD).")
@click.option("--profile", "profile_source", default=None,
              help="The tool's published xAPI profile, URL or file (default: TOOL_BASE_URL/xapi/profile).")
@click.option("--units", "units_path", default=None, type=click.Path(exists=True, path_type=Path),
              help="Unit files (default: CONTENT_PATH).")
@click.option("--out", "out_dir", default=".", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the CSV, XLSX and PDF files.")
@click.option("--pilot", "pilot_code", default=None, help="One pilot only.")
@click.option("--lang", default="en", type=click.Choice(SUPPORTED_LOCALES), help="Language of the files.")
@click.option("--today", default=None, help="The day 'running' is judged on, YYYY-MM-DD (default: today, UTC).")
@with_appcontext
def report(lrs_url: str, username: str | None, password: str | None, profile_source: str | None,
           units_path: Path | None, out_dir: Path, pilot_code: str | None, lang: str, today: str | None) -> None:
    """The pilot figures from the LRS alone (statements, published profile, unit files): no database access."""
    settings = current_settings()
    profile_doc = _read_profile(profile_source or f"{settings.base_url}/xapi/profile", settings.http_timeout_seconds)
    try:
        profile = profile_from_document(profile_doc)
        day = dt.date.fromisoformat(today) if today else utcnow().date()
    except (ReportError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    units: dict[str, fg.UnitInfo] = {}
    for file in unit_paths(units_path or settings.content_path):
        try:
            info = unit_info(parse_unit(read_unit_file(file)), lang)
        except UnitFileError as error:
            raise click.ClickException(str(error).splitlines()[0]) from None
        units[info.slug] = info
    with open_lrs(lrs_url, username or settings.lrs_username, password or settings.lrs_password,
                  timeout=settings.http_timeout_seconds * 6) as lrs:
        try:
            statements = list(lrs.iter_statements(limit=500))
        except LrsError as error:
            raise click.ClickException(describe_lrs_failure(error, lrs_url)) from None
    try:
        facts = facts_from_statements(statements, profile, units)
    except (KeyError, ValueError, TypeError) as error:
        raise click.ClickException(f"a statement of the profile lacks a field the report needs: {error}") from None
    if pilot_code:
        if pilot_code not in facts.pilots:
            raise click.ClickException(f"the LRS has no statements of a pilot {pilot_code!r}")
        figures = fg.for_pilot(facts, pilot_code, day)
    else:
        figures = fg.compute(facts, day)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"{pilot_code or 'mastery-pilots'}-lrs-{day.isoformat()}"
    with force_locale(lang):
        (out_dir / f"{name}.csv").write_bytes(exports.to_csv(figures, label))
        (out_dir / f"{name}.xlsx").write_bytes(exports.to_xlsx(figures, label))
        title = f"{label('title:groups')} · LRS {lrs_url}"
        (out_dir / f"{name}.pdf").write_bytes(exports.to_pdf(figures, label, title, utcnow()))
        (out_dir / f"{name}.json").write_text(json.dumps(figures.as_dict(), ensure_ascii=False, default=str))
    click.echo(f"{len(statements)} statements, {len(facts.pilots)} pilots: "
               f"wrote {out_dir / name}.csv, .xlsx, .pdf, .json")


@learner_cli.command("export")
@click.option("--issuer", required=True, help="The learner's platform issuer.")
@click.option("--sub", required=True, help="The learner's LTI user id on that platform.")
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path))
def learner_export(issuer: str, sub: str, out_file: Path) -> None:
    """Write everything the tool holds about a learner to a ZIP (data.json + evidence files)."""
    user = db.session.scalar(sa.select(User).where(User.issuer == issuer, User.sub == sub))
    if user is None:
        raise click.ClickException("the tool holds nothing about this person")
    out_file.write_bytes(rights.export_data(db.session, user, runtime().upload_store))
    click.echo(f"wrote {out_file}")


def _erase(issuer: str, sub: str, reason: str) -> rights.Erasure:
    settings = current_settings()
    return rights.erase(db.session, issuer, sub, secret=settings.secret_key, uploads=runtime().upload_store,
                        base_url=settings.base_url, credential_policy=settings.erasure_credentials, reason=reason)


@learner_cli.command("erase")
@click.option("--issuer", required=True, help="The learner's platform issuer.")
@click.option("--sub", required=True, help="The learner's LTI user id on that platform.")
@click.confirmation_option(prompt="Erase this learner's data? Their statements are voided in the LRS.")
def learner_erase(issuer: str, sub: str) -> None:
    """Erase a learner: database rows, evidence files, LRS statements voided; credentials per ERASURE_CREDENTIALS."""
    try:
        done = _erase(issuer, sub, "request")
        db.session.commit()
    except ToolError as error:
        _fail(error)
        return
    if done.already_done:
        click.echo(f"already erased (erasure record {done.record_id}); nothing to do")
        return
    counts = ", ".join(f"{key} {value}" for key, value in done.summary.items())
    click.echo(f"erased (erasure record {done.record_id}): {counts}. Run `xapi deliver` to send the voiding "
               "statements.")


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only say which pilots and how many learners.")
@click.option("--today", default=None, help="YYYY-MM-DD (default: today, UTC).")
def retention_purge(dry_run: bool, today: str | None) -> None:
    """Erase the learners of every pilot that ended more than PILOT_RETENTION_DAYS ago."""
    days = current_settings().pilot_retention_days
    if days is None:
        raise click.ClickException("PILOT_RETENTION_DAYS is not set: nothing is purged automatically")
    day = dt.date.fromisoformat(today) if today else utcnow().date()
    for pilot in rights.due_for_purge(db.session, days, day):
        learners = rights.learners_of_pilot(db.session, pilot)
        if dry_run:
            click.echo(f"{pilot.code}: ended {pilot.ends_on}, {len(learners)} learner(s) would be erased")
            continue
        for user in learners:
            _erase(user.issuer, user.sub, "retention")
        for link in pilot.courses:
            db.session.execute(sa.delete(RosterCache).where(RosterCache.context_pk == link.context_pk))
        pilot.purged_at = utcnow()
        db.session.commit()
        click.echo(f"{pilot.code}: ended {pilot.ends_on}, {len(learners)} learner(s) erased")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(pilot_cli)
    app.cli.add_command(coordinator_cli)
    app.cli.add_command(learner_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(report)
