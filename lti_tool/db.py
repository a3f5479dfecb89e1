"""SQLAlchemy 2 typed base and the Flask-SQLAlchemy extension object.

The extension is created unbound here and bound to an app in ``create_app`` (nothing connects at import).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import orm as so

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite drops tzinfo on the way back)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use utcnow()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(so.DeclarativeBase):
    # Flask-SQLAlchemy subclasses this base, so the annotation map must live on the registry itself.
    registry = so.registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            dt.datetime: UTCDateTime(),
            dict[str, Any]: sa.JSON(),
            list[Any]: sa.JSON(),
            list[str]: sa.JSON(),
        },
    )


def table_of(model: type[Base]) -> sa.Table:
    """A model's Table, for Core statements (declarative types ``__table__`` as any FROM clause; ours are Tables)."""
    table = model.__table__
    if not isinstance(table, sa.Table):
        raise TypeError(f"{model.__name__} is not mapped to one table")
    return table


def as_utc(value: dt.datetime | str | None) -> dt.datetime | None:
    """An aggregate's datetime as aware UTC: SQLite's MIN/MAX skip the column type (naive, or even text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# Session.info flag: this transaction holds a write not committed yet (the request boundary commits it).
WROTE = "mastery.wrote"


def note_write(session: so.Session) -> None:
    """Tell the request boundary that ``session`` wrote: Core statements run on ``session.connection()`` pass
    none of the session's events (no flush, no ``do_orm_execute``), so their writes would go uncommitted."""
    session.info[WROTE] = True


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


if TYPE_CHECKING:

    class RequestSession(so.Session):
        """How the type checker sees ``db.session``: Flask-SQLAlchemy's scoped session proxies every method of
        the request's ``Session`` (services take a ``Session``), and adds ``remove()``."""

        def remove(self) -> None: ...

    class Database(SQLAlchemy):
        session: RequestSession  # type: ignore[assignment]


db = cast("Database", SQLAlchemy(model_class=Base))


def begin_as_ping(engine: sa.Engine) -> None:
    """Check a pooled PostgreSQL connection by beginning its transaction at checkout, instead of ``pool_pre_ping``.

    ``pool_pre_ping`` sends ``SELECT 1`` on every checkout, and psycopg then sends its own ``BEGIN`` before the
    request's first statement: two round trips before any work. Sending that ``BEGIN`` at checkout is the ping:
    psycopg sees the transaction open and sends no second one. A dead connection (the database restarted) fails
    the ``BEGIN``; the pool then drops every connection older than it and reconnects (``DisconnectionError``),
    as pre-ping does. A connection psycopg would begin differently (autocommit, an isolation level, read-only)
    gets the plain ping instead.
    """
    import psycopg

    dialect = engine.dialect
    idle = psycopg.pq.TransactionStatus.IDLE

    def _checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        conn = cast("psycopg.Connection[Any]", dbapi_connection)
        try:
            if (conn.autocommit or conn.isolation_level is not None or conn.read_only is not None
                    or conn.deferrable is not None or conn.info.transaction_status != idle):
                dialect.do_ping(dbapi_connection)
                return
            # PQexec waits for its answer even on psycopg's non-blocking connection (libpq's documentation).
            result = conn.pgconn.exec_(b"BEGIN")
        except psycopg.Error as error:
            raise _gone(str(error)) from error
        if result.status != psycopg.pq.ExecStatus.COMMAND_OK:
            raise _gone(result.error_message.decode(errors="replace"))

    def _before_characteristics(conn: sa.Connection, options: dict[str, Any]) -> None:
        # psycopg refuses to change autocommit or the isolation level inside a transaction: end the one opened
        # at checkout (nothing ran in it yet) before SQLAlchemy applies such an option.
        if {"isolation_level", "postgresql_readonly", "postgresql_deferrable"} & options.keys() \
                and not conn.in_transaction():
            dbapi_connection = conn.connection.dbapi_connection
            if dbapi_connection is not None and dbapi_connection.info.transaction_status != idle:
                dbapi_connection.rollback()

    sa.event.listen(engine, "checkout", _checkout)
    sa.event.listen(engine, "set_connection_execution_options", _before_characteristics)


def _gone(why: str) -> sa.exc.DisconnectionError:
    # The pool drops this connection and every older one (a restart ended them all), then connects again.
    error = sa.exc.DisconnectionError(f"a pooled connection failed its check at checkout: {why}")
    error.invalidate_pool = True
    return error
