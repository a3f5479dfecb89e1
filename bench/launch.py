"""Benchmark: our full LTI launch side by side with a bare pylti1p3next tool, memory, and two replicas.

The tools run under gunicorn (2 gthread workers, config/gunicorn.conf.py) at the same time, registered with the
same independent platform (tests/lti_platform/), and get alternating blocks of launches, so machine noise hits
them alike. On PostgreSQL a third tool runs beside them, the floor (bench/floor_tool.py): the bare tool plus the
work the issue requires of a launch (single-use state and nonce in the database, tenant upserts, the session, the
queued statement, a rendered page), written as directly as we can, so the required work's own cost is measured.
One launch, for each tool, is what a browser does:
- ours: POST /lti/login (302 to the platform, state cookie), POST /lti/launch with a freshly signed id_token
  (validated; single-use nonce and state in the database, tenant upserts, launch session, xAPI statement
  queued), answered with the unit page itself (rendered, 200; until session 6 a 303 and a third request);
- bare (bench/bare_tool.py): POST /login (302), POST /launch (validated by pylti1p3next, JSON answer);
- floor (bench/floor_tool.py): as bare, plus one INSERT at the login and one SQL statement and a page at the launch.
The platform's auth step is done in-process (the client signs the id_token with the platform key), so the
figures are the tools'. Worker CPU per launch is read from /proc (utime+stime of every worker, before and after
each block): it is the robust figure on a shared machine; latencies are noisier.

Then: RSS of each of our workers after warm-up and after --memory-launches launches; and, on PostgreSQL, two
replicas of the tool (1 worker each, one database) behind bench/proxy.py against one replica alone.

    .venv/bin/python bench/launch.py [--db postgresql|sqlite] [--block 3] [--rounds 3] [--clients 10]
                                     [--memory-launches 10000] [--replica-seconds 8] [--profile 300]

PostgreSQL uses TEST_DATABASE_URL or starts the local server with scripts/postgres-for-tests.sh.
Targets (issue 16): our worker CPU per launch ≤ 1.0× the bare tool's; p95 ≤ 25 ms at 10 clients; no RSS growth.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import Server, cpu_seconds, gunicorn, in_process_app, prepared_tool, rss_mib  # noqa: E402

from tests.lti_platform import Claim, LtiRoles, TestPlatform  # noqa: E402
from tests.support.live_server import free_port  # noqa: E402

UNIT = "wood-chain-of-custody"


@dataclass(frozen=True)
class Tool:
    """How a client drives one tool's launch."""

    name: str
    login_path: str
    launch_path: str
    launch_status: int
    page: bool  # the launch answers with the rendered landing page (ours), not JSON (the bare tool)


OURS = Tool("ours", "/lti/login", "/lti/launch", 200, page=True)
BARE = Tool("bare", "/login", "/launch", 200, page=False)
FLOOR = Tool("floor", "/login", "/launch", 200, page=True)
PAGE_BYTES: dict[str, int] = {}  # the length of the page each tool's launch answers with (the last one seen)


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.msg.get_all("Set-Cookie") or []:
        for key, morsel in SimpleCookie(header).items():
            jar[key] = morsel.value


