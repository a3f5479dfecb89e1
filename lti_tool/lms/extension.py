"""Wiring into the app: the `grades` CLI group and one lazily built ServicesClient per process."""

from __future__ import annotations

import threading

from flask import Flask, current_app

from lti_tool.lms.cli import grades_cli
from lti_tool.lms.client import ServicesClient
from lti_tool.runtime import current_settings

_EXTENSION = "mastery.lti_services"


class _ClientHolder:
    """Builds the client on first use (nothing is built at import or app creation) and keeps it."""

    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds
        self._client: ServicesClient | None = None
        self._lock = threading.Lock()

    def get(self) -> ServicesClient:
        with self._lock:
            if self._client is None:
                self._client = ServicesClient(timeout_seconds=self._timeout)
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def init_app(app: Flask) -> None:
    """Register the CLI group and the per-process service client holder."""
    settings = current_settings(app)
    app.extensions[_EXTENSION] = _ClientHolder(settings.http_timeout_seconds)
    app.cli.add_command(grades_cli)


def services_client(app: Flask | None = None) -> ServicesClient:
    """The process's ServicesClient (keep-alive connections shared by the requests of this worker)."""
    holder: _ClientHolder = (app or current_app).extensions[_EXTENSION]
    return holder.get()


def close_services_client(app: Flask | None = None) -> None:
    """Close the process's client (tests, shutdown)."""
    holder: _ClientHolder = (app or current_app).extensions[_EXTENSION]
    holder.close()
