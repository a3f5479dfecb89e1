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

from flask import Flask, Response, request
from sqlalchemy.exc import SQLAlchemyError

from lti_tool.db import db
from lti_tool.launch.registry_cache import Registry
from lti_tool.launch.web_session import request_registry
from lti_tool.runtime import request_globals, runtime


def content_security_policy(frame_ancestors: Iterable[str], *, form_action: str = "*") -> str:
    """The tool's policy: only its own assets; framed by 'self' and the given origins; forms posted to
    ``form_action`` (any by default: the deep-linking answer and the launch forms post to the LMS)."""
    ancestors = " ".join(["'self'", *frame_ancestors])
    return ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"object-src 'none'; base-uri 'none'; form-action {form_action}; frame-ancestors {ancestors}")


class RegisteredOrigins:
    """The policy of each framing (a launch's deployment, or none yet) for the registry snapshot last seen: one
    snapshot holds for many requests, and building the origins and the policy took longer than the rest of the
    hook (URL parsing; bench/launch.py --profile)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: list[str] = []
        # The snapshot and its policies by deployment pk (None: before a session), replaced as one tuple.
        self._seen: tuple[Registry | None, dict[int | None, str]] = (None, {})

    def policy(self, registry: Registry, deployment_pk: int | None) -> str:
        """The Content-Security-Policy of a response framed for this deployment (None: any enabled platform)."""
        seen = self._seen
        if seen[0] is not registry:
            seen = self._seen = (registry, {})
        found = seen[1].get(deployment_pk)
        if found is None:
            if deployment_pk is None:
                origins = registry.enabled_origins()
                with self._lock:
                    self._value = origins
            else:
                deployment = registry.deployments.get(deployment_pk)
                platform = registry.platforms.get(deployment.platform_id) if deployment is not None else None
                origins = platform.origins if platform is not None else []
            found = seen[1][deployment_pk] = content_security_policy(origins)
        return found

    def last_known(self) -> list[str]:
        """The origins of every enabled registration as last read."""
        with self._lock:
            return self._value


def response_policy(cache: RegisteredOrigins) -> str:
    """The Content-Security-Policy of this response: who may frame it."""
    if request.endpoint == "static":
        return content_security_policy([])  # style sheets, scripts, images are never framed: no database read
    request_g = request_globals()
    deployment_pk = request_g.get("launch_deployment_pk") if request_g.get("launch_session") is not None else None
    try:
        registry = request_registry()
    except SQLAlchemyError:
        db.session.rollback()
        # Framed as before the database went away: a launch's page by no one, any other by the last known origins.
        return content_security_policy([] if deployment_pk is not None else cache.last_known())
    return cache.policy(registry, deployment_pk)


def init_app(app: Flask) -> None:
    """Send the policy with every response that did not set its own."""
    cache = RegisteredOrigins()
    runtime(app).parts.frame_origins = cache

    @app.after_request
    def _policy(response: Response) -> Response:
        # A scan, not `in`: Werkzeug 3.1 answers an absent name by raising and catching an HTTPException (~1.9 µs;
        # lti_tool.web.security.header_names).
        if not any(name.lower() == "content-security-policy" for name, _value in response.headers):
            response.headers.add("Content-Security-Policy", response_policy(cache))
        return response