class Client(threading.Thread):
    """One browser doing launches back to back over a keep-alive connection."""

    def __init__(self, tool: Tool, port: int, base: str, platform: TestPlatform, until: float, user: int,
                 limit: int | None = None) -> None:
        super().__init__(daemon=True)
        self.tool, self.port, self.base, self.platform, self.until, self.user = tool, port, base, platform, until, user
        self.limit = limit
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        while time.perf_counter() < self.until and (self.limit is None or len(self.latencies) < self.limit):
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
        p, tool, jar = self.platform, self.tool, {}
        target = self.base + tool.launch_path
        form = urlencode({"iss": p.issuer, "login_hint": str(self.user), "client_id": p.client_id,
                          "target_link_uri": target, "lti_deployment_id": p.deployment_id})
        conn.request("POST", tool.login_path, form, {"Content-Type": "application/x-www-form-urlencoded"})
        login = conn.getresponse()
        login.read()
        if login.status != 302:
            raise RuntimeError(f"login {login.status}")
        _cookies(login, jar)
        query = parse_qs(urlsplit(login.getheader("Location", "")).query)
        state, nonce = query["state"][0], query["nonce"][0]
        now = int(time.time())
        token = p.build_id_token({
            "iss": p.issuer, "aud": p.client_id, "sub": f"user-{self.user}", "iat": now, "exp": now + 60,
            "nonce": nonce, "name": f"Learner {self.user}",
            str(Claim.VERSION): "1.3.0", str(Claim.MESSAGE_TYPE): "LtiResourceLinkRequest",
            str(Claim.DEPLOYMENT_ID): p.deployment_id, str(Claim.TARGET_LINK_URI): target,
            str(Claim.ROLES): [LtiRoles.LEARNER], str(Claim.RESOURCE_LINK): {"id": "rl-bench"},
            str(Claim.CONTEXT): {"id": "course-bench", "title": "Bench"}, str(Claim.CUSTOM): {"unit": UNIT},
        })
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
        conn.request("POST", tool.launch_path, urlencode({"id_token": token, "state": state}), headers)
        answer = conn.getresponse()
        body = answer.read()
        if answer.status != tool.launch_status:
            raise RuntimeError(f"launch {answer.status}")
        # The launch is complete when its page has arrived: ours answers with the unit page (a browser then only
        # replaces the POST's history entry with the page's address, js/landing.js: no further request).
        if tool.page and (b"<html" not in body[:200].lower() or f'data-unit="{UNIT}"'.encode() not in body):
            raise RuntimeError("the launch's answer is not the unit page")
        PAGE_BYTES[tool.name] = len(body)


