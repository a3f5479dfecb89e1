"""The long-running worker loop every outbox shares: drain, report, wait for the next due row, stop cleanly."""

from __future__ import annotations

import datetime as dt
import signal
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.db import as_utc, utcnow
from lti_tool.outbox.report import DeliveryReport

MIN_WAIT_S = 0.05


def next_due(session: so.Session, state: Any, next_try_at: Any, pending: str = "pending") -> dt.datetime | None:
    """When the next pending row of an outbox table becomes due (None when nothing is pending); commits."""
    value = session.scalar(sa.select(sa.func.min(next_try_at)).where(state == pending))
    session.commit()  # end the read transaction: the worker holds none while it waits
    return as_utc(value)


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set `stop`: the row or batch in hand is finished, then the loop ends."""
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())


def run(
    drain: Callable[[], DeliveryReport],
    *,
    due: Callable[[], dt.datetime | None],
    beat: Callable[[], None],
    once: bool,
    poll_seconds: float,
    stop: threading.Event | None = None,
    echo: Callable[[str], None] | None = None,
    describe: Callable[[DeliveryReport], str] = DeliveryReport.summary,
) -> DeliveryReport:
    """Drain until nothing is due (`once`) or until `stop` is set; returns the sum of every drain.

    `drain` delivers one bounded lot and says in `more` whether more rows may be due right away; `due` tells
    when the next pending row becomes due; `beat` records the worker as alive; `echo` prints `describe(report)`
    after each drain that handled rows. A drain that ends early
    (`stopped_by`: the remote system is down) waits for the backoff instead of spinning.
    """
    stop = stop or threading.Event()
    total = DeliveryReport()
    while not stop.is_set():
        beat()
        report = drain()
        total.add(report)
        if echo is not None and report.handled and not once:
            echo(describe(report))
        if report.more and report.stopped_by is None:
            continue  # there may be more due right away
        if once:
            break
        # New rows arrive due at once, so never sleep longer than one poll.
        when = due()
        wait = poll_seconds if when is None else min(poll_seconds, (when - utcnow()).total_seconds())
        stop.wait(max(wait, MIN_WAIT_S))
    return total
