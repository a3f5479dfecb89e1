"""A time limit per request that frees the thread serving it (gunicorn's gthread worker never does).

Measured with gunicorn 27.0.1 (tests/integration/test_gunicorn_bounds.py): with ``worker_class = "gthread"``
the ``timeout`` setting only watches the worker's main loop, which keeps beating while a request thread
spins, so a 40 s request runs to its end and every request queued behind it waits. (The ``sync`` worker
is killed at ``timeout``, answering 500 and dropping its whole process.)

Here a watchdog thread per process raises :class:`RequestTimedOut` inside a request thread that passes its
deadline (``PyThreadState_SetAsyncExc``, CPython's documented C API). The exception is raised at the next
Python bytecode the thread runs, so it stops pure-Python work (JSON-LD canonicalisation, templates, loops);
a thread blocked inside one C call is bounded by that call's own timeout instead (HTTP clients, the
database's busy timeout). The request answers 503 with a page or JSON like any other error.

An exception raised this way can land where CPython swallows it: in a weakref callback or a ``__del__`` the
garbage collector runs on that thread (seen in CI: SQLAlchemy's ``_collection_gced`` reported it as "Exception
ignored"), and the request then runs on. So a request still in flight a while after its timeout fired gets it
again, until it reaches the error handler that answers it (:func:`timeout_in_hand`): from then on the
request is cleaning up (rolling back, releasing its connection), and a timeout raised into that would cut the
cleanup short or itself land in a garbage-collector callback (seen in CI on PostgreSQL: "Exception ignored in
WeakKeyDictionary.remove" during the 503's teardown).
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import ServiceUnavailable

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class RequestTimedOut(ServiceUnavailable):
    """A request that ran past its time limit; the work was stopped and nothing was committed."""

    description = "The tool stopped this request because it took too long. Nothing was saved; please try again."


@dataclass
class _Entry:
    thread_id: int
    deadline: float
    fired: bool = False
    fired_at: float = 0.0
    in_hand: bool = False


class Watchdog:
    """Tracks the deadline of every request in flight in this process and stops the overdue ones."""

    def __init__(self, *, interval: float = 0.2, refire_after: float = 1.0) -> None:
        self._lock = threading.Lock()
        self._entries: dict[int, _Entry] = {}
        self._interval = interval
        self._refire_after = refire_after
        self._thread: threading.Thread | None = None

    def enter(self, seconds: float) -> _Entry:
        """Start watching the calling thread's request."""
        entry = _Entry(threading.get_ident(), time.monotonic() + seconds)
        with self._lock:
            self._entries[entry.thread_id] = entry
            if self._thread is None or not self._thread.is_alive():
                # Started by the first request, after gunicorn forked the worker (threads do not survive a fork).
                self._thread = threading.Thread(target=self._run, name="request-deadline", daemon=True)
                self._thread.start()
        return entry

    def extend(self, seconds: float) -> None:
        """Give the calling thread's request this many seconds from its start instead (uploads take longer)."""
        with self._lock:
            entry = self._entries.get(threading.get_ident())
            if entry is not None and not entry.fired:
                entry.deadline = max(entry.deadline, time.monotonic() + seconds)

    def in_hand(self) -> None:
        """The calling thread's request caught its timeout and is answering it: raise nothing more into it."""
        with self._lock:
            entry = self._entries.get(threading.get_ident())
            if entry is not None and entry.fired:
                entry.in_hand = True
                # A raise the watchdog made just now and not yet delivered is withdrawn too.
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(entry.thread_id), None)

    def leave(self, entry: _Entry) -> None:
        """Stop watching; a timeout fired too late to be raised is withdrawn so it cannot hit the next request."""
        with self._lock:
            if self._entries.get(entry.thread_id) is entry:
                del self._entries[entry.thread_id]
            if entry.fired:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(entry.thread_id), None)

    def _run(self) -> None:
        while True:
            time.sleep(self._interval)
            now = time.monotonic()
            with self._lock:
                for entry in self._entries.values():
                    if entry.in_hand:
                        continue
                    if not entry.fired and now > entry.deadline:
                        log.warning("request stopped after its time limit (thread %s)", entry.thread_id)
                    elif entry.fired and now > entry.fired_at + self._refire_after:
                        log.warning("request still running after its timeout was raised; raised again "
                                    "(thread %s)", entry.thread_id)
                    else:
                        continue
                    entry.fired, entry.fired_at = True, now
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(
                        ctypes.c_ulong(entry.thread_id), ctypes.py_object(RequestTimedOut))


def timeout_in_hand(environ: dict[str, Any]) -> None:
    """Called by the handler answering a :class:`RequestTimedOut`: the watchdog stops raising into the request."""
    watchdog: Watchdog | None = environ.get("mastery.deadline")
    if watchdog is not None:
        watchdog.in_hand()


class RequestDeadline:
    """WSGI middleware: every request gets ``seconds``; past that it is stopped and answered 503."""

    def __init__(self, app: WSGIApp, *, seconds: float, watchdog: Watchdog | None = None) -> None:
        self.app = app
        self.seconds = seconds
        self.watchdog = watchdog or Watchdog()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        entry = self.watchdog.enter(self.seconds)
        environ["mastery.deadline"] = self.watchdog
        started: list[bool] = []

        def watched_start_response(*args: Any) -> Any:
            started.append(True)
            return start_response(*args)

        try:
            try:
                result = self.app(environ, watched_start_response)
                try:
                    # The body is built under the watch too: a lazily streamed one would outlive it.
                    return list(result)
                finally:
                    close = getattr(result, "close", None)
                    if close is not None:
                        close()
            except RequestTimedOut:
                self.watchdog.in_hand()
                if started:
                    raise
                # Raised outside Flask's handlers (in a teardown, say): answer plainly.
                return RequestTimedOut()(environ, start_response)
        finally:
            while True:  # a timeout raised while leaving is withdrawn by leave(); try again
                try:
                    self.watchdog.leave(entry)
                    break
                except RequestTimedOut:
                    continue
