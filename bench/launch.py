"""Benchmark: full LTI login + launch round trips against gunicorn (2 workers), on SQLite and PostgreSQL.

Each round trip is what a browser does: POST /lti/login (→ 302 to the platform with state and nonce, state
cookie set), then POST /lti/launch with a freshly signed id_token (→ 303 to the unit page, session cookie).
The platform's part (the auth endpoint) is done in-process by signing the id_token with the platform key,
so the figures are the tool's; the tool fetches the platform JWKS over HTTP (cached) as in production.

    .venv/bin/python bench/launch.py [--seconds 15] [--clients 10] [--db sqlite|postgresql|both]

PostgreSQL uses TEST_DATABASE_URL or starts the local server with scripts/postgres-for-tests.sh.
Prints launches/s, p50, p95, p99 and errors; targets: p95 ≤ 25 ms at 10 clients, ≥ 300 launches/s.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

from harness import tool_under_gunicorn  # noqa: E402

from tests.lti_platform import Claim, LtiRoles, TestPlatform  # noqa: E402

UNIT = "wood-chain-of-custody"


class Client(threading.Thread):
    """One browser doing launches back to back over keep-alive connections."""

    def __init__(self, port: int, platform: TestPlatform, base: str, until: float, user: int) -> None:
        super().__init__(daemon=True)
        self.port, self.platform, self.base, self.until, self.user = port, platform, base, until, user
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        while time.perf_counter() < self.until:
            start = time.perf_counter()
            try:
                self._launch(conn)
            except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure and goes on
                self.errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                continue
            self.latencies.append(time.perf_counter() - start)
        conn.close()

    def _launch(self, conn: http.client.HTTPConnection) -> None:
        p = self.platform
        form = urlencode({"iss": p.issuer, "login_hint": str(self.user), "client_id": p.client_id,
                          "target_link_uri": self.base + "/lti/launch", "lti_deployment_id": p.deployment_id})
        conn.request("POST", "/lti/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        login = conn.getresponse()
        login.read()
        if login.status != 302:
            raise RuntimeError(f"login {login.status}")
        query = parse_qs(urlsplit(login.getheader("Location", "")).query)
        state, nonce = query["state"][0], query["nonce"][0]
        cookie = SimpleCookie(login.getheader("Set-Cookie", ""))
        now = int(time.time())
        token = p.build_id_token({
            "iss": p.issuer, "aud": p.client_id, "sub": f"user-{self.user}", "iat": now, "exp": now + 60,
            "nonce": nonce, "name": f"Learner {self.user}",
            str(Claim.VERSION): "1.3.0", str(Claim.MESSAGE_TYPE): "LtiResourceLinkRequest",
            str(Claim.DEPLOYMENT_ID): p.deployment_id, str(Claim.TARGET_LINK_URI): self.base + "/lti/launch",
            str(Claim.ROLES): [LtiRoles.LEARNER], str(Claim.RESOURCE_LINK): {"id": "rl-bench"},
            str(Claim.CONTEXT): {"id": "course-bench", "title": "Bench"}, str(Claim.CUSTOM): {"unit": UNIT},
        })
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Cookie": "; ".join(f"{k}={v.value}" for k, v in cookie.items())}
        conn.request("POST", "/lti/launch", urlencode({"id_token": token, "state": state}), headers)
        answer = conn.getresponse()
        answer.read()
        if answer.status != 303:
            raise RuntimeError(f"launch {answer.status}")


def _run(kind: str, seconds: float, clients: int) -> None:
    with TestPlatform() as platform, tool_under_gunicorn(kind, platform) as (port, base):
        Client(port, platform, base, time.perf_counter() + 2, 0).run()  # warm-up: JWKS cache, pools
        until = time.perf_counter() + seconds
        workers = [Client(port, platform, base, until, i + 1) for i in range(clients)]
        started = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - started
    lat = sorted(x for w in workers for x in w.latencies)
    errors = [e for w in workers for e in w.errors]
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [0.0] * 99
    print(f"{kind:10s} clients={clients:2d} launches={len(lat):6d} {len(lat) / elapsed:7.1f} launches/s  "
          f"p50={q[49] * 1000:6.1f} ms  p95={q[94] * 1000:6.1f} ms  p99={q[98] * 1000:6.1f} ms  errors={len(errors)}"
          + (f"  first error: {errors[0]}" if errors else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    print(f"MASTERY launch benchmark: gunicorn 2 workers (gthread), {os.cpu_count()} CPUs, {args.seconds:.0f} s each")
    for kind in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        _run(kind, args.seconds, args.clients)


if __name__ == "__main__":
    main()
