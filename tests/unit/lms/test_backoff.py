"""Retry timing of the grade outbox: exponential, capped, jittered; Retry-After read both ways."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.lms.backoff import CAP_SECONDS, retry_after, retry_delay


def test_delay_doubles_per_try_with_jitter_between_half_and_full() -> None:
    assert retry_delay(1, rand=lambda: 0.0) == dt.timedelta(seconds=15)
    assert retry_delay(1, rand=lambda: 0.999999) < dt.timedelta(seconds=30)
    assert retry_delay(2, rand=lambda: 0.0) == dt.timedelta(seconds=30)
    assert retry_delay(5, rand=lambda: 0.0) == dt.timedelta(seconds=240)


@given(st.integers(min_value=1, max_value=10_000), st.floats(min_value=0, max_value=0.999999))
def test_delay_is_bounded_and_grows(tries: int, r: float) -> None:
    delay = retry_delay(tries, rand=lambda: r).total_seconds()
    assert 15 * 0.999 <= delay <= CAP_SECONDS
    assert retry_delay(tries + 1, rand=lambda: r).total_seconds() >= delay


def test_delay_needs_a_failed_try() -> None:
    with pytest.raises(ValueError):
        retry_delay(0)


def test_retry_after_seconds_and_http_date() -> None:
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    assert retry_after("120", now=now) == dt.timedelta(seconds=120)
    assert retry_after("Mon, 23 Nov 2026 10:01:00 GMT", now=now) == dt.timedelta(seconds=60)
    assert retry_after("Mon, 23 Nov 2026 09:00:00 GMT", now=now) == dt.timedelta(0)
    assert retry_after(None, now=now) is None
    assert retry_after("soon", now=now) is None
