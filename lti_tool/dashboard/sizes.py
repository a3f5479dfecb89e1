"""File sizes in human units in the reader's language (pure; Babel's CLDR units): 45 B, 1.5 kB, 2.3 MB."""

from __future__ import annotations

from babel.units import format_unit

_STEPS = (("digital-byte", 1), ("digital-kilobyte", 1000), ("digital-megabyte", 1000**2), ("digital-gigabyte", 1000**3))


def human_size(size: int, locale: str = "en") -> str:
    """``size`` bytes in the largest unit that keeps the number at 1 or more, one decimal at most."""
    unit, scale = _STEPS[0]
    for name, factor in _STEPS:
        if size >= factor:
            unit, scale = name, factor
    value = size / scale
    return format_unit(value if scale > 1 else int(size), unit, length="short", locale=locale.replace("-", "_"),
                       format="#,##0.#")
