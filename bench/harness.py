"""What the benchmarks share: a fresh database, the tool under gunicorn (2 workers) with the platform registered."""

from __future__ import annotations

import http.client
import os
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pg_admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = subprocess.run(["bash", str(ROOT / "scripts/postgres-for-tests.sh")], check=True,
                             capture_output=True, text=True).stdout.strip()
    return url


def fresh_database(kind: str, tmp: Path) -> tuple[str, Callable[[], None]]:
    """A new empty database of that kind, and the function that drops it."""
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


def wait_healthy(port: int, seconds: float = 20) -> None:
    """Until /health answers 200."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


@contextmanager
def tool_under_gunicorn(kind: str, platform: object) -> Iterator[tuple[int, str]]:
    """The tool migrated, loaded, with `platform` registered, served by gunicorn; yields (port, base URL)."""
    from tests.support.live_server import free_port

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url, drop = fresh_database(kind, tmp)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp / "instance"), "TOOL_BASE_URL": base,
               "SECRET_KEY": "bench", "PORT": str(port), "LOG_LEVEL": "WARNING",
               # Every simulated client shares one address here: per-client rate limits would measure themselves.
               "RATE_LIMITS_ENABLED": "false"}
        flask = [str(ROOT / ".venv/bin/flask"), "--app", "lti_tool"]
        p = platform
        for args in (["db", "upgrade"], ["content", "load"],
                     ["platform", "add", "--issuer", p.issuer, "--client-id", p.client_id,  # type: ignore[attr-defined]
                      "--deployment-id", p.deployment_id, "--auth-login-url", p.auth_login_url,  # type: ignore[attr-defined]
                      "--auth-token-url", p.auth_token_url, "--key-set-url", p.key_set_url]):  # type: ignore[attr-defined]
            subprocess.run(flask + args, env=env, check=True, capture_output=True, cwd=ROOT)
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "config/gunicorn.conf.py", "--access-logfile", "/dev/null",
             "lti_tool:create_app()"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_healthy(port)
            yield port, base
        finally:
            server.terminate()
            server.wait(10)
            drop()
