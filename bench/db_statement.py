"""Benchmark: what SQLAlchemy + psycopg cost per statement besides the SQL (the database adapter in lti_tool/db.py).

In one process, alternating blocks, the thread CPU (`time.thread_time`) and the Python calls of one "request" on
PostgreSQL: checkout (with db.begin_as_ping), a 27-column upsert RETURNING, a 19-column read, `SELECT 1`, commit,
checkin. Engines:
- before: psycopg's own cursor (a `Column` built per result column per statement) and a connection-event listener
  (SQLAlchemy then dispatches events around every statement), as the tool had until session 7;
- lazy description: the tool's cursor (db.psycopg_cursor_factory), still with a listener;
- after: the tool's cursor and no connection-event listener, as create_app builds the engine now.

    TEST_DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/db_statement.py [--requests 300] [--rounds 12]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lti_tool.db import begin_as_ping, psycopg_cursor_factory  # noqa: E402

METADATA = sa.MetaData()
TABLE = sa.Table("bench_db_statement", METADATA, sa.Column("id", sa.Integer, primary_key=True),
                 *[sa.Column(f"c{n}", sa.String) for n in range(26)])


def engines(url: str) -> dict[str, sa.Engine]:
    lazy = {"cursor_factory": psycopg_cursor_factory()}
    made = {"before": sa.create_engine(url, pool_size=2),
            "lazy description": sa.create_engine(url, pool_size=2, connect_args=lazy),
            "after": sa.create_engine(url, pool_size=2, connect_args=lazy)}
    for engine in made.values():
        begin_as_ping(engine)
    for name in ("before", "lazy description"):
        sa.event.listen(made[name], "set_connection_execution_options", lambda *_args: None)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per block")
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args()
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql+psycopg://"):
        sys.exit("set TEST_DATABASE_URL to a postgresql+psycopg:// database")
    made = engines(url)
    upsert = insert(TABLE).values({"id": sa.bindparam("id"), **{f"c{n}": sa.bindparam(f"c{n}") for n in range(26)}})
    upsert = upsert.on_conflict_do_update(index_elements=[TABLE.c.id], set_={"c0": upsert.excluded.c0})
    returning = upsert.returning(*TABLE.c)
    read = sa.select(*list(TABLE.c)[:19]).where(TABLE.c.id == sa.bindparam("id"))
    one = sa.select(sa.literal(1))
    values: dict[str, Any] = {"id": 3, **{f"c{n}": "y" for n in range(26)}}

    def request(engine: sa.Engine) -> None:
        with engine.connect() as conn:
            conn.execute(returning, values).one()
            conn.execute(read, {"id": 3}).one()
            conn.execute(one).scalar()
            conn.commit()

    with made["after"].begin() as conn:
        METADATA.drop_all(conn)
        METADATA.create_all(conn)
    try:
        calls = {}
        for name, engine in made.items():
            for _ in range(50):
                request(engine)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(100):
                request(engine)
            profiler.disable()
            calls[name] = pstats.Stats(profiler).total_calls / 100  # type: ignore[attr-defined]
        spent = dict.fromkeys(made, 0.0)
        for round_ in range(args.rounds):
            for name in (list(made) if round_ % 2 == 0 else list(reversed(made))):
                started = time.thread_time()
                for _ in range(args.requests):
                    request(made[name])
                spent[name] += time.thread_time() - started
        count = args.requests * args.rounds
        print(f"one request of 3 statements (checkout, upsert RETURNING 27 columns, read 19, SELECT 1, commit), "
              f"{count} requests per engine, {args.rounds} alternating rounds:")
        for name in made:
            print(f"  {name:17s} {spent[name] * 1000 / count:.3f} ms thread CPU, {calls[name]:.0f} Python calls")
    finally:
        with made["after"].begin() as conn:
            METADATA.drop_all(conn)
        for engine in made.values():
            engine.dispose()


if __name__ == "__main__":
    main()
