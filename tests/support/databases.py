"""The two database backends every DB test runs on: SQLite and PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa


def backends() -> list[str]:
    """SQLite always; PostgreSQL when TEST_DATABASE_URL is set (make test sets it, CI requires it)."""
    found = ["sqlite"]
    if os.environ.get("TEST_DATABASE_URL"):
        found.append("postgresql")
    elif os.environ.get("REQUIRE_POSTGRES") == "1":
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
    return found


def fresh_database(kind: str, tmp_dir: Path) -> Iterator[str]:
    """A new, empty database of that kind for one test session; dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_dir / 'test.sqlite3'}"
        return
    admin_url = sa.make_url(os.environ["TEST_DATABASE_URL"])
    name = f"mastery_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop(admin, name)
        admin.dispose()


def _drop(admin: sa.Engine, name: str) -> None:
    """Drop a test database, ending its other sessions; an autovacuum worker just starting there can make one
    try fail (it is not the role's own process), so try a few times before giving up."""
    for attempt in range(5):
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except sa.exc.DBAPIError:
            if attempt == 4:
                raise
            time.sleep(1 + attempt)


def empty_all_tables(engine: sa.Engine, metadata: sa.MetaData) -> None:
    """Delete every row (children first) so each test starts from an empty, migrated schema."""
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
