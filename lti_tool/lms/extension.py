"""Wiring into the app: the `grades` CLI group and one lazily built LMS services client per process (through
the adapter ``create_app`` chose)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask

from lti_tool.lms.cli import grades_cli
from lti_tool.lms.protocol import LmsServices
from lti_tool.runtime import current_settings, runtime, wired


class ClientHolder:
    """Builds the client on first use (nothing is built at import or app creation) and keeps it."""

    def __init__(self, open_client: Callable[[float], LmsServices], timeout_seconds: float) -> None:
        self._open = open_client
        self._timeout = timeout_seconds
        self._client: LmsServices | None = None
        self._lock = threading.Lock()

    def get(self) -> LmsServices:
        with self._lock:
            if self._client is None:
                self._client = self._open(self._timeout)
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def init_app(app: Flask) -> None:
    """Register the CLI group and the per-process service client holder."""
    settings = current_settings(app)
    runtime(app).parts.lms_services = ClientHolder(runtime(app).lms_client, settings.http_timeout_seconds)
    app.cli.add_command(grades_cli)


def services_client(app: Flask | None = None) -> LmsServices:
    """The process's LMS services client (keep-alive connections shared by the requests of this worker)."""
    return wired(runtime(app).parts.lms_services, "the LMS services client").get()


def close_services_client(app: Flask | None = None) -> None:
    """Close the process's client (tests, shutdown)."""
    wired(runtime(app).parts.lms_services, "the LMS services client").close()
