"""`flask --app lti_tool grades deliver [--once]`, `grades list`, `grades retry`: the grade outbox by hand."""

from __future__ import annotations

import threading
from contextlib import closing

import click
from flask.cli import AppGroup

from lti_tool.db import db
from lti_tool.lms.grade_sync import deliver_pending_scores, list_syncs, requeue_failed
from lti_tool.lms.models import GradeSync, SyncState
from lti_tool.operations.heartbeat import Heartbeat
from lti_tool.outbox import worker as worker_loop
from lti_tool.outbox.report import DeliveryReport
from lti_tool.runtime import current_settings, runtime

grades_cli = AppGroup("grades", help="Scores on their way to the LMS gradebooks (LTI AGS).")


def _summary(report: DeliveryReport) -> str:
    return (f"sent {len(report.delivered)}, retrying later {len(report.retrying)}, failed {len(report.failed)}, "
            f"superseded {len(report.superseded)}")


@grades_cli.command("deliver")
@click.option("--once", is_flag=True, help="Send what is due now, then stop (else keep running).")
@click.option("--limit", default=50, show_default=True, help="Rows per batch.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds to wait when nothing is due.")
def grades_deliver(once: bool, limit: int, interval: float) -> None:
    """Post pending scores to the LMS; failed posts are retried with backoff, refused ones kept with the reason."""
    settings = current_settings()
    stop = threading.Event()
    if not once:
        worker_loop.stop_on_signals(stop)  # finish the row in hand, then leave
    heartbeat = Heartbeat("grades")
    with closing(runtime().lms_client(settings.http_timeout_seconds)) as client:
        total = worker_loop.run(
            lambda: deliver_pending_scores(db.session, client, limit=limit),
            due=lambda: worker_loop.next_due(db.session, GradeSync.state, GradeSync.next_try_at,
                                             SyncState.PENDING.value),
            beat=lambda: heartbeat.beat(db.session), once=once, poll_seconds=interval, stop=stop, echo=click.echo,
            describe=_summary)
    db.session.remove()
    click.echo(_summary(total))


@grades_cli.command("list")
@click.option("--state", "states", multiple=True, type=click.Choice([s.value for s in SyncState] + ["all"]),
              help="Which rows (repeatable); default: pending and failed.")
@click.option("--limit", default=200, show_default=True)
def grades_list(states: tuple[str, ...], limit: int) -> None:
    """List scores not (yet) in the gradebook, with the reason given by the LMS."""
    chosen = list(SyncState) if "all" in states else [SyncState(s) for s in states] or [
        SyncState.PENDING, SyncState.FAILED]
    rows = list_syncs(db.session, states=chosen, limit=limit)
    if not rows:
        click.echo("No grade sync in state " + ", ".join(chosen) + ".")
    for row in rows:
        link = row.resource_link
        score = row.score.get("scoreGiven")
        shown = f"{score}/{row.score.get('scoreMaximum')}" if score is not None else "-"
        click.echo("\t".join([
            f"#{row.id}", row.state, f"tries={row.tries}", f"next={row.next_try_at:%Y-%m-%d %H:%M:%S}",
            link.context.deployment.platform.issuer, f"course={link.context.context_id}",
            f"link={link.resource_link_id}", f"user={row.user.sub}", f"event={row.event_id}",
            f"score={shown}", f"progress={row.score.get('activityProgress')}/{row.score.get('gradingProgress')}",
            f"lms={row.platform_answer or '-'}", row.last_error or "",
        ]))


@grades_cli.command("retry")
@click.argument("ids", nargs=-1, type=int)
def grades_retry(ids: tuple[int, ...]) -> None:
    """Put failed scores (all, or the given ids) back in the queue once the LMS side is fixed."""
    count = requeue_failed(db.session, ids or None)
    db.session.commit()
    click.echo(f"{count} failed score(s) queued again.")
