"""Retry timing of the outboxes: exponential, capped, jittered (one formula for grades and statements);
Retry-After read both ways."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.lms.backoff import BASE_SECONDS, CAP_SECONDS, retry_after
from lti_tool.outbox import retry
from lti_tool.xapi.worker import DeliveryPolicy


def retry_delay(tries: int, **kwargs: object) -> dt.timedelta:
    """The grade outbox's timing: the shared formula with its bounds."""
    return retry.retry_delay(tries, base=BASE_SECONDS, cap=CAP_SECONDS, **kwargs)  # type: ignore[arg-type]


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


def test_the_statement_outbox_uses_the_same_formula_with_its_own_bounds() -> None:
    policy = DeliveryPolicy(base_delay_s=2.0, max_delay_s=300.0)

    class Fixed:
        def random(self) -> float:
            return 0.0

    assert policy.delay(1, Fixed()) == 1.0  # type: ignore[arg-type]
    assert policy.delay(3, Fixed()) == 4.0  # type: ignore[arg-type]
    assert policy.delay(100, Fixed()) == 150.0  # type: ignore[arg-type]
