"""A pooled PostgreSQL connection is checked at checkout by beginning its transaction (lti_tool.db.begin_as_ping):
after the database ends the tool's connections (a restart, a failover), the next request still answers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from lti_tool.db import db


@pytest.fixture
def pg_app(app: Flask) -> Flask:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")

    @app.get("/_reconnect/backend")
    def backend() -> str:
        return str(db.session.scalar(sa.text("SELECT pg_backend_pid()")))

    return app


def test_requests_answer_after_the_database_ends_every_pooled_connection(pg_app: Flask) -> None:
    client = pg_app.test_client()
    first = client.get("/_reconnect/backend")
    assert first.status_code == 200
    with pg_app.app_context():
        # Another connection, outside the pool, ends the tool's backend as a restart would.
        killer = sa.create_engine(db.engine.url, poolclass=sa.NullPool)
        with killer.connect() as conn:
            assert conn.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": int(first.text)})
        killer.dispose()
    again = client.get("/_reconnect/backend")
    assert again.status_code == 200
    assert again.text != first.text  # a new connection, not the ended one
    assert client.get("/_reconnect/backend").text == again.text  # and it is pooled again


def test_a_connection_option_that_psycopg_sets_outside_a_transaction_still_applies(pg_app: Flask) -> None:
    with pg_app.app_context():
        with db.engine.connect() as conn:  # begun at checkout
            conn.execution_options(isolation_level="AUTOCOMMIT")
            assert conn.scalar(sa.text("SHOW transaction_isolation")) == "read committed"
            assert conn.connection.dbapi_connection.autocommit is True  # type: ignore[union-attr]
        with db.engine.connect() as conn:  # the pool puts the default back
            assert conn.connection.dbapi_connection.autocommit is False  # type: ignore[union-attr]
            assert conn.scalar(sa.text("SELECT 1")) == 1
