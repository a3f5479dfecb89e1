"""A WSGI app whose /spin request runs pure-Python work for 20 s, behind the tool's request time limit.

Served by gunicorn with the tool's own config in tests/integration/test_gunicorn_bounds.py.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from lti_tool.bounds.deadline import RequestDeadline


def _spin(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ["PATH_INFO"] == "/spin":
        end = time.monotonic() + 20
        while time.monotonic() < end:
            pass
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"served by {os.getpid()}\n".encode()]


def create() -> RequestDeadline:
    """The spin app with a one-second limit per request."""
    return RequestDeadline(_spin, seconds=float(os.environ.get("SPIN_LIMIT_SECONDS", "1")))
