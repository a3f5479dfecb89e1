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
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.lti_platform import Claim, LtiRoles, TestPlatform  # noqa: E402
from tests.support.live_server import free_port  # noqa: E402

UNIT = "wood-chain-of-custody"


def _pg_admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = subprocess.run(["bash", str(ROOT / "scripts/postgres-for-tests.sh")], check=True,
                             capture_output=True, text=True).stdout.strip()
    return url


def _fresh_database(kind: str, tmp: Path) -> tuple[str, callable]:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite3'}", lambda: None
    import sqlalchemy as sa

    admin_url = sa.make_url(_pg_admin_url())
    name = f"mastery_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.set(database=name).render_as_string(hide_password=False), drop


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
    with tempfile.TemporaryDirectory() as tmp_name, TestPlatform() as platform:
        tmp = Path(tmp_name)
        url, drop = _fresh_database(kind, tmp)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp / "instance"), "TOOL_BASE_URL": base,
               "SECRET_KEY": "bench", "PORT": str(port), "LOG_LEVEL": "WARNING"}
        flask = [str(ROOT / ".venv/bin/flask"), "--app", "lti_tool"]
        for args in (["db", "upgrade"], ["content", "load"],
                     ["platform", "add", "--issuer", platform.issuer, "--client-id", platform.client_id,
                      "--deployment-id", platform.deployment_id, "--auth-login-url", platform.auth_login_url,
                      "--auth-token-url", platform.auth_token_url, "--key-set-url", platform.key_set_url]):
            subprocess.run(flask + args, env=env, check=True, capture_output=True, cwd=ROOT)
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "config/gunicorn.conf.py", "--access-logfile", "/dev/null",
             "lti_tool:create_app()"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait(port)
            Client(port, platform, base, time.perf_counter() + 2, 0).run()  # warm-up: JWKS cache, pools
            until = time.perf_counter() + seconds
            workers = [Client(port, platform, base, until, i + 1) for i in range(clients)]
            started = time.perf_counter()
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(10)
            drop()
    lat = sorted(x for w in workers for x in w.latencies)
    errors = [e for w in workers for e in w.errors]
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [0.0] * 99
    print(f"{kind:10s} clients={clients:2d} launches={len(lat):6d} {len(lat) / elapsed:7.1f} launches/s  "
          f"p50={q[49] * 1000:6.1f} ms  p95={q[94] * 1000:6.1f} ms  p99={q[98] * 1000:6.1f} ms  errors={len(errors)}"
          + (f"  first error: {errors[0]}" if errors else ""))


def _wait(port: int) -> None:
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


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
