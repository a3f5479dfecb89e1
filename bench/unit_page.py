"""Benchmark: one learner's unit page (GET /units/<slug>, as a reload or a link back to it), and a request's fixed cost.

The launch renders this page itself (bench/launch.py); here it is measured alone, in-process (no HTTP server, no
profiler for the CPU figure): a learner launched once from the independent platform, then N page views, each
as a WSGI call of the app. Printed per request: thread CPU (best of 5 rounds), Python function calls (cProfile's
count, the steady figure on a shared machine) and SQL statements; the same for a view that does nothing, which is
every request's fixed cost in this app (hooks, middleware, session and registry checks), beside a bare Flask app.

    .venv/bin/python bench/unit_page.py [--db postgresql|sqlite] [--views 1000]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import in_process_app, prepared_tool  # noqa: E402

from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform  # noqa: E402

UNIT = "wood-chain-of-custody"
WSGI = Callable[[dict[str, Any], Callable[..., Any]], Any]


def _measure(app: WSGI, environ: dict[str, Any], views: int, statements: list[str]) -> tuple[float, float, float]:
    """(thread CPU µs, Python calls, SQL statements) per request."""
    body = environ["wsgi.input"].read()

    def one() -> bytes:
        env = dict(environ, **{"wsgi.input": io.BytesIO(body)})
        return b"".join(app(env, lambda *_: None))

    for _ in range(50):
        one()
    best = float("inf")
    for _ in range(5):
        started = time.thread_time()
        for _ in range(views):
            one()
        best = min(best, (time.thread_time() - started) / views)
    statements.clear()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(200):
        one()
    profiler.disable()
    return best * 1e6, pstats.Stats(profiler).total_calls / 200, len(statements) / 200  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--views", type=int, default=1000, help="page views per timed round")
    args = parser.parse_args()
    import sqlalchemy as sa
    from flask import Flask

    with TestPlatform() as platform, prepared_tool(args.db, platform) as env:
        app, port, base = in_process_app(env)
        from lti_tool.db import db

        app.add_url_rule("/bench-nothing", "bench_nothing", lambda: "ok")
        statements: list[str] = []
        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        server = make_server("127.0.0.1", port, app, threaded=True)
        import threading

        threading.Thread(target=server.serve_forever, daemon=True).start()
        browser = requests.Session()
        landing = platform.launch(browser, login_url=f"{base}/lti/login", target_link_uri=f"{base}/lti/launch",
                                  user=PlatformUser(sub="bench-learner", name="Bench Learner"),
                                  roles=[LtiRoles.LEARNER], custom={"unit": UNIT})
        server.shutdown()
        token = re.search(r'<meta name="launch-session" content="([^"]+)"', landing.text)
        if landing.status_code != 200 or token is None:
            raise SystemExit(f"the launch did not land on the unit page: {landing.status_code}")
        page = EnvironBuilder(path=f"/units/{UNIT}", base_url=base,
                              headers={"X-Launch-Session": token.group(1)}).get_environ()
        nothing = EnvironBuilder(path="/bench-nothing", base_url=base).get_environ()
        bare = Flask("bare")
        bare.add_url_rule("/bench-nothing", "bench_nothing", lambda: "ok")
        print(f"MASTERY unit page, in-process, {args.db}, {args.views} views a round (best of 5)")
        for name, wsgi, environ in (("learner's unit page", app, page), ("a view that does nothing", app, nothing),
                                    ("the same in a bare Flask app", bare, nothing)):
            cpu, calls, sql = _measure(wsgi, environ, args.views, statements)
            print(f"  {name}: {cpu:.0f} µs thread CPU, {calls:,.0f} Python calls, {sql:.1f} SQL statements")


if __name__ == "__main__":
    main()
