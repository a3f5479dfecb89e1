"""Benchmark: the fixed cost of one request through the tool's whole WSGI stack, and of the OIDC login.

In one process, alternating blocks (so a shared machine's noise hits every case alike), the server-thread CPU
(`time.thread_time`) of one request, called straight on the WSGI app (no server, no socket):
- bare: a plain Flask app whose view returns "ok";
- noop: the same view added to our app (deadline middleware, rate-limit wiring, every before/after request hook,
  the cookie session, security headers and the Content-Security-Policy), with the rate limits off and on;
- GET /health (the database, the outboxes' backlog and heartbeats);
- login: POST /lti/login with a registered platform's parameters (302 to the platform, one INSERT), limits off
  and on (on: the limit counted in the database, as in production).

    .venv/bin/python bench/request_overhead.py [--db postgresql|sqlite] [--requests 300] [--rounds 5]
                                               [--profile noop|login|login-limited]

PostgreSQL uses TEST_DATABASE_URL or starts the local server with scripts/postgres-for-tests.sh.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import prepared_tool  # noqa: E402

from tests.lti_platform import TestPlatform  # noqa: E402

BASE = "http://127.0.0.1:5000"
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0", "Accept-Language": "it-IT,it;q=0.9,en;q=0.8",
           "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
           "Accept-Encoding": "gzip, deflate, br"}
Case = Callable[[], dict[str, Any]]


def _noop() -> str:
    return "ok"


def _environ(method: str, path: str, *, form: dict[str, str] | None = None) -> Case:
    from werkzeug.test import EnvironBuilder

    def make() -> dict[str, Any]:
        builder = EnvironBuilder(path=path, method=method, base_url=BASE, headers=BROWSER,
                                 data=urlencode(form) if form else None,
                                 content_type="application/x-www-form-urlencoded" if form else None,
                                 environ_base={"REMOTE_ADDR": "192.0.2.10"})
        try:
            return builder.get_environ()
        finally:
            builder.close()

    return make


def _call(app: Callable[..., Any], environ: dict[str, Any]) -> tuple[str, float]:
    status: list[str] = []

    def start_response(code: str, _headers: object, _exc: object = None) -> None:
        status.append(code)

    started = time.thread_time()
    body = app(environ, start_response)
    try:
        for _chunk in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return status[0], time.thread_time() - started


def _apps(env: dict[str, str]) -> dict[str, Any]:
    from flask import Flask

    from lti_tool import create_app

    os.environ.update({**{k: env[k] for k in ("DATABASE_URL", "INSTANCE_PATH", "SECRET_KEY", "LOG_LEVEL")},
                       "TOOL_BASE_URL": BASE, "RATE_LIMIT_LOGIN": "100000000/minute"})
    apps = {}
    for limits in ("false", "true"):
        os.environ["RATE_LIMITS_ENABLED"] = limits
        app = create_app()
        app.add_url_rule("/bench-noop", "bench_noop", _noop)
        apps[limits] = app
    bare = Flask("bare")
    bare.add_url_rule("/bench-noop", "bench_noop", _noop)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return {"off": apps["false"], "on": apps["true"], "bare": bare}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--requests", type=int, default=300, help="requests per case per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", choices=["noop", "noop-limited", "login", "login-limited"], default=None)
    args = parser.parse_args()

    with TestPlatform() as platform, prepared_tool(args.db, platform) as env:
        apps = _apps(env)
        login = {"iss": platform.issuer, "login_hint": "7", "client_id": platform.client_id,
                 "target_link_uri": BASE + "/lti/launch", "lti_deployment_id": platform.deployment_id,
                 "lti_message_hint": '{"cmid":2,"launchid":"ltilaunch1_0123456789abcdef"}'}
        cases: dict[str, tuple[Any, Case, str]] = {
            "bare flask, GET noop": (apps["bare"], _environ("GET", "/bench-noop"), "200 OK"),
            "ours, GET noop, limits off": (apps["off"], _environ("GET", "/bench-noop"), "200 OK"),
            "ours, GET noop, limits on": (apps["on"], _environ("GET", "/bench-noop"), "200 OK"),
            "ours, GET /health, limits on": (apps["on"], _environ("GET", "/health"), "200 OK"),
            "ours, POST /lti/login, limits off": (apps["off"], _environ("POST", "/lti/login", form=login), "302 FOUND"),
            "ours, POST /lti/login, limits on": (apps["on"], _environ("POST", "/lti/login", form=login), "302 FOUND"),
        }
        for app, make, expected in cases.values():  # warm-up, and each case answers as it should
            for _ in range(30):
                status, _spent = _call(app, make())
                if status != expected:
                    raise RuntimeError(f"{status} instead of {expected}")

        if args.profile:
            import cProfile
            import pstats

            name = {"noop": "ours, GET noop, limits off", "noop-limited": "ours, GET noop, limits on",
                    "login": "ours, POST /lti/login, limits off",
                    "login-limited": "ours, POST /lti/login, limits on"}[args.profile]
            app, make, _expected = cases[name]
            environs = [make() for _ in range(args.requests)]
            profiler = cProfile.Profile(time.thread_time)
            profiler.enable()
            for environ in environs:
                _call(app, environ)
            profiler.disable()
            stats = pstats.Stats(profiler)
            print(f"profile of {args.requests} x {name}: {stats.total_tt * 1000 / args.requests:.3f} ms each under "
                  f"cProfile, {stats.total_calls / args.requests:,.0f} calls each")  # type: ignore[attr-defined]
            lines = int(os.environ.get("PROFILE_LINES", "40"))
            stats.sort_stats("cumulative").print_stats(lines)
            stats.sort_stats("tottime").print_stats(lines)
            return

        rounds: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, (app, make, _expected) in cases.items():
                environs = [make() for _ in range(args.requests)]
                # The collector off while a block runs (collected before it): a collection lands on whichever
                # request crosses its threshold, and would move cost between the cases.
                gc.collect()
                gc.disable()
                try:
                    rounds[name].append(sum(_call(app, environ)[1] for environ in environs))
                finally:
                    gc.enable()
        # The median round of each case: a shared machine slows some blocks down, never speeds one up.
        spent = {name: statistics.median(seconds) for name, seconds in rounds.items()}
        count = args.requests
        calls = {name: _calls(app, make) for name, (app, make, _expected) in cases.items()}
        print(f"server-thread CPU per request, in-process, {args.db} (median of {args.rounds} alternating rounds of "
              f"{args.requests} requests per case), and Python function calls per request (steady on a busy machine):")
        bare = spent["bare flask, GET noop"] / count
        for name, seconds in spent.items():
            print(f"  {name:<36} {seconds * 1000 / count:7.3f} ms  ({seconds / count / bare:5.1f}x bare)"
                  f"  {calls[name]:6,.0f} calls")


def _calls(app: Callable[..., Any], make: Case, requests: int = 50) -> float:
    """Python function calls per request (cProfile's count): the figure machine load does not move."""
    import cProfile
    import pstats

    environs = [make() for _ in range(requests)]
    profiler = cProfile.Profile()
    profiler.enable()
    for environ in environs:
        _call(app, environ)
    profiler.disable()
    total: int = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]
    return total / requests


if __name__ == "__main__":
    main()
