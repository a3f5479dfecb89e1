"""The configured LRS: what the tool asks of an LRS (a Protocol), a client from the settings, and a cached
reachability probe for /health. The adapter (``lrs_client.LrsClient``) is chosen in ``create_app``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from lti_tool.runtime import runtime
from lti_tool.settings import Settings
from lti_tool.xapi.lrs_client import BatchResult

HEALTH_TIMEOUT_S = 1.0
HEALTH_CACHE_S = 5.0


class Lrs(Protocol):
    """The xAPI statements API of an LRS, as the outbox, the exports and the CLI use it."""

    @property
    def base_url(self) -> str:
        """The xAPI base URL, ending in a slash."""
        ...

    def post_batch(self, statements: Sequence[tuple[str, bytes]], *,
                   on_sent: Callable[[], None] | None = None) -> BatchResult:
        """POST statements given as (id, exact JSON bytes); never raises for HTTP trouble.

        `on_sent` is called once the body is on its way (and at the latest before returning)."""
        ...

    def iter_statements(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """The statements matching xAPI GET filters, every page."""
        ...

    def reachable(self) -> bool:
        """Whether the LRS answers."""
        ...


class LrsConnector(Protocol):
    """Opens an LRS connection (closed when the ``with`` block ends)."""

    def __call__(self, base_url: str, username: str, password: str, *, timeout: float = 10.0,
                 connect_timeout: float = 3.0) -> AbstractContextManager[Lrs]:
        ...


def open_lrs(base_url: str, username: str, password: str, *, timeout: float = 10.0,
             connect_timeout: float = 3.0) -> AbstractContextManager[Lrs]:
    """A connection to the LRS at ``base_url`` through the adapter the running app chose."""
    return runtime().lrs_client(base_url, username, password, timeout=timeout, connect_timeout=connect_timeout)


def make_client(settings: Settings, *, timeout: float = 10.0,
                connect_timeout: float = 3.0) -> AbstractContextManager[Lrs]:
    """A connection to the tool's LRS: LRS_URL with LRS_USERNAME/LRS_PASSWORD."""
    return open_lrs(settings.lrs_url, settings.lrs_username, settings.lrs_password,
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
