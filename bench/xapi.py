"""Benchmark: outbox → Ralph throughput against Ralph's own ceiling, and the cost enqueue adds to a request.

In one run, on the same statements (item answers, the most frequent and largest kind):
1. ceiling: raw batched POSTs of the exact bytes straight to a fresh Ralph (the LRS's own limit);
2. outbox: the same statements enqueued, then drained by the worker (`Deliverer`) into another fresh
   Ralph with the same batch size — so both start from an empty store (Ralph's `fs` backend slows as
   its file grows);
3. enqueue: the time `outbox.enqueue` adds to a request per statement (envelope check + insert), one
   statement per call as a request would do, on the same database. The full validation (Ralph's models)
   runs in the worker, before sending, overlapped with the batch in flight; its cost is printed apart.

    .venv/bin/python bench/xapi.py [--statements 5000] [--batch 250] [--db sqlite|postgresql] [--rounds 2] [--profile]

--profile prints where the worker's own thread spends a drain (cProfile): waiting for the POST in flight
(`Future.result`), claiming, validating, marking.

Each round starts a fresh Ralph per run (warmed with 200 other statements) and alternates which run goes
first; the figures are the means over the rounds.

Targets (issues 5 and 16): outbox ≥ 0.9 × ceiling; enqueue ≤ 0.5 ms per statement.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from lti_tool import create_app  # noqa: E402
from lti_tool.catalogue.items import Choice, SingleChoice  # noqa: E402
from lti_tool.db import db  # noqa: E402
from lti_tool.settings import Settings  # noqa: E402
from lti_tool.xapi import outbox  # noqa: E402
from lti_tool.xapi import statements as st  # noqa: E402
from lti_tool.xapi.envelope import to_json_bytes  # noqa: E402
from lti_tool.xapi.lrs_client import LrsClient, Outcome  # noqa: E402
from lti_tool.xapi.profile import Profile  # noqa: E402
from lti_tool.xapi.refs import LtiScope, UnitRef  # noqa: E402
from lti_tool.xapi.validation import validate_statement  # noqa: E402
from lti_tool.xapi.worker import Deliverer, DeliveryPolicy  # noqa: E402
from tests.lrs_fixtures import SCRIPTS, RalphLrs, free_port  # noqa: E402

BASE = "http://127.0.0.1:5000"
UNIT = UnitRef("wood-chain-of-custody", "1.0.0", {"en": "Chain of custody", "it": "Catena di custodia"},
               ("http://data.europa.eu/esco/skill/aaaa", "http://data.europa.eu/esco/skill/bbbb"), 4)


def build(count: int) -> list[dict]:
    """`count` distinct item-answer statements of 50 learners."""
    prof, t0 = Profile(BASE), dt.datetime.now(dt.UTC)
    options = (Choice("a", "Oak"), Choice("b", "Pine"), Choice("c", "Beech"))
    learners = [LtiScope("https://moodle.example.org", f"bench-{uuid.uuid4()}", "d1", "c1") for _ in range(50)]
    attempts = [uuid.uuid4() for _ in learners]
    return [
        st.item_answered(prof, learners[i % 50], UNIT, attempts[i % 50],
                         SingleChoice(id=f"q{i}", outcome_id="lo1", prompt="Which wood?", options=options,
                                      correct="a"), "b", False,
                         t0 + dt.timedelta(milliseconds=i))
        for i in range(count)
    ]


def fresh_ralph(tmp: Path, name: str) -> RalphLrs:
    lrs = RalphLrs(home=tmp / name, port=free_port())
    lrs.home.mkdir()
    lrs.start()
    return lrs


def ceiling(lrs: RalphLrs, statements: list[dict], batch: int) -> float:
    """Statements/s of raw batched POSTs straight to Ralph."""
    payloads = [(s["id"], to_json_bytes(s)) for s in statements]
    with LrsClient(lrs.url, lrs.username, lrs.password, timeout=60) as client:
        start = time.perf_counter()
        for i in range(0, len(payloads), batch):
            result = client.post_batch(payloads[i:i + batch])
            if result.outcome is not Outcome.DELIVERED:
                raise RuntimeError(f"raw POST failed: {result.status_code} {result.body[:200]}")
        return len(payloads) / (time.perf_counter() - start)


def warm_up(lrs: RalphLrs) -> None:
    """A few unrelated batches first, so neither timed run pays Ralph's first-request costs."""
    payloads = [(s["id"], to_json_bytes(s)) for s in build(200)]
    with LrsClient(lrs.url, lrs.username, lrs.password, timeout=60) as client:
        for i in range(0, 200, 50):
            client.post_batch(payloads[i:i + 50])


