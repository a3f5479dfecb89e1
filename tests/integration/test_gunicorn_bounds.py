"""Issue 11 under real gunicorn with the tool's config (config/gunicorn.conf.py, gthread):

- the request time limit frees the thread (gunicorn's own ``timeout`` never fires for a gthread request);
- rate limits count across workers (the database storage), where per-process memory would not;
- a body the app never read no longer breaks the next request on a kept-alive connection.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from lti_tool.settings import PROJECT_ROOT
from tests.support.live_server import free_port

GUNICORN = str(PROJECT_ROOT / ".venv" / "bin" / "gunicorn")


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str]) -> Iterator[int]:
    port = free_port()
    full = {**os.environ, **env, "PORT": str(port), "HOST": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([GUNICORN, "-c", "config/gunicorn.conf.py", "--access-logfile", "/dev/null",
                                app_spec], cwd=PROJECT_ROOT, env=full, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            try:
                conn.request("GET", "/ready")
                conn.getresponse().read()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
            finally:
                conn.close()
        yield port
    finally:
        process.send_signal(signal.SIGINT)  # quick shutdown (TERM waits up to graceful_timeout)
        process.communicate(timeout=30)


def _get(port: int, path: str, timeout: float = 30) -> tuple[int, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        conn.close()


def test_the_time_limit_frees_gthread_threads() -> None:
    """Two threads per worker, three 20-second requests: each is stopped at ~1 s and a quick one still passes."""
    with gunicorn("tests.support.spin_app:create()", {"GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "2"}) as port:
        results: list[tuple[int, float]] = []
        spinners = [threading.Thread(target=lambda: results.append(_get(port, "/spin"))) for _ in range(3)]
        for thread in spinners:
            thread.start()
        time.sleep(0.3)
        status, took = _get(port, "/quick")
        for thread in spinners:
            thread.join()
    assert status == 200 and took < 4, took  # without the limit it waits ~20 s behind the spinners
    assert [s for s, _ in results] == [503, 503, 503]
    assert max(t for _, t in results) < 5, results  # the third waited for a thread, then got its own second


def _post(conn: http.client.HTTPConnection, path: str, body: bytes) -> int:
    conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    return response.status


def test_limits_across_workers_and_unread_bodies(app: Flask, database_url: str, tmp_path: Path) -> None:
    storage = os.environ.get("MEASURE_RATE_LIMIT_STORAGE", "database")  # memory:// to measure per-process counting
    env = {"RATE_LIMIT_STORAGE": storage, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "instance"),
           "SECRET_KEY": "gunicorn-test",
           "GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "2", "RATE_LIMIT_LOGIN": "10/minute", "SWEEP_SECONDS": "0"}
    with gunicorn("lti_tool:create_app()", env) as port:
        # A body the app refused unread (401: no session) and the next request on the same connection.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        pairs = Counter()
        for _ in range(20):
            first = _post(conn, "/api/attempts", b'{"unit": "' + b"x" * 100_000 + b'"}')
            conn.request("GET", "/api/units")
            second = conn.getresponse()
            second.read()
            pairs[(first, second.status)] += 1
        conn.close()
        assert pairs == Counter({(401, 200): 20})

        # 40 logins from one client, 8 at a time over fresh connections (so both workers serve them).
        statuses: list[int] = []

        def login() -> None:
            for _ in range(5):
                statuses.append(_get(port, "/lti/login")[0])

        clients = [threading.Thread(target=login) for _ in range(8)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
    # Exactly the limit passed across both workers (per-process memory storage would let up to 2 x 10 through).
    assert Counter(statuses) == Counter({400: 10, 429: 30})
