"""The tool's database adapter (lti_tool.db): its psycopg cursor builds ``description`` only when read, and gives
whoever reads it what psycopg's own cursor gives, for the result it was taken from (SQLAlchemy's results still map
their columns across statements and after the table changes); and its engine listens to no connection events."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask

from lti_tool.db import db, psycopg_cursor_factory


@pytest.fixture
def pg_url(app: Flask) -> str:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
        return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def described(description: object) -> list[tuple[object, ...]]:
    return [tuple(column) for column in description]  # type: ignore[attr-defined]


def test_the_lazy_description_is_psycopgs_own_for_the_result_it_was_taken_from(pg_url: str) -> None:
    query = "SELECT 1::int AS a, 'x'::varchar(7) AS b, 2.5::numeric(5, 2) AS c, now() AS d, NULL::text[] AS e"
    with psycopg.connect(pg_url) as plain, psycopg.connect(pg_url, cursor_factory=psycopg_cursor_factory()) as ours:
        expected = plain.execute(query).description
        cursor = ours.cursor()
        taken = cursor.execute(query).description
        assert taken is not None and len(taken) == 5
        cursor.execute("SELECT 'other' AS z")  # the cursor moves on: the first description still tells its own result
        assert described(taken) == described(expected)
        assert [column.name for column in taken] == ["a", "b", "c", "d", "e"]
        assert [column.type_display for column in taken] == [c.type_display for c in expected]  # type: ignore[union-attr]
        assert [column.name for column in cursor.description] == ["z"]  # type: ignore[union-attr]
        assert cursor.execute("CREATE TEMP TABLE lazy_t (n int)").description is None  # no rows: None, as psycopg
        assert described(cursor.execute("SELECT").description) == []  # rows of no columns: empty, not None


def test_sqlalchemy_results_keep_their_columns_across_statements_and_a_schema_change(app: Flask, pg_url: str) -> None:
    with app.app_context(), db.engine.connect() as conn:
        assert isinstance(conn.connection.dbapi_connection.cursor(), psycopg_cursor_factory())  # type: ignore[union-attr]
        conn.execute(sa.text("CREATE TEMP TABLE lazy_shape (id int PRIMARY KEY, a text, b int)"))
        table = sa.table("lazy_shape", sa.column("id"), sa.column("a"), sa.column("b"))
        conn.execute(table.insert().values(id=1, a="one", b=10))
        by_name = conn.execute(sa.select(table.c.b, table.c.a)).mappings().one()
        assert dict(by_name) == {"b": 10, "a": "one"}
        returned = conn.execute(table.update().values(b=11).returning(table.c.a, table.c.id, table.c.b)).one()
        assert returned._asdict() == {"a": "one", "id": 1, "b": 11}
        conn.execute(sa.text("ALTER TABLE lazy_shape ADD COLUMN c text DEFAULT 'new'"))  # the table changes
        rows = conn.execute(sa.text("SELECT * FROM lazy_shape")).mappings().all()
        assert [dict(row) for row in rows] == [{"id": 1, "a": "one", "b": 11, "c": "new"}]
        conn.rollback()


def test_the_tools_engine_dispatches_no_connection_events(app: Flask) -> None:
    """The checks at checkout and before a savepoint or a connection option wrap the engine's own dialect instead
    of listening to connection events: one such listener makes SQLAlchemy dispatch events around every statement,
    begin and commit (about 47 Python calls per statement here, docs/scaling.md). Both databases."""
    with app.app_context():
        assert not db.engine._has_events
        assert not db.engine.dispatch.set_connection_execution_options
        assert not db.engine.dispatch.savepoint
