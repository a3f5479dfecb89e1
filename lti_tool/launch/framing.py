"""Who may frame the tool's pages (CSP frame-ancestors), and the one Content-Security-Policy the tool sends.

A launched session's pages may be framed only by the LMS that launched them; pages shown before a session exists
(login, launch errors) by any enabled registered platform.

The origins come from the process's snapshot of the registrations (lti_tool.launch.registry_cache), re-read when
the registry generation (one row, bumped by every registration change in any process) moved, so a registration
takes effect at the next request in every worker; the generation is read once per request.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from flask import Flask, Response, g, request
from sqlalchemy.exc import SQLAlchemyError

from lti_tool.db import db
from lti_tool.launch.web_session import request_registry
from lti_tool.runtime import runtime


def content_security_policy(frame_ancestors: Iterable[str], *, form_action: str = "*") -> str:
    """The tool's policy: only its own assets; framed by 'self' and the given origins; forms posted to
    ``form_action`` (any by default: the deep-linking answer and the launch forms post to the LMS)."""
    ancestors = " ".join(["'self'", *frame_ancestors])
    return ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"object-src 'none'; base-uri 'none'; form-action {form_action}; frame-ancestors {ancestors}")


class RegisteredOrigins:
    """Origins of every enabled registration, as of the registry's current generation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: list[str] = []

    def get(self) -> list[str]:
        """The origins now (the last known ones if the DB is down)."""
        try:
            origins = request_registry().enabled_origins()
        except SQLAlchemyError:
            db.session.rollback()
            with self._lock:
                return self._value
        with self._lock:
            self._value = origins
        return origins


def frame_ancestors(cache: RegisteredOrigins) -> list[str]:
    """Who may frame this response."""
    if request.endpoint == "static":
        return []  # style sheets, scripts, images are never framed: no database read for them
    deployment_pk = g.get("launch_deployment_pk") if g.get("launch_session") is not None else None
    if deployment_pk is not None:
        try:
            registry = request_registry()
        except SQLAlchemyError:
            db.session.rollback()
            return []
        deployment = registry.deployments.get(deployment_pk)
        platform = registry.platforms.get(deployment.platform_id) if deployment is not None else None
        return platform.origins if platform is not None else []
    return cache.get()


def init_app(app: Flask) -> None:
    """Send the policy with every response that did not set its own."""
    cache = RegisteredOrigins()
    runtime(app).parts.frame_origins = cache

    @app.after_request
    def _policy(response: Response) -> Response:
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = content_security_policy(frame_ancestors(cache))
        return response
