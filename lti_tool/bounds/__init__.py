"""Bounded work per request: rate limits, body sizes, concurrency and time (issue 11)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Last of the packages: the limits wrap every view registered before them; then the sweeper."""
    from lti_tool.bounds import limits, sweeper
    from lti_tool.runtime import current_settings

    settings = current_settings(app)
    limits.init_app(app, settings)
    sweeper.init_app(app, seconds=settings.sweep_seconds, background=not settings.testing)
