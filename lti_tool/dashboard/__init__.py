"""The teacher dashboard: per course and per placed unit, the roster joined with attempts, resets, CSV export.

Modules: ``models`` (AttemptReset), ``progress`` and ``export`` (pure: a learner's status and outcome cells;
CSV), ``roster_state`` (NRPS through the cache, failures as a notice), ``services`` (the queries), ``pages``
(what a page or CSV shows), ``reset`` (reset an attempt, void its xAPI statements), ``views`` (``bp``, ``init_app``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the dashboards."""
    from lti_tool.dashboard import views

    views.init_app(app)
