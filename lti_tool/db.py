"""SQLAlchemy 2 typed base and the Flask-SQLAlchemy extension object.

The extension is created unbound here and bound to an app in ``create_app`` (nothing connects at import).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

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


M = TypeVar("M", bound="Base")


def table_of(model: type[Base]) -> sa.Table:
    """A model's Table, for Core statements (declarative types ``__table__`` as any FROM clause; ours are Tables)."""
    table = model.__table__
    if not isinstance(table, sa.Table):
        raise TypeError(f"{model.__name__} is not mapped to one table")
    return table


def as_loaded(session: so.Session, model: type[M], values: dict[str, Any]) -> M:
    """The ORM object of a row a Core statement returned (or a cache copied), persistent in `session` as if a
    query had loaded it: every column given counts as loaded, any other loads on first access.

    Built without the model's constructor, which sets each value through the attribute events as a pending
    change that make_transient_to_detached then commits: ~13 of the ~40 µs per object (SQLAlchemy 2.1; measured
    with bench/launch.py's in-process launches). A row already in the session takes the values as committed.
    """
    found = session.identity_map.get(so.util.identity_key(model, values["id"]))
    if found is not None:
        for name, value in values.items():
            so.attributes.set_committed_value(found, name, value)
        return found
    row = detached(model, values)
    session.add(row)
    return row


def detached(model: type[M], values: dict[str, Any]) -> M:
    """A model object holding exactly `values` as its committed state, in no session (see as_loaded)."""
    row: M = so.class_mapper(model).class_manager.new_instance()
    row.__dict__.update(values)  # as the ORM's own loading fills a new object: no events, no history
    so.make_transient_to_detached(row)
    return row


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

        def __call__(self) -> so.Session: ...  # the request's session itself (see request_session)

    class Database(SQLAlchemy):
        session: RequestSession  # type: ignore[assignment]


db = cast("Database", SQLAlchemy(model_class=Base))


def request_session() -> so.Session:
    """The request's (the app context's) database session itself, to hand to services.

    Flask-SQLAlchemy 3.1.1's ``db.session`` is a scoped session: each attribute read on it (``execute``,
    ``connection``, ``info``, ``add``, ``get_bind``, …) looks the session up again by the app context's id
    through Werkzeug's LocalProxy, ~2 µs with SQLAlchemy's registry (33 lookups a launch: 9,903 in 300 launches
    of bench/launch.py --profile). Within an app context it always answers the same session (removed only when
    the context ends), so code that uses it many times looks it up once here.
    """
    return db.session()


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

    apply_options = dialect.set_connection_execution_options

    def _before_characteristics(conn: sa.Connection, options: Mapping[str, Any]) -> None:
        # psycopg refuses to change autocommit or the isolation level inside a transaction: end the one opened
        # at checkout (nothing ran in it yet) before SQLAlchemy applies such an option.
        if {"isolation_level", "postgresql_readonly", "postgresql_deferrable"} & options.keys() \
                and not conn.in_transaction():
            dbapi_connection = conn.connection.dbapi_connection
            if dbapi_connection is not None and dbapi_connection.info.transaction_status != idle:
                dbapi_connection.rollback()
        apply_options(conn, options)

    sa.event.listen(engine, "checkout", _checkout)  # a pool event: costs nothing per statement
    # Wrapped on this engine's own dialect object rather than listened to as the engine's
    # "set_connection_execution_options" event: any engine (Connection) event listener makes SQLAlchemy 2.1
    # dispatch its events around every statement, begin and commit (Engine._has_events), about 0.08 ms of CPU per
    # request of 4 statements here (docs/scaling.md, "Database layer per statement, session 7").
    dialect.set_connection_execution_options = _before_characteristics  # type: ignore[method-assign,assignment]


@functools.cache
def psycopg_cursor_factory() -> type[Any]:
    """A psycopg ``Cursor`` whose ``description`` builds its ``Column`` objects only when one is read.

    psycopg 3.3 builds a new ``Column`` for every result column (name decoded, type looked up, size and modifier
    read) each time ``description`` is read, and SQLAlchemy reads it after every statement, but a compiled
    statement's result metadata is cached on first use: from then on SQLAlchemy only tests it against ``None``.
    For a 27-column RETURNING that was about a third of SQLAlchemy's whole cost of the statement. The lazy
    sequence gives the same ``Column`` objects (built from the result it was taken from) to anyone who reads them.
    A function (one class, made on first call) so that nothing imports psycopg where SQLite is the database.
    """
    import psycopg
    from psycopg.pq import ExecStatus

    with_rows = {ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK}

    class LazyDescriptionCursor(psycopg.Cursor[Any]):
        @property
        def description(self) -> Sequence[psycopg.Column] | None:  # type: ignore[override]
            result = self.pgresult
            if result is not None and (result.nfields or result.status in with_rows):
                return _LazyDescription(self, result)
            return None

    return LazyDescriptionCursor


