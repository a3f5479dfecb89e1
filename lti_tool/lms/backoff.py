"""Retry timing of the grade outbox (pure): exponential backoff with jitter, and Retry-After."""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from collections.abc import Callable

BASE_SECONDS = 30.0
CAP_SECONDS = 6 * 3600.0


def retry_delay(tries: int, *, base: float = BASE_SECONDS, cap: float = CAP_SECONDS,
                rand: Callable[[], float] = random.random) -> dt.timedelta:
    """Wait before try number ``tries + 1``: base·2^(tries-1) capped, scaled by a jitter in [0.5, 1)."""
    if tries < 1:
        raise ValueError("tries counts the failed tries so far and starts at 1")
    # Jitter keeps many rows that failed together (platform down) from retrying in one burst.
    ceiling = min(cap, base * 2.0 ** min(tries - 1, 60))
    return dt.timedelta(seconds=ceiling * (0.5 + rand() / 2))


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
