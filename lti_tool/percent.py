"""The one rounding rule for a score as a percentage (pure; every floor may use it)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_TENTH = Decimal("0.1")


def percent_value(fraction: float) -> float:
    """The one rounding rule for a score as a percentage (page, PDF, credential, AGS gradebook, teacher pages).

    One decimal, halves rounded up, computed on the score as written (0.8125 → 81.3, 0.825 → 82.5): float
    arithmetic would make 0.825 × 100 = 82.49999… and round it down, and Python's ``round`` rounds halves to even.
    """
    percent = Decimal(repr(float(fraction))) * 100
    return float(percent.quantize(_TENTH, rounding=ROUND_HALF_UP))
