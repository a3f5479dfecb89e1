"""The sweeper: expired login states, ended rate-limit windows, and timed attempts whose time ran out.

Each gunicorn worker runs it in a background thread (started by its first request, after the fork) every
``SWEEP_SECONDS``; ``flask --app lti_tool sweep`` runs it once. Every step is idempotent, so workers
sweeping at the same moment do no harm: deletes are plain, and an attempt is closed by the same conditional
UPDATE as a submit (exactly one closer publishes its AttemptResult: grade, learning record, credential).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

import click
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import orm as so

from lti_tool.assessment.models import Attempt, AttemptState
from lti_tool.assessment.services import SUBMIT_GRACE, finalize
from lti_tool.bounds.store import sweep_windows
from lti_tool.db import db, utcnow
from lti_tool.launch.login_state import LoginStateStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Swept:
    """What one sweep removed or closed."""

    login_states: int
    rate_windows: int
    attempts_closed: int


def close_timed_out_attempts(session: so.Session, *, now: dt.datetime, limit: int = 100) -> int:
    """Score attempts whose time limit (plus the grace) passed, each in its own committed transaction."""
    ids = list(session.scalars(sa.select(Attempt.id).where(
        Attempt.state == AttemptState.IN_PROGRESS, Attempt.deadline_at.is_not(None),
        Attempt.deadline_at < now - SUBMIT_GRACE).order_by(Attempt.deadline_at).limit(limit)))
    closed = 0
    for attempt_id in ids:
        attempt = session.get(Attempt, attempt_id)
        if attempt is not None and attempt.state == AttemptState.IN_PROGRESS:
            finalize(session, attempt, now=now)
            closed += 1
        session.commit()
    return closed


def sweep(session: so.Session, *, now: dt.datetime | None = None) -> Swept:
    """One sweep, committing as it goes."""
    now = now or utcnow()
    states = LoginStateStore(session, lifetime_seconds=0).sweep()
    windows = sweep_windows(session.connection(), now.timestamp())
    session.commit()
    return Swept(login_states=states, rate_windows=windows,
                 attempts_closed=close_timed_out_attempts(session, now=now))


class Sweeper:
    """A daemon thread per process that sweeps every ``seconds``."""

    def __init__(self, app: Flask, seconds: int) -> None:
        self._app, self._seconds = app, seconds
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def ensure_started(self) -> None:
        """Start the thread once per process (called on requests: gunicorn forks after create_app)."""
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sweeper", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        stop = threading.Event()
        while not stop.wait(self._seconds):
            with self._app.app_context():
                try:
                    swept = sweep(db.session)
                    if swept.attempts_closed:
                        log.info("sweep: %s", swept)
                except sa.exc.SQLAlchemyError as error:  # the database is away: try again next time
                    log.warning("sweep failed: %s", type(error).__name__)
                finally:
                    db.session.remove()


def init_app(app: Flask, *, seconds: int, background: bool) -> None:
    """The ``sweep`` command, and the background sweeper when ``background`` (not in tests)."""

    @app.cli.command("sweep")
    def sweep_command() -> None:
        """Delete expired login states and rate-limit windows; score timed attempts that ran out."""
        swept = sweep(db.session)
        click.echo(f"login states deleted: {swept.login_states}; rate-limit windows deleted: "
                   f"{swept.rate_windows}; timed-out attempts scored: {swept.attempts_closed}")

    if background and seconds > 0:
        sweeper = Sweeper(app, seconds)
        app.before_request(sweeper.ensure_started)