def drain(lrs: RalphLrs, batch: int, expected: int, profile: bool = False) -> float:
    """Statements/s of the outbox worker draining `expected` rows to Ralph."""
    with LrsClient(lrs.url, lrs.username, lrs.password, timeout=60) as client:
        worker = Deliverer(db.session, client, DeliveryPolicy(batch_size=batch))
        profiler = cProfile.Profile() if profile else None
        start = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        report = worker.drain()
        if profiler is not None:
            profiler.disable()
        elapsed = time.perf_counter() - start
    if profiler is not None:
        stats = pstats.Stats(profiler)
        print(f"worker thread during one drain ({elapsed:.2f} s), cumulative seconds:")
        for (path, _line, name), (_cc, _nc, _tt, cumulative, _callers) in sorted(
                stats.stats.items(), key=lambda kv: -kv[1][3]):  # type: ignore[attr-defined]
            if name in ("result", "claim", "_claim_valid", "_valid", "_mark", "_settle", "commit", "submit") and (
                    "worker" in path or "futures" in path or "session" in path):
                print(f"  {name:14s} {cumulative:7.3f}  ({Path(path).name})")
    if len(report.delivered) != expected:
        raise SystemExit(f"outbox delivered {len(report.delivered)} of {expected}")
    return len(report.delivered) / elapsed


def database_url(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    import sqlalchemy as sa

    admin_url = os.environ.get("TEST_DATABASE_URL") or subprocess.run(
        ["bash", str(ROOT / "scripts/postgres-for-tests.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()
    url = sa.make_url(admin_url)
    name = f"mastery_bench_{uuid.uuid4().hex[:8]}"
    with sa.create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return url.set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--statements", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--enqueue-samples", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="cProfile the worker's thread during each drain")
    args = parser.parse_args()
    subprocess.run([str(SCRIPTS / "install.sh")], check=True, cwd=ROOT)
    statements = build(args.statements)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        app = create_app(Settings(DATABASE_URL=database_url(args.db, tmp), INSTANCE_PATH=tmp / "instance",
                                  TOOL_BASE_URL=BASE, SECRET_KEY="bench", testing=True))
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"), revision="heads")

            # 3. enqueue cost, one statement per call (the shape of a request), each call flushed
            samples = build(args.enqueue_samples)
            outbox.enqueue(db.session, samples[:1])  # first use imports Ralph's models
            costs = []
            for statement in samples[1:]:
                start = time.perf_counter()
                outbox.enqueue(db.session, [statement])
                costs.append(time.perf_counter() - start)
            db.session.commit()
            db.session.execute(outbox.StatementOutbox.__table__.delete())
            db.session.commit()
            checks = []
            for statement in samples:
                start = time.perf_counter()
                validate_statement(statement)
                checks.append(time.perf_counter() - start)
            validation_ms = statistics.median(checks) * 1000

            raws, boxes = [], []
            for round_ in range(args.rounds):  # alternate the order: neither run always goes first
                for kind in (("raw", "box") if round_ % 2 == 0 else ("box", "raw")):
                    lrs = fresh_ralph(tmp, f"ralph-{kind}-{round_}")
                    try:
                        warm_up(lrs)
                        if kind == "raw":
                            raws.append(ceiling(lrs, statements, args.batch))
                        else:
                            db.session.execute(outbox.StatementOutbox.__table__.delete())
                            outbox.enqueue(db.session, statements)
                            db.session.commit()
                            boxes.append(drain(lrs, args.batch, len(statements), args.profile))
                    finally:
                        lrs.stop()
            db.session.remove()
            db.engine.dispose()
    raw, box = statistics.fmean(raws), statistics.fmean(boxes)
    costs_ms = sorted(c * 1000 for c in costs)
    print(f"statements: {len(statements)}, batch {args.batch}, database {args.db}")
    print(f"ceiling  (raw POST to Ralph):  {raw:8.0f} statements/s  (rounds: {', '.join(f'{r:.0f}' for r in raws)})")
    print(f"outbox   (worker to Ralph):    {box:8.0f} statements/s  (rounds: {', '.join(f'{b:.0f}' for b in boxes)})")
    print(f"ratio outbox/ceiling: {box / raw:.3f}  (target >= 0.9)")
    print(f"enqueue per statement: mean {statistics.fmean(costs_ms):.3f} ms, "
          f"p50 {costs_ms[len(costs_ms) // 2]:.3f} ms, "
          f"p95 {costs_ms[int(len(costs_ms) * 0.95)]:.3f} ms  (target <= 0.5 ms)")
    print(f"  validation in the worker (Ralph's models + tz check), not on the request path: "
          f"p50 {validation_ms:.3f} ms per statement")


if __name__ == "__main__":
    main()
