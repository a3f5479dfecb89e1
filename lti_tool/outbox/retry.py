"""When to try again after a failed delivery (pure): exponential backoff, capped, with jitter."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable


def retry_delay(tries: int, *, base: float, cap: float,
                rand: Callable[[], float] = random.random) -> dt.timedelta:
    """Wait before try number ``tries + 1``: base·2^(tries-1) capped, scaled by a jitter in [0.5, 1)."""
    if tries < 1:
        raise ValueError("tries counts the failed tries so far and starts at 1")
    # Jitter keeps many rows that failed together (remote system down) from retrying in one burst.
    ceiling = min(cap, base * 2.0 ** min(tries - 1, 60))
    return dt.timedelta(seconds=ceiling * (0.5 + rand() / 2))
