"""xAPI: the MASTERY profile, pure statement builders, validation and the LRS client."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the profile, outbox and section-read endpoints, the `xapi` CLI and the LRS probe."""
    from lti_tool.xapi import cli, views

    app.register_blueprint(views.bp)
    cli.init_app(app)
