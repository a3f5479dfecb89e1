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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def wait_healthy(port: int, seconds: float = 60) -> None:
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


@dataclass
class Server:
    """One gunicorn master serving on a loopback port."""

    port: int
    base: str
    process: subprocess.Popen[bytes]

    def workers(self) -> list[int]:
        """The worker processes' ids (children of the master)."""
        return children(self.process.pid)


def children(pid: int) -> list[int]:
    """Ids of the processes whose parent is `pid` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    """Resident set size of the process in MiB (/proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def prepared_tool(kind: str, platform: object) -> Iterator[dict[str, str]]:
    """A fresh database of that kind, migrated, loaded, with `platform` registered; yields the tool's env."""
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url, drop = fresh_database(kind, tmp)
        env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp / "instance"),
               "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING",
               # Every simulated client shares one address here: per-client rate limits would measure themselves.
               "RATE_LIMITS_ENABLED": "false"}
        flask = [str(ROOT / ".venv/bin/flask"), "--app", "lti_tool"]
        p = platform
        try:
            for args in (["db", "upgrade"], ["content", "load"],
                         ["platform", "add", "--issuer", p.issuer, "--client-id", p.client_id,  # type: ignore[attr-defined]
                          "--deployment-id", p.deployment_id, "--auth-login-url", p.auth_login_url,  # type: ignore[attr-defined]
                          "--auth-token-url", p.auth_token_url, "--key-set-url", p.key_set_url]):  # type: ignore[attr-defined]
                subprocess.run(flask + args, env=env, check=True, capture_output=True, cwd=ROOT)
            yield env
        finally:
            drop()


def in_process_app(env: dict[str, str]) -> tuple[Any, int, str]:
    """Our app built in this process on a prepared tool's database (see prepared_tool): the app, and the port and
    base URL it is to be served at (its TOOL_BASE_URL)."""
    import logging

    from tests.support.live_server import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    os.environ.update({**{k: env[k] for k in ("DATABASE_URL", "INSTANCE_PATH", "SECRET_KEY", "RATE_LIMITS_ENABLED",
                                                "LOG_LEVEL")}, "TOOL_BASE_URL": base})
    from lti_tool import create_app

    app = create_app()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return app, port, base


@contextmanager
def gunicorn(app: str, env: dict[str, str], *, port: int | None = None, base: str | None = None,
             workers: int = 2, chdir: Path = ROOT, config: Path = ROOT / "config/gunicorn.conf.py") -> Iterator[Server]:
    """`app` served by gunicorn with the project's config (gthread) and `workers` workers.

    `config`: another gunicorn config file (bench/profile_hooks.py: the project's plus SQL counts and cProfile).
    """
    from tests.support.live_server import free_port

    port = port or free_port()
    base = base or f"http://127.0.0.1:{port}"
    env = {**env, "PORT": str(port), "TOOL_BASE_URL": base, "GUNICORN_WORKERS": str(workers)}
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", str(config), "--chdir", str(chdir),
         "--access-logfile", "/dev/null", app], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(port)
        deadline = time.time() + 10
        while len(children(process.pid)) < workers and time.time() < deadline:
            time.sleep(0.05)
        yield Server(port, base, process)
    finally:
        process.terminate()
        try:
            process.wait(30)  # gunicorn's graceful timeout is 20 s
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextmanager
def tool_under_gunicorn(kind: str, platform: object, *, config: str = "config/gunicorn.conf.py",
                        extra_env: dict[str, str] | None = None) -> Iterator[tuple[int, str]]:
    """The tool migrated, loaded, with `platform` registered, served by gunicorn; yields (port, base URL)."""
    with prepared_tool(kind, platform) as env, gunicorn("lti_tool:create_app()", {**env, **(extra_env or {})},
                                                        config=ROOT / config) as server:
        yield server.port, server.base
