"""Domain events: subscribers run in the order wired, and the wiring lists every event once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lti_tool import events, wire_events
from lti_tool.settings import Settings


def test_subscribers_run_in_the_order_they_were_subscribed() -> None:
    heard: list[tuple[str, Any]] = []
    bus = events.Events()
    bus.subscribe(events.CredentialRevoked, lambda db, e: heard.append(("first", e)))
    bus.subscribe(events.CredentialRevoked, lambda db, e: heard.append(("second", e)))
    bus.subscribe(events.Launched, lambda db, e: heard.append(("other", e)))
    event = events.CredentialRevoked(credential=None, at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # type: ignore[arg-type]
    bus.publish(None, event)  # type: ignore[arg-type]
    assert heard == [("first", event), ("second", event)]


def test_the_wiring_names_each_event_and_puts_the_result_record_before_the_credential() -> None:
    bus = wire_events(Settings(TOOL_BASE_URL="https://tool.example"))
    wired = {kind: [getattr(s, "__name__", type(s).__name__) for s in bus.subscribers(kind)] for kind in (
        events.Launched, events.SectionRead, events.AttemptStarted, events.AttemptResult, events.CredentialIssued,
        events.CredentialRevoked, events.AttemptResetByTeacher)}
    assert all(wired.values())
    # "earned" is recorded on CredentialIssued, which issue_on_mastery publishes: after the result's statements.
    assert wired[events.AttemptResult] == ["grade_after_result", "result", "issue_on_mastery"]
    assert wired[events.AttemptResetByTeacher] == ["reset", "grade_after_reset"]
