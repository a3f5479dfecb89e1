"""Security headers. CSP frame-ancestors: a launched session's pages may be framed only by the LMS that launched
them; pages shown before a session exists (login, launch errors) by any enabled registered platform.

The list of registered origins is cached per worker and re-read when the registry generation (one row, bumped
by every registration change in any process) differs from the cached one, so a registration takes effect at
the next request in every worker.
"""

from __future__ import annotations

import threading

from flask import Flask, Response, current_app, g, request
from sqlalchemy.exc import SQLAlchemyError

from lti_tool.db import db
from lti_tool.launch.registration import current_generation, enabled_platform_origins, platform_origins


class RegisteredOrigins:
    """Origins of every enabled registration, re-read only when the registry generation moved."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: list[str] = []
        self._generation: int | None = None

    def get(self) -> list[str]:
        """The origins, as of the registry's current generation (the last known ones if the DB is down)."""
        try:
            generation = current_generation(db.session)
        except SQLAlchemyError:
            db.session.rollback()
            with self._lock:
                return self._value
        with self._lock:
            if generation == self._generation:
                return self._value
        origins = enabled_platform_origins(db.session)
        with self._lock:
            self._value, self._generation = origins, generation
        return origins


def frame_ancestors(cache: RegisteredOrigins) -> list[str]:
    """Who may frame this response."""
    if request.endpoint == "static":
        return []  # style sheets, scripts, images are never framed: no database read for them
    session = g.get("launch_session")
    if session is not None:
        try:
            return platform_origins(session.deployment.platform)
        except SQLAlchemyError:
            db.session.rollback()
            return []
    return cache.get()


def init_app(app: Flask) -> None:
    """Add the headers to every response."""
    cache = RegisteredOrigins()
    app.extensions["mastery.frame_origins"] = cache

    @app.after_request
    def _headers(response: Response) -> Response:
        if "Content-Security-Policy" not in response.headers:
            ancestors = " ".join(["'self'", *frame_ancestors(cache)])
            response.headers["Content-Security-Policy"] = (
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                f"object-src 'none'; base-uri 'none'; form-action *; frame-ancestors {ancestors}")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if current_app.config.get("PREFERRED_URL_SCHEME") == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
