"""The catalogue: units, outcomes and items loaded from content/, the deep-linking picker, the course page."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the catalogue and picker pages, the `content` CLI, and the pages a launch may land on."""
    from lti_tool.catalogue import cli, deep_linking_views, views
    from lti_tool.launch.views import add_landing

    app.register_blueprint(views.bp)
    app.register_blueprint(deep_linking_views.bp)
    cli.init_app(app)
    add_landing(app, "deep_linking.picker", deep_linking_views.picker_page)
    add_landing(app, "catalogue.course_page", views.render_course_page)
    add_landing(app, "catalogue.nothing_placed", views.render_nothing_placed)
