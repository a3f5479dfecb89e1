"""Injected failures of the test platform's endpoints: 5xx, 429, a slow answer (client timeout), a refusal."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from .server import HttpRequest, HttpResponse


@dataclass
class Fault:
    """Answer `status` with `body` to the next `times` requests matching `methods` and the path regex."""

    methods: frozenset[str]
    pattern: re.Pattern[str]
    status: int
    body: Any
    times: int
    delay: float
    headers: dict[str, str]


class Faults:
    """A router hook: the first live fault matching a request answers it (after its delay)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.hits: list[tuple[str, str, int]] = []  # (method, raw target with query, status) of each hit

    def add(self, path_regex: str, *, status: int = 500, body: Any = None, times: int = 1, delay: float = 0.0,
            methods: str = "GET POST PUT DELETE", headers: dict[str, str] | None = None) -> None:
        """Queue a fault; status 0 means "answer normally, but only after `delay` seconds"."""
        fault = Fault(frozenset(methods.split()), re.compile(path_regex), status, body, times, delay,
                      dict(headers or {}))
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._faults.clear()

    def __call__(self, request: HttpRequest) -> HttpResponse | None:
        with self._lock:
            fault = next((f for f in self._faults if f.times > 0 and request.method in f.methods
                          and f.pattern.fullmatch(request.path)), None)
            if fault is not None:
                fault.times -= 1
                self.hits.append((request.method, request.raw_target, fault.status))
        if fault is None:
            return None
        if fault.delay:
            time.sleep(fault.delay)
        if fault.status == 0:
            return None
        if fault.body is None:
            return HttpResponse.empty(fault.status)
        if isinstance(fault.body, str):
            return HttpResponse(fault.status, fault.body.encode(), "text/plain; charset=utf-8", fault.headers)
        return HttpResponse(fault.status, json.dumps(fault.body).encode(), "application/json", fault.headers)