class _LazyDescription(Sequence[Any]):
    """``Cursor.description`` of one result, its ``Column`` objects built on first read (psycopg_cursor_factory)."""

    __slots__ = ("_cursor", "pgresult", "_columns")

    def __init__(self, cursor: Any, pgresult: Any) -> None:
        self._cursor = cursor
        self.pgresult = pgresult  # psycopg's Column reads the result from here (this result, not the cursor's next)
        self._columns: list[Any] | None = None

    @property
    def adapters(self) -> Any:  # read by psycopg's Column, as on the cursor
        return self._cursor.adapters

    @property
    def _encoding(self) -> str:  # read by psycopg's Column, as on the cursor
        return cast(str, self._cursor._encoding)

    def _built(self) -> list[Any]:
        if self._columns is None:
            import psycopg

            self._columns = [psycopg.Column(self, n) for n in range(self.pgresult.nfields)]  # type: ignore[arg-type]
        return self._columns

    def __len__(self) -> int:
        return cast(int, self.pgresult.nfields)

    def __getitem__(self, index: Any) -> Any:
        return self._built()[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._built())

    def __eq__(self, other: object) -> bool:
        return self._built() == other

    def __repr__(self) -> str:
        return repr(self._built())


def _gone(why: str) -> sa.exc.DisconnectionError:
    # The pool drops this connection and every older one (a restart ended them all), then connects again.
    error = sa.exc.DisconnectionError(f"a pooled connection failed its check at checkout: {why}")
    error.invalidate_pool = True
    return error


# Session.info key: the INSERTs queued to go with the next statement run by run_with_queued (see queue_insert).
QUEUED = "mastery.queued_inserts"


@contextlib.contextmanager
def inserts_sent_together(session: so.Session) -> Iterator[None]:
    """Within the block, `queue_insert` queues plain INSERTs instead of running them; `run_with_queued` sends
    them with its own statement: on PostgreSQL in that one statement (data-modifying CTEs, one round trip),
    elsewhere one after another just before it, so both databases write the same rows. Anything still queued
    when the block ends is sent then (an error inside the block sends nothing)."""
    session.info[QUEUED] = []
    try:
        yield
        if session.info[QUEUED]:
            for statement, rows in session.info.pop(QUEUED):
                session.connection().execute(statement, rows)
    finally:
        session.info.pop(QUEUED, None)


def queue_insert(session: so.Session, statement: sa.Insert, rows: list[dict[str, Any]]) -> bool:
    """Queue an INSERT that returns nothing the caller reads, when a block of `inserts_sent_together` is open on
    this session (True); False otherwise: the caller runs it now."""
    queued: list[tuple[sa.Insert, list[dict[str, Any]]]] | None = session.info.get(QUEUED)
    if queued is None:
        return False
    note_write(session)
    queued.append((statement, rows))
    return True


def run_with_queued(session: so.Session, statement: sa.Insert, values: dict[str, Any]) -> sa.CursorResult[Any]:
    """Run one INSERT (its values in `values`) together with the INSERTs queued on this session."""
    queued: list[tuple[sa.Insert, list[dict[str, Any]]]] = session.info.get(QUEUED) or []
    session.info[QUEUED] = []
    connection = session.connection()
    note_write(session)
    if connection.dialect.name != "postgresql" or not queued:
        for earlier, rows in queued:
            connection.execute(earlier, rows)
        return connection.execute(statement, values)
    shape = (statement, tuple(values), tuple((earlier, tuple(tuple(row) for row in rows)) for earlier, rows in queued))
    params = {f"m_{key}": value for key, value in values.items()}
    for n, (_earlier, rows) in enumerate(queued):
        for r, row in enumerate(rows):
            params.update({f"q{n}_{r}_{key}": value for key, value in row.items()})
    return connection.execute(_with_ctes(shape), params)


@functools.lru_cache(maxsize=64)
def _with_ctes(shape: tuple[Any, ...]) -> sa.Insert:
    """The combined statement of a shape (the statements and their column names), built once: building it per
    request would cost about what the round trips it saves do."""
    statement, keys, queued = shape
    table = statement.table
    ctes = []
    for n, (earlier, rows) in enumerate(queued):
        if earlier.select is not None:  # INSERT … SELECT: its own bind parameters, for one row
            (row,) = rows
            renamed = {key: f"q{n}_0_{key}" for key in row}
            ctes.append(_rename_binds(earlier, renamed).cte(f"queued_{n}"))
            continue
        columns = earlier.table.c
        values = [{key: sa.bindparam(f"q{n}_{r}_{key}", type_=columns[key].type) for key in row}
                  for r, row in enumerate(rows)]
        ctes.append(earlier.values(values if len(values) > 1 else values[0]).cte(f"queued_{n}"))
    main = statement.values({key: sa.bindparam(f"m_{key}", type_=table.c[key].type) for key in keys})
    return main.add_cte(*ctes)


def _rename_binds(statement: sa.Insert, renamed: dict[str, str]) -> sa.Insert:
    """A copy of `statement` whose bind parameters carry the given names (their types kept)."""
    from sqlalchemy.sql import visitors

    def replace(element: Any) -> Any:
        if isinstance(element, sa.BindParameter) and element.key in renamed:
            return sa.bindparam(renamed[element.key], type_=element.type)
        return None

    return cast(sa.Insert, visitors.replacement_traverse(statement, {}, replace))  # type: ignore[call-overload]
