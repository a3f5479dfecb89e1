"""Assessment: attempts, responses, scoring per learning outcome, mastery, review, uploads, the unit page."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the attempt API and pages, the teacher's review, the learner's unit page (a landing page), and
    the count of attempts a platform purge deletes."""
    from lti_tool.assessment import review_views, unit_views, views
    from lti_tool.assessment.services import attempts_in_courses
    from lti_tool.launch.registration import add_purge_count
    from lti_tool.launch.views import add_landing

    views.init_app(app)
    app.register_blueprint(review_views.bp)
    app.register_blueprint(unit_views.bp)
    add_landing(app, "units.unit_page", unit_views.render_unit_page)
    add_purge_count(app, "learner attempt(s)", attempts_in_courses)
