"""Cross-cutting web concerns: error pages, security headers, health."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """First of all: the URL converters (before any route), error pages, i18n, security headers, /health and
    the `tool-config` command."""
    from lti_tool.web import assets, cookie_session, edge, errors, health, i18n, security, tool_info

    edge.install_converters(app)
    app.register_blueprint(health.bp)
    errors.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    cookie_session.init_app(app)
    tool_info.init_app(app)
