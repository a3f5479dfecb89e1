"""Security headers every response carries (the Content-Security-Policy is lti_tool.launch.framing's)."""

from __future__ import annotations

from flask import Flask, Response, current_app


def init_app(app: Flask) -> None:
    """Add the headers to every response."""

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if current_app.config.get("PREFERRED_URL_SCHEME") == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
