"""Gunicorn config for profiling a benchmark run: the tool's own settings plus per-request SQL counts and cProfile.

    gunicorn -c bench/profile_hooks.py ...   (bench/assessment.py --profile DIR sets it up)

Each worker counts the SQL statements every request sends (a SQLAlchemy `before_cursor_execute` listener)
and times its service (in the worker, so without the wait in the listen queue) both as wall time and as the
CPU time of the thread that served it (`time.thread_time`: what the request itself cost, whatever else runs on
the machine), keyed by method and route, and profiles the requests whose path matches BENCH_PROFILE_MATCH with
cProfile; BENCH_PROFILE_CLOCK=cpu makes cProfile count thread CPU time (waits on the database and for the GIL
drop out), the default is wall time. At exit it writes `sql-`, `service-`, `cpu-`, `statements-<pid>.json`
and `prof-<pid>.pstats` into BENCH_PROFILE_DIR.
"""

import cProfile
import json
import os
import re
import runpy
import threading
import time
from pathlib import Path

_base = runpy.run_path(str(Path(__file__).resolve().parent.parent / "config" / "gunicorn.conf.py"))
globals().update({k: v for k, v in _base.items() if not k.startswith("__")})
_tool_pre_request = _base["pre_request"]

_OUT = Path(os.environ.get("BENCH_PROFILE_DIR", "/tmp"))
_MATCH = re.compile(os.environ.get("BENCH_PROFILE_MATCH", r"/submit$"))
_local = threading.local()
_counts: dict[str, list[int]] = {}
_service: dict[str, list[float]] = {}  # seconds from gunicorn handing the request over to the response
_cpu: dict[str, list[float]] = {}  # CPU seconds of the serving thread over the same span
_samples: dict[str, list[str]] = {}  # the statements of one request per route (the 2nd, past warm-up)
_profile = cProfile.Profile(time.thread_time) if os.environ.get("BENCH_PROFILE_CLOCK") == "cpu" \
    else cProfile.Profile()
_profile_lock = threading.Lock()


def _route(path: str) -> str:
    return re.sub(r"/[0-9a-f-]{32,36}(?=/|$)", "/<id>", re.sub(r"/responses/[^/]+", "/responses/<item>", path))


def post_worker_init(worker):
    import sqlalchemy as sa

    def count(_conn, _cursor, statement, *_args, **_kwargs):
        _local.sql = getattr(_local, "sql", 0) + 1
        _local.texts = [*getattr(_local, "texts", []), " ".join(statement.split())[:300]]

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)


def pre_request(worker, req):
    _tool_pre_request(worker, req)
    _local.sql, _local.texts, _local.started, _local.cpu = 0, [], time.perf_counter(), time.thread_time()
    _local.profiling = bool(_MATCH.search(req.path)) and _profile_lock.acquire(blocking=False)
    if _local.profiling:
        _profile.enable()


def post_request(worker, req, environ, resp):
    if getattr(_local, "profiling", False):
        _profile.disable()
        _profile_lock.release()
        _local.profiling = False
    route = f"{req.method} {_route(req.path)}"
    _counts.setdefault(route, []).append(getattr(_local, "sql", 0))
    _service.setdefault(route, []).append(time.perf_counter() - getattr(_local, "started", time.perf_counter()))
    _cpu.setdefault(route, []).append(time.thread_time() - getattr(_local, "cpu", time.thread_time()))
    if len(_counts[route]) == 2:
        _samples[route] = getattr(_local, "texts", [])


def worker_exit(server, worker):
    pid = os.getpid()
    (_OUT / f"sql-{pid}.json").write_text(json.dumps(_counts))
    (_OUT / f"service-{pid}.json").write_text(json.dumps(_service))
    (_OUT / f"cpu-{pid}.json").write_text(json.dumps(_cpu))
    (_OUT / f"statements-{pid}.json").write_text(json.dumps(_samples, indent=1))
    _profile.dump_stats(str(_OUT / f"prof-{pid}.pstats"))
