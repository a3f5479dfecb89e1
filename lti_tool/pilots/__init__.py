"""Pilots: groups of LMS courses, coordinators, the pilot dashboard, the learners' voice and data rights."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the pilot pages, the learners' questionnaire and the `pilots` CLI."""
    from lti_tool.pilots import views

    views.init_app(app)
