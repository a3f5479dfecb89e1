"""The pilots' charts: a value axis with a few round labels that do not run into each other."""

from __future__ import annotations

import re

import pytest

from lti_tool.pilots.charts import bar_chart, grouped_chart, value_ticks


@pytest.mark.parametrize("top", [0.5, 1, 3, 7, 12, 42, 99, 100, 150, 1000, 12345])
@pytest.mark.parametrize("whole", [False, True])
def test_ticks_are_few_round_and_cover_the_range(top: float, whole: bool) -> None:
    ticks = value_ticks(top, whole=whole)
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert ticks[0] == 0 and ticks[-1] >= top and len(ticks) <= 7
    assert len(steps) == 1
    [step] = steps
    assert ticks[-1] - step < top  # no empty step beyond the largest value
    if whole:
        assert all(isinstance(tick, int) for tick in ticks)


def _axis_labels(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>(\d[\d.]*%?)</text>", svg)


def test_the_targets_chart_labels_its_axis_every_25_percent() -> None:
    svg = bar_chart("Progress (%)", ["Pilots running", "Learners reached"], [7.7, 1.0], maximum=150, unit="%")
    assert [label for label in _axis_labels(svg) if label.endswith("%")][:7] == [
        "0%", "25%", "50%", "75%", "100%", "125%", "150%"]


def test_learner_counts_are_labelled_in_whole_learners() -> None:
    svg = grouped_chart("Learners by stage", ["it-manu-1"], [("Launched", [1]), ("Mastered", [0])])
    assert "0.2" not in _axis_labels(svg) and "0.5" not in _axis_labels(svg)


def test_a_narrow_chart_is_drawn_360_wide_with_short_labels_and_few_ticks() -> None:
    labels = ["Pilots running", "Learners reached", "manufacturing-circular-design · Rank circular strategies"]
    narrow = bar_chart("Progress (%)", labels, [7.7, 1.0, 50], maximum=150, unit="%", width=360)
    wide = bar_chart("Progress (%)", labels, [7.7, 1.0, 50], maximum=150, unit="%")
    assert 'viewBox="0 0 360 ' in narrow and 'viewBox="0 0 640 ' in wide
    assert "Pilots running" in narrow and "manufacturing-…" in narrow and "Rank circular" not in narrow
    assert "Rank circular strategies" in wide
    assert [label for label in _axis_labels(narrow) if label.endswith("%")][:4] == ["0%", "50%", "100%", "150%"]