@dataclass
class Tally:
    """What blocks of launches against one tool at one concurrency added up to."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu: float = 0.0

    @property
    def launches(self) -> int:
        return len(self.latencies)

    def quantile(self, q: int) -> float:
        if len(self.latencies) < 2:
            return 0.0
        return statistics.quantiles(self.latencies, n=100)[q - 1] * 1000

    def cpu_ms(self) -> float:
        return self.cpu * 1000 / max(self.launches, 1)

    def rate(self) -> float:
        return self.launches / self.seconds if self.seconds else 0.0


def block(tool: Tool, server: Server, platform: TestPlatform, clients: int, seconds: float, tally: Tally,
          first_user: int = 1, limit: int | None = None) -> None:
    """Launch from `clients` clients for `seconds` (or `limit` launches each); add it to `tally`."""
    workers = server.workers()
    before = sum(cpu_seconds(pid) for pid in workers)
    until = time.perf_counter() + seconds
    threads = [Client(tool, server.port, server.base, platform, until, first_user + i, limit) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.seconds += time.perf_counter() - started
    tally.cpu += sum(cpu_seconds(pid) for pid in workers) - before
    for thread in threads:
        tally.latencies.extend(thread.latencies)
        tally.errors.extend(thread.errors)


def _platform_conf(platform: TestPlatform) -> dict[str, str]:
    """The registration the bare and floor tools are configured with (ours has it in its database)."""
    return {"issuer": platform.issuer, "client_id": platform.client_id, "deployment_id": platform.deployment_id,
            "auth_login_url": platform.auth_login_url, "auth_token_url": platform.auth_token_url,
            "key_set_url": platform.key_set_url}


def _floor_conf(env: dict[str, str], platform: TestPlatform) -> dict[str, str]:
    """The floor tool's configuration: the platform, and its tables made in our tool's fresh database."""
    import floor_tool
    import sqlalchemy as sa

    database = sa.make_url(env["DATABASE_URL"]).set(drivername="postgresql").render_as_string(hide_password=False)
    floor_tool.prepare(database, {UNIT: "Chain of custody for certified wood"})
    return {**_platform_conf(platform), "database": database}


@contextmanager
def all_tools(kind: str, platform: TestPlatform) -> Iterator[dict[str, Server]]:
    """Our tool, the bare tool and (on PostgreSQL) the floor tool, each under gunicorn with 2 workers."""
    bare_env = {**os.environ, "BARE_TOOL_CONF": json.dumps(_platform_conf(platform))}
    with prepared_tool(kind, platform) as env, gunicorn("lti_tool:create_app()", env) as ours, \
            gunicorn("bare_tool:create_app()", bare_env, port=free_port(), chdir=ROOT / "bench") as bare:
        if kind != "postgresql":
            yield {OURS.name: ours, BARE.name: bare}
            return
        floor_env = {**os.environ, "FLOOR_TOOL_CONF": json.dumps(_floor_conf(env, platform))}
        with gunicorn("floor_tool:create_app()", floor_env, port=free_port(), chdir=ROOT / "bench") as floor:
            yield {OURS.name: ours, FLOOR.name: floor, BARE.name: bare}


def _row(name: str, t: Tally) -> str:
    return (f"  {name:5s} {t.launches:7d} {t.rate():9.1f} {t.quantile(50):8.1f} {t.quantile(95):8.1f} "
            f"{t.cpu_ms():10.2f}  {len(t.errors)}" + (f"  first error: {t.errors[0]}" if t.errors else ""))


def _ratio(a: Tally, b: Tally, label: str) -> str:
    return (f"{label}: CPU per launch {a.cpu_ms() / max(b.cpu_ms(), 1e-9):.2f}×, "
            f"launches/s {a.rate() / max(b.rate(), 1e-9):.2f}×, p50 {a.quantile(50) / max(b.quantile(50), 1e-9):.2f}×")


def side_by_side(kind: str, args: argparse.Namespace) -> None:
    """Alternating blocks against every tool, the table, then memory."""
    with TestPlatform() as platform, all_tools(kind, platform) as servers:
        ours = servers[OURS.name]
        tools = [tool for tool in (OURS, FLOOR, BARE) if tool.name in servers]
        for tool in tools:  # warm-up: imports, JWKS caches, pools, templates
            block(tool, servers[tool.name], platform, 2, args.warmup, Tally())
        tallies = {(t.name, c): Tally() for t in tools for c in (1, args.clients)}
        for _ in range(args.rounds):
            for clients in (1, args.clients):
                for tool in tools:
                    block(tool, servers[tool.name], platform, clients, args.block, tallies[tool.name, clients])
        print(f"\n{kind}: {args.rounds} alternating rounds of {args.block:.0f} s blocks per tool and concurrency")
        for clients in (1, args.clients):
            print(f" {clients} client{'s' if clients > 1 else ''}:  launches  launch/s  p50 ms   p95 ms  "
                  f"CPU ms/launch  errors")
            for tool in tools:
                print(_row(tool.name, tallies[tool.name, clients]))
            print("  " + "; ".join(_ratio(tallies[a.name, clients], tallies[b.name, clients], f"{a.name}/{b.name}")
                                   for a, b in ((OURS, BARE), (FLOOR, BARE), (OURS, FLOOR))
                                   if a in tools and b in tools))
        print(" page bytes the launch answers with: " + ", ".join(f"{n} {b:,}" for n, b in PAGE_BYTES.items()))
        o10, b10 = tallies[OURS.name, args.clients], tallies[BARE.name, args.clients]
        print(f" target: CPU ratio ≤ 1.00× → {'met' if o10.cpu_ms() <= b10.cpu_ms() else 'NOT met'}; "
              f"p95 at {args.clients} clients ≤ 25 ms → {o10.quantile(95):.1f} ms "
              f"{'met' if o10.quantile(95) <= 25 else 'NOT met'}")
        done = sum(t.launches for (name, _), t in tallies.items() if name == OURS.name)
        rss_warm = [rss_mib(pid) for pid in ours.workers()]  # warm: both workers have served the blocks
        memory = Tally()
        remaining = max(args.memory_launches - done, 0)
        if remaining:
            per_client = -(-remaining // args.clients)
            block(OURS, ours, platform, args.clients, 3600, memory, first_user=1000, limit=per_client)
        rss_end = [rss_mib(pid) for pid in ours.workers()]
        total = done + memory.launches
        print(f" memory: RSS per worker (MiB) after warm-up and {done:,} launches "
              f"{', '.join(f'{r:.1f}' for r in rss_warm)}; "
              f"after {total:,} launches {', '.join(f'{r:.1f}' for r in rss_end)} "
              f"(growth {max(e - w for e, w in zip(rss_end, rss_warm, strict=True)):+.1f} MiB; "
              f"{memory.rate():.0f} launches/s at {args.clients} clients, {len(memory.errors)} errors)")


def replicas(args: argparse.Namespace) -> None:
    """One replica alone, one behind the proxy, two behind the proxy (1 worker each, one PostgreSQL)."""
    with TestPlatform() as platform, prepared_tool("postgresql", platform) as env:
        front = free_port()
        base = f"http://127.0.0.1:{front}"
        with gunicorn("lti_tool:create_app()", env, base=base, workers=1) as a, \
                gunicorn("lti_tool:create_app()", env, base=base, workers=1) as b:
            results: list[tuple[str, Tally, list[float]]] = []

            def run(label: str, port: int, backends: list[Server]) -> None:
                server = Server(port, base, backends[0].process)
                pids = [pid for s in backends for pid in s.workers()]
                per = [cpu_seconds(pid) for pid in pids]
                tally = Tally()
                block(OURS, server, platform, 2, 1.5, Tally())  # warm-up
                per = [cpu_seconds(pid) for pid in pids]
                block(OURS, server, platform, args.clients, args.replica_seconds, tally)
                shares = [cpu_seconds(pid) - c for pid, c in zip(pids, per, strict=True)]
                tally.cpu = sum(shares)
                results.append((label, tally, shares))

            run("1 replica, direct", a.port, [a])
            with proxy(front, [a.port]):
                run("1 replica, proxy", front, [a])
            with proxy(front, [a.port, b.port]):
                run("2 replicas, proxy", front, [a, b])
    print(f"\nscale-out on PostgreSQL: replicas of 1 gunicorn worker each, {args.clients} clients, bench/proxy.py "
          f"in front ({os.cpu_count()} CPUs shared by clients, proxy, replicas and PostgreSQL)")
    print("  setup               launches  launch/s   p95 ms  CPU ms/launch  worker CPU s per replica  errors")
    for label, tally, shares in results:
        print(f"  {label:18s} {tally.launches:8d} {tally.rate():9.1f} {tally.quantile(95):8.1f} {tally.cpu_ms():14.2f}"
              f"  {' / '.join(f'{s:.1f}' for s in shares):24s}  {len(tally.errors)}")
    single, double = results[1][1], results[2][1]
    print(f"  2 replicas / 1 replica behind the proxy: {double.rate() / max(single.rate(), 1e-9):.2f}× launches/s "
          f"(CPU per launch {double.cpu_ms() / max(single.cpu_ms(), 1e-9):.2f}×)")


@contextmanager
def proxy(port: int, backends: list[int]) -> Iterator[None]:
    """bench/proxy.py on `port`, round robin over `backends`."""
    process = subprocess.Popen([sys.executable, str(ROOT / "bench/proxy.py"), str(port), *map(str, backends)])
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
                break
            except OSError:
                time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(10)


def profile(kind: str, launches: int) -> None:
    """cProfile of our launches' server side, in-process (same app, database and platform; no gunicorn)."""
    import cProfile
    import pstats

    import sqlalchemy as sa
    from werkzeug.serving import make_server

    with TestPlatform() as platform, prepared_tool(kind, platform) as env:
        app, port, base = in_process_app(env)
        statements: dict[str, list[str]] = {}
        round_trips: dict[str, int] = {}  # statements + the BEGIN at checkout + COMMIT/ROLLBACK, by request path

        def request_path() -> str:
            from flask import has_request_context, request

            return request.path.split("?")[0] if has_request_context() else "-"

        def trip(*_args: object) -> None:
            if measuring.is_set():
                path = request_path()
                round_trips[path] = round_trips.get(path, 0) + 1

        def count_statements() -> None:
            # Listened to only for the profile: an engine event listener makes SQLAlchemy dispatch its events
            # around every statement (Engine._has_events), which the CPU figure must not include.
            with app.app_context():
                from lti_tool.db import db

                @sa.event.listens_for(db.engine, "before_cursor_execute")
                def _count(conn: object, cursor: object, statement: str, *args: object) -> None:
                    if measuring.is_set():
                        statements.setdefault(request_path(), []).append(" ".join(statement.split())[:110])
                        trip()

                for name in ("commit", "rollback"):
                    sa.event.listen(db.engine, name, trip)
                if db.engine.dialect.name == "postgresql":
                    sa.event.listen(db.engine, "checkout", trip)  # db.begin_as_ping: the BEGIN is sent at checkout

        # CPU of the serving thread only, not waits; one profiler per tool (ours is the one printed in full)
        profilers = {name: cProfile.Profile(time.thread_time) for name in (OURS.name, FLOOR.name, BARE.name)}
        profiler = profilers[OURS.name]
        path_calls: dict[str, int] = {}  # Python function calls by request path (cProfile's count: steady)
        calls_counted = [0]
        measuring, profiling = threading.Event(), threading.Event()
        thread_cpu = {OURS.name: 0.0, FLOOR.name: 0.0, BARE.name: 0.0}
        path_cpu: dict[tuple[str, str], float] = {}  # server-thread CPU by tool and request path

        def serve(name: str, wsgi: Callable[..., object], at: int) -> object:
            def counted(environ: dict[str, object], start_response: Callable[..., object]) -> object:
                if profiling.is_set():
                    profilers[name].enable()
                started = time.thread_time()
                try:
                    return list(wsgi(environ, start_response))  # type: ignore[call-overload]
                finally:
                    spent = time.thread_time() - started
                    thread_cpu[name] += spent
                    key = (name, str(environ.get("PATH_INFO", "")))
                    path_cpu[key] = path_cpu.get(key, 0.0) + spent
                    if profiling.is_set():
                        profilers[name].disable()
                    if profiling.is_set() and name == OURS.name:
                        path = str(environ.get("PATH_INFO", ""))
                        total = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]
                        path_calls[path] = path_calls.get(path, 0) + total - calls_counted[0]
                        calls_counted[0] = total

            httpd = make_server("127.0.0.1", at, counted, threaded=False)  # type: ignore[arg-type]
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
            return httpd

        import bare_tool

        os.environ["BARE_TOOL_CONF"] = json.dumps(_platform_conf(platform))
        bare_port = free_port()
        servers = [serve(OURS.name, app, port), serve(BARE.name, bare_tool.create_app(), bare_port)]
        where = {OURS.name: (port, base), BARE.name: (bare_port, f"http://127.0.0.1:{bare_port}")}
        tools = [OURS, BARE]
        if kind == "postgresql":
            import floor_tool

            os.environ["FLOOR_TOOL_CONF"] = json.dumps(_floor_conf(env, platform))
            floor_port = free_port()
            servers.append(serve(FLOOR.name, floor_tool.create_app(), floor_port))
            where[FLOOR.name] = (floor_port, f"http://127.0.0.1:{floor_port}")
            tools = [OURS, FLOOR, BARE]
        for tool in tools:  # warm-up
            Client(tool, *where[tool.name], platform, time.perf_counter() + 60, 1, limit=50).run()
        # Server-thread CPU per launch, the tools in this one process, alternating, without a profiler: the
        # steadiest ratio a shared machine gives (no other process's load, no sweeper thread in the figure).
        counts = {tool.name: 0 for tool in tools}
        for key in thread_cpu:
            thread_cpu[key] = 0.0
        path_cpu.clear()
        for _ in range(3):
            for tool in tools:
                one = Client(tool, *where[tool.name], platform, time.perf_counter() + 600, 3,
                             limit=max(launches // 3, 1))
                one.run()
                counts[tool.name] += len(one.latencies)
        per_launch = {tool.name: thread_cpu[tool.name] * 1000 / max(counts[tool.name], 1) for tool in tools}
        bare_ms = per_launch[BARE.name]
        print(f"\nserver-thread CPU per launch, in-process, {kind} "
              f"({' + '.join(str(counts[t.name]) for t in tools)} launches, 3 alternating rounds): "
              + ", ".join(f"{t.name} {per_launch[t.name]:.2f} ms" for t in tools)
              + "; " + ", ".join(f"{t.name}/bare {per_launch[t.name] / bare_ms:.2f}×" for t in tools if t != BARE)
              + (f", ours/floor {per_launch[OURS.name] / per_launch[FLOOR.name]:.2f}×" if FLOOR in tools else ""))
        for tool in tools:
            print(f"  {tool.name} by request: " + ", ".join(
                f"{path} {seconds * 1000 / max(counts[tool.name], 1):.2f} ms"
                for (name, path), seconds in path_cpu.items() if name == tool.name))
        count_statements()
        profiling.set()
        measuring.set()
        client = Client(OURS, port, base, platform, time.perf_counter() + 600, 2, limit=launches)
        client.run()
        measuring.clear()
        for tool in tools[1:]:  # the others under their own profilers, for the table by library below
            Client(tool, *where[tool.name], platform, time.perf_counter() + 600, 2, limit=launches).run()
        for httpd in servers:
            httpd.shutdown()  # type: ignore[attr-defined]
        stats = pstats.Stats(profiler)
        if os.environ.get("PROFILE_DUMP"):  # a file for pstats/snakeviz (e.g. sorted by own time)
            stats.dump_stats(os.environ["PROFILE_DUMP"])
        print(f"\nprofile of {len(client.latencies)} launches ({kind}, server side, in-process): "
              f"{stats.total_tt * 1000 / max(len(client.latencies), 1):.2f} ms of server CPU per launch under cProfile")
        stats.sort_stats("cumulative").print_stats(int(os.environ.get("PROFILE_LINES", "45")))
        per = max(len(client.latencies), 1)
        by_library({tool.name: pstats.Stats(profilers[tool.name]) for tool in tools}, per)
        print("Python function calls per launch: " + ", ".join(
            f"{path} {calls / per:,.0f}" for path, calls in path_calls.items())
            + f" (all {sum(path_calls.values()) / per:,.0f})")
        print("database round trips per launch: " + ", ".join(
            f"{path} {count / per:.1f}" for path, count in round_trips.items())
            + f" (all {sum(round_trips.values()) / per:.1f})")
        print(f"SQL statements per launch: {sum(map(len, statements.values())) / per:.1f}")
        for path, seen in statements.items():
            print(f"  {path}: {len(seen) / per:.1f} per launch; the first launch's:")
            for statement in seen[: round(len(seen) / per)]:
                print(f"    {statement}")


def _library(filename: str) -> str:
    """Who a profiled function belongs to: a package in site-packages, ours, a bench tool, CPython's library."""
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if "/lti_tool/" in filename:
        return "lti_tool (ours)"
    if "/bench/" in filename:
        return "bench tool's own code"
    if filename == "~":
        return "C built-ins (json, hashing, RSA, …)"
    return "Python's standard library"


def by_library(stats: dict[str, Any], launches: int) -> None:
    """Own CPU time per launch under cProfile, by library, for each tool (the profiler inflates every figure alike)."""
    tables: dict[str, dict[str, float]] = {}
    for name, stat in stats.items():
        table: dict[str, float] = {}
        for (filename, _line, _function), (_cc, _nc, own, _cum, _callers) in stat.stats.items():
            library = _library(filename)
            table[library] = table.get(library, 0.0) + own * 1000 / launches
        tables[name] = table
    names = list(tables)
    libraries = sorted({lib for table in tables.values() for lib in table},
                       key=lambda lib: -tables[names[0]].get(lib, 0.0))
    print(f"\nown CPU per launch under cProfile by library, ms ({launches} launches each):")
    print("  " + f"{'library':38s}" + "".join(f"{name:>9s}" for name in names))
    for library in libraries:
        if max(table.get(library, 0.0) for table in tables.values()) >= 0.05:
            print("  " + f"{library:38s}" + "".join(f"{tables[name].get(library, 0.0):9.2f}" for name in names))
    print("  " + f"{'all':38s}" + "".join(f"{sum(tables[name].values()):9.2f}" for name in names))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--block", type=float, default=3.0, help="seconds per block")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--memory-launches", type=int, default=10_000,
                        help="launches against our tool before RSS is read again")
    parser.add_argument("--replica-seconds", type=float, default=8.0, help="0 skips the replica test")
    parser.add_argument("--profile", type=int, default=0, help="profile this many launches in-process instead")
    args = parser.parse_args()
    if args.profile:
        profile(args.db, args.profile)
        return
    print(f"MASTERY launch benchmark: ours vs bare pylti1p3next, gunicorn 2 gthread workers each, "
          f"{os.cpu_count()} CPUs, {args.db}")
    side_by_side(args.db, args)
    if args.replica_seconds > 0:
        replicas(args)


if __name__ == "__main__":
    main()

