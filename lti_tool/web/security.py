"""Security headers: the LMS may frame us (CSP frame-ancestors lists the registered platforms)."""

from __future__ import annotations

import threading
import time

from flask import Flask, Response, current_app

from lti_tool.db import db
from lti_tool.launch.registration import platform_origins

_CACHE_SECONDS = 30.0


class _OriginCache:
    """Platform origins, re-read at most every 30 s so a new registration is framed soon."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: list[str] = []
        self._read_at = float("-inf")

    def get(self) -> list[str]:
        now = time.monotonic()
        with self._lock:
            if now - self._read_at < _CACHE_SECONDS:
                return self._value
        origins = platform_origins(db.session)
        with self._lock:
            self._value, self._read_at = origins, now
        return origins

    def clear(self) -> None:
        with self._lock:
            self._read_at = float("-inf")


def init_app(app: Flask) -> None:
    """Add the headers to every response."""
    cache = _OriginCache()
    app.extensions["mastery.frame_origins"] = cache

    @app.after_request
    def _headers(response: Response) -> Response:
        ancestors = " ".join(["'self'", *cache.get()])
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"object-src 'none'; base-uri 'none'; form-action *; frame-ancestors {ancestors}",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if current_app.config.get("PREFERRED_URL_SCHEME") == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
