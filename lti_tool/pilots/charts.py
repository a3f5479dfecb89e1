"""Server-rendered SVG charts through pygal (a thin adapter: the pages never see pygal).

Why pygal: pure Python on lxml (already installed), ~7 ms and ~12-16 KB per chart here, text stays text in
the SVG (searchable, zoomable, read by screen readers), no numpy/matplotlib stack (~40 MB) for a few bar charts.
Its defaults are unfit for us and set here: it links its tooltip script from a CDN (js=[] — nothing external),
writes an inline <script> config and <style>, and has no role/aria. So the charts are served as images
(`<img alt=…>`: an SVG image never runs scripts) with their own narrow CSP, and every chart has a data table
next to it on the page, which is the accessible alternative (WCAG 2.1 1.1.1).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from functools import cache
from types import ModuleType
from typing import Any


@cache
def _pygal() -> ModuleType:
    """pygal, imported on first use without its import hook.

    pygal 3.1.3 appends a legacy `PluginImportFixer` (find_module only, for pygal.maps plugins) to
    sys.meta_path at import; from then on every failed import anywhere in the process (e.g. openpyxl probing
    for numpy) emits an ImportWarning, an error under pytest's filterwarnings=error. We use no map plugins.
    """
    import pygal

    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]
    return pygal


def _style() -> Any:
    from pygal.style import Style

    # Colours with >= 4.5:1 contrast on white for text; bars distinguishable without colour (one series each).
    return Style(
        background="white", plot_background="white", foreground="#1b1b1b", foreground_strong="#1b1b1b",
        foreground_subtle="#555555", colors=("#1f5f8b", "#2e7d32", "#8a4b00", "#6a1b9a"),
        font_family="system-ui, sans-serif", label_font_size=13, major_label_font_size=13, title_font_size=16,
        legend_font_size=13, value_font_size=12,
    )


WIDE, NARROW = 640, 360


def _config(title: str, height: int, width: int) -> dict[str, object]:
    return {"style": _style(), "js": [], "disable_xml_declaration": True, "title": title, "width": width,
            "height": height, "explicit_size": False, "print_values": True, "show_legend": False,
            "truncate_label": 40, "no_data_text": "-"}


def _fit(labels: Sequence[str], width: int) -> list[str]:
    """On a phone the page shows the NARROW drawing at its own size (the 640 px one, scaled to 328 px, had 6 px
    text), with labels cut to leave the bars room; the table beside it has them whole. Cut here: pygal 3.1.3's
    ``truncate_label`` leaves a HorizontalBar's labels (its x labels, drawn on the vertical axis) whole."""
    if width >= WIDE:
        return list(labels)
    return [label if len(label) <= 15 else label[:14].rstrip() + "…" for label in labels]


def value_ticks(top: float, *, whole: bool = False, most: int = 6) -> list[float]:
    """0 to at least ``top`` in at most ``most`` equal steps of 1, 2, 2.5 or 5 × a power of ten (whole numbers
    only when ``whole``: counts of learners).

    pygal's own scale on a 0–150 range puts a label every 10: sixteen labels ran into each other on the 640 px chart.
    """
    magnitude = 10 ** math.floor(math.log10(top / most)) if top > 0 else 1
    steps = [m * magnitude for m in (1, 2, 2.5, 5, 10)]
    if whole:
        steps = [step for step in steps if step >= 1 and float(step).is_integer()] or [1]
    step = next((step for step in steps if top / step <= most), steps[-1])
    ticks = [round(i * step, 10) for i in range(math.ceil(top / step - 1e-9) + 1)]
    return [int(tick) if float(tick).is_integer() else tick for tick in ticks]


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float | None], *, maximum: float | None = None,
              unit: str = "", width: int = WIDE) -> str:
    """A horizontal bar chart as an SVG document (text)."""
    ticks = value_ticks(maximum, most=6 if width >= WIDE else 3) if maximum else None
    chart = _pygal().HorizontalBar(**_config(title, 120 + 34 * max(len(labels), 1), width),
                                range=(0, ticks[-1]) if ticks else None, y_labels=ticks)
    chart.x_labels = _fit(labels, width)
    chart.value_formatter = lambda value: f"{value:g}{unit}"
    chart.add(title, [value if value is not None else None for value in values])
    return str(chart.render(is_unicode=True))


def grouped_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *,
                  width: int = WIDE) -> str:
    """Bars side by side for a few series (e.g. launched, attempted, mastered per pilot), with a legend."""
    # pygal squeezes an all-zero axis into a point (labels drawn on top of each other): keep at least 0..1.
    top = max([1.0, *(v for _, values in series for v in values if v is not None)])
    ticks = value_ticks(top, whole=True, most=6 if width >= WIDE else 3)
    chart = _pygal().HorizontalBar(**{**_config(title, 140 + 26 * max(len(labels), 1) * max(len(series), 1), width),
                                      "show_legend": True, "legend_at_bottom": True, "range": (0, ticks[-1]),
                                      "y_labels": ticks})
    chart.x_labels = _fit(labels, width)
    for name, values in series:
        chart.add(name, list(values))
    return str(chart.render(is_unicode=True))
