"""`flask --app lti_tool xapi deliver|status|requeue|export`."""

from __future__ import annotations

import contextlib
import fcntl
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from lti_tool.db import db
from lti_tool.operations.heartbeat import Heartbeat
from lti_tool.outbox import worker as worker_loop
from lti_tool.outbox.report import DeliveryReport
from lti_tool.runtime import current_settings, runtime
from lti_tool.settings import Settings
from lti_tool.xapi import outbox
from lti_tool.xapi.export import parse_since
from lti_tool.xapi.lrs import make_client
from lti_tool.xapi.lrs_client import LrsError
from lti_tool.xapi.services import export_csv
from lti_tool.xapi.worker import MAX_BATCH, Deliverer, DeliveryPolicy, next_due

xapi_cli = AppGroup("xapi", help="The xAPI statement outbox and the LRS.")



@contextlib.contextmanager
def _single_worker_on_sqlite(settings: Settings) -> Iterator[None]:
    # SQLite has no SKIP LOCKED: two workers would send the same rows twice (harmless thanks to the
    # statement ids, but wasteful), so only one may run per database file.
    if db.engine.dialect.name != "sqlite":
        yield
        return
    path = Path(settings.instance_path) / "xapi-deliver.lock"
    with path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise click.ClickException("Another `xapi deliver` is running on this SQLite database.") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _summary(report: DeliveryReport) -> str:
    return (f"delivered {len(report.delivered)}, conflicts {len(report.conflicts)}, dead {len(report.failed)}, "
            f"waiting to retry {len(report.retrying)}")


@xapi_cli.command("deliver")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit (non-zero if the LRS failed).")
@click.option("--batch-size", type=click.IntRange(1, MAX_BATCH), default=250, show_default=True)
@click.option("--poll-seconds", type=click.FloatRange(0.05, 60), default=1.0, show_default=True,
              help="How often to look for new statements when the outbox is empty.")
def deliver(once: bool, batch_size: int, poll_seconds: float) -> None:
    """Send the statement outbox to the LRS (LRS_URL), retrying until every statement is stored."""
    settings = current_settings()
    stop = threading.Event()
    if not once:
        worker_loop.stop_on_signals(stop)  # finish the batch in flight, then exit
    with _single_worker_on_sqlite(settings), make_client(settings) as client:
        worker = Deliverer(db.session, client, DeliveryPolicy(batch_size=batch_size))
        heartbeat = Heartbeat("xapi")
        if not once:
            click.echo(f"Delivering statements to {client.base_url} (Ctrl-C to stop).")
        total = worker_loop.run(lambda: worker.drain(max_batches=20),  # come up for air: signals, logging
                                due=lambda: next_due(db.session), beat=lambda: heartbeat.beat(db.session),
                                once=once, poll_seconds=poll_seconds, stop=stop, echo=click.echo, describe=_summary)
    db.session.remove()
    if once:
        click.echo(_summary(total))
        if total.stopped_by is not None:
            raise click.ClickException(f"the LRS did not take every statement: {total.errors[-1][:300]}")


@xapi_cli.command("status")
@click.option("--limit", type=int, default=50, show_default=True, help="Dead letters and conflicts to list.")
def status(limit: int) -> None:
    """The backlog by state, and the dead letters and conflicts with the LRS's reasons."""
    backlog = outbox.backlog(db.session)
    counts = ", ".join(f"{state} {n}" for state, n in backlog.counts.items())
    click.echo(f"outbox: {counts}; due now {backlog.due_now}")
    if backlog.oldest_pending is not None:
        click.echo(f"oldest pending since {backlog.oldest_pending.isoformat()}, "
                   f"next try at {backlog.next_try_at.isoformat() if backlog.next_try_at else '-'}")
    for row in outbox.problems(db.session, limit=limit):
        click.echo(f"{row.state}\t{row.statement_id}\ttries={row.tries}\t{row.last_error[:500]}")


@xapi_cli.command("requeue")
@click.option("--dead", is_flag=True, help="Requeue every dead letter.")
@click.option("--id", "ids", multiple=True, type=click.UUID, help="Requeue this statement id (repeatable).")
def requeue(dead: bool, ids: tuple[uuid.UUID, ...]) -> None:
    """Make statements due now: the given ids, all dead letters (--dead), or else every waiting one."""
    count = outbox.requeue(db.session, dead=dead, ids=ids)
    db.session.commit()
    click.echo(f"requeued {count} statement(s)")


@xapi_cli.command("export")
@click.option("--since", help="Only statements from this ISO 8601 date-time on (UTC if no offset).")
@click.option("--out", type=click.Path(dir_okay=False, allow_dash=True), default="-", show_default=True,
              help="CSV file to write (UTF-8 with BOM); - for standard output.")
def export(since: str | None, out: str) -> None:
    """Per-pilot aggregates (learners, attempts, outcomes, units, credentials) read from the LRS, as CSV."""
    try:
        moment = parse_since(since)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--since") from None
    try:
        body = export_csv(db.session, current_settings(), moment)
    except LrsError as error:
        raise click.ClickException(f"could not read the LRS: {error}") from None
    if out == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        Path(out).write_bytes(body)
        click.echo(f"wrote {out}")


def init_app(app: Flask) -> None:
    """Attach the command group and the LRS probe /health uses."""
    from lti_tool.xapi.lrs import LrsProbe

    app.cli.add_command(xapi_cli)
    runtime(app).parts.lrs_probe = LrsProbe(current_settings(app))

