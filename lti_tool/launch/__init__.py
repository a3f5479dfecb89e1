"""The LTI 1.3 launch: OIDC login, id_token validation, launch sessions, tenants, registration, keys, framing.

``init_app`` is this package's wiring; the module imports nothing at import time so the pure modules
(claims, login_params) stay free of Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the launch endpoints, dynamic registration, the `platform`/`keys` CLI, the platforms' key cache,
    the framing policy and the launch session's URL and template helpers."""
    from lti_tool.launch import cli, dynamic_registration_views, framing, views, web_session

    views.init_app(app)
    app.register_blueprint(dynamic_registration_views.bp)
    cli.init_app(app)
    framing.init_app(app)
    web_session.init_app(app)
