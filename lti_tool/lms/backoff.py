"""Retry timing of the grade outbox (pure): its backoff bounds (formula: lti_tool.outbox.retry), Retry-After."""

from __future__ import annotations

import datetime as dt
import email.utils

# An LMS is down for minutes to hours: first retry after 15-30 s, never more than 6 h apart.
BASE_SECONDS = 30.0
CAP_SECONDS = 6 * 3600.0


def retry_after(value: str | None, *, now: dt.datetime) -> dt.timedelta | None:
    """The wait an HTTP ``Retry-After`` header asks for (RFC 9110 §10.2.3: seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return dt.timedelta(seconds=int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(dt.timedelta(0), when - now)
