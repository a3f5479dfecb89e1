"""The worker loop both outboxes share: drain while more is due, wait for the next due row, stop on request."""

from __future__ import annotations

import datetime as dt
import threading

from lti_tool.db import as_utc, utcnow
from lti_tool.outbox.report import DeliveryReport
from lti_tool.outbox.worker import run
from lti_tool.xapi.lrs_client import Outcome


def test_once_drains_while_more_is_due_and_sums_the_reports() -> None:
    lots = [DeliveryReport(delivered=[1, 2], more=True), DeliveryReport(delivered=[3], failed=[4])]
    beats: list[int] = []
    total = run(lambda: lots.pop(0), due=lambda: None, beat=lambda: beats.append(1), once=True, poll_seconds=1)
    assert (total.delivered, total.failed, total.handled, lots) == ([1, 2, 3], [4], 4, [])
    assert len(beats) == 2
    assert total.summary() == "delivered 3, waiting to retry 0, failed 1, conflicts 0, superseded 0"


def test_a_drain_stopped_by_an_outage_waits_instead_of_spinning() -> None:
    stop = threading.Event()
    calls: list[float] = []

    def drain() -> DeliveryReport:
        calls.append(1)
        if len(calls) == 2:
            stop.set()
        return DeliveryReport(retrying=[7], more=True, stopped_by=Outcome.RETRYABLE)

    # The next row is due in 0.2 s: the loop waits that long (not the 30 s poll), then tries again.
    started = utcnow()
    run(drain, due=lambda: utcnow() + dt.timedelta(seconds=0.2), beat=lambda: None, once=False, poll_seconds=30,
        stop=stop)
    assert len(calls) == 2 and utcnow() - started < dt.timedelta(seconds=5)


def test_aggregates_read_back_naive_or_as_text_become_aware_utc() -> None:
    aware = dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC)
    assert as_utc(None) is None
    assert as_utc(aware.replace(tzinfo=None)) == aware
    assert as_utc("2026-12-05 10:00:00") == aware
    assert as_utc(aware) is aware
