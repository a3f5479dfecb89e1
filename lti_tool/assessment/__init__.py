"""Assessment: attempts, responses, scoring per learning outcome, mastery, review, uploads, the unit page."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the attempt API and pages, the teacher's review, and the learner's unit page (a landing page)."""
    from lti_tool.assessment import review_views, unit_views, views
    from lti_tool.launch.views import add_landing

    views.init_app(app)
    app.register_blueprint(review_views.bp)
    app.register_blueprint(unit_views.bp)
    add_landing(app, "units.unit_page", unit_views.render_unit_page)
