"""The configured LRS: a client from the settings, and a cached reachability probe for /health."""

from __future__ import annotations

import threading
import time

from lti_tool.settings import Settings
from lti_tool.xapi.lrs_client import LrsClient

HEALTH_TIMEOUT_S = 1.0
HEALTH_CACHE_S = 5.0


def make_client(settings: Settings, *, timeout: float = 10.0, connect_timeout: float = 3.0) -> LrsClient:
    """An LRS client for LRS_URL with LRS_USERNAME/LRS_PASSWORD."""
    return LrsClient(settings.lrs_url, settings.lrs_username, settings.lrs_password,
                     timeout=timeout, connect_timeout=connect_timeout)


class LrsProbe:
    """Whether the LRS answers, asked at most once every few seconds (health checks come often)."""

    def __init__(self, settings: Settings, cache_seconds: float = HEALTH_CACHE_S) -> None:
        self._settings = settings
        self._cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._reachable = False

    def status(self) -> str:
        """"ok" or "unreachable"."""
        with self._lock:
            if time.monotonic() - self._checked_at >= self._cache_seconds:
                with make_client(self._settings, timeout=HEALTH_TIMEOUT_S, connect_timeout=HEALTH_TIMEOUT_S) as lrs:
                    self._reachable = lrs.reachable()
                self._checked_at = time.monotonic()
            return "ok" if self._reachable else "unreachable"
