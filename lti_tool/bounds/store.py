"""A `limits` storage over the tool's SQL database (SQLite or PostgreSQL).

Flask-Limiter's own storages are process memory (each gunicorn worker would count on its own: a limit of N
becomes N x workers, measured in tests/integration/test_rate_limits.py) or services the tool does not run
(Redis, Memcached, MongoDB). This adapter keeps fixed-window counters in one table, each hit a single
INSERT ... ON CONFLICT DO UPDATE ... RETURNING on its own connection (committed even when the request
that counted it is rolled back).

Flask-Limiter reads the window back right after counting a hit, for the response's X-RateLimit headers (``get``
and ``get_expiry``: two more statements, each on a connection of its own). The hit's RETURNING already gives both
values, so the thread that counted answers those two reads from it until ``forget_hit`` (the request's teardown,
lti_tool.bounds.limits): 3 statements a limited request → 1 (docs/scaling.md, session 6).
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite

from lti_tool.bounds.models import RateLimitWindow
from lti_tool.db import table_of

_TABLE = table_of(RateLimitWindow)
_MAX_KEY = 255


def _key(key: str) -> str:
    return key if len(key) <= _MAX_KEY else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _counting_statement(dialect: str) -> sa.Insert:
    """The hit, built once per storage with its values bound: building it on every hit (the ON CONFLICT clause and
    its CASEs) cost more CPU than running it (~0.25 ms of a limited login's ~1.4 ms, bench/request_overhead.py)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    amount = sa.bindparam("amount", type_=sa.Integer)
    now, window_end = sa.bindparam("now", type_=sa.Float), sa.bindparam("window_end", type_=sa.Float)
    ended = _TABLE.c.expires_at <= now
    return insert(_TABLE).values(
        key=sa.bindparam("window_key", type_=_TABLE.c.key.type), hits=amount, expires_at=window_end,
    ).on_conflict_do_update(
        index_elements=[_TABLE.c.key],
        set_={"hits": sa.case((ended, amount), else_=_TABLE.c.hits + amount),
              "expires_at": sa.case((ended, window_end), else_=_TABLE.c.expires_at)},
    ).returning(_TABLE.c.hits, _TABLE.c.expires_at)


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limit_window`` table (the engine comes in ``storage_options``)."""

    STORAGE_SCHEME = ["mastery+database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self._engine: sa.Engine = options["engine"]
        self._incr = _counting_statement(self._engine.dialect.name)
        self._counted = threading.local()  # .hit: (key, hits, expires_at) of this thread's request's last hit

    def forget_hit(self) -> None:
        """The request that counted is over: later reads go to the database."""
        self._counted.hit = None

    def _own_hit(self, key: str) -> tuple[int, float] | None:
        hit: tuple[str, int, float] | None = getattr(self._counted, "hit", None)
        return (hit[1], hit[2]) if hit is not None and hit[0] == key else None

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count a hit; a window that has ended starts again at ``amount``."""
        now = time.time()
        params = {"window_key": _key(key), "amount": amount, "now": now, "window_end": now + expiry}
        with self._engine.begin() as conn:
            hits, expires = conn.execute(self._incr, params).one()
        self._counted.hit = (params["window_key"], int(hits), float(expires))
        return int(hits)

    def get(self, key: str) -> int:
        """Hits in the current window (0 when it has ended)."""
        own = self._own_hit(_key(key))
        if own is not None:
            return own[0] if own[1] > time.time() else 0
        with self._engine.connect() as conn:
            hits = conn.execute(sa.select(_TABLE.c.hits).where(
                _TABLE.c.key == _key(key), _TABLE.c.expires_at > time.time())).scalar()
        return int(hits or 0)

    def get_expiry(self, key: str) -> float:
        """When the current window ends (epoch seconds)."""
        own = self._own_hit(_key(key))
        if own is not None:
            return own[1] if own[1] > time.time() else time.time()
        with self._engine.connect() as conn:
            expires = conn.execute(sa.select(_TABLE.c.expires_at).where(_TABLE.c.key == _key(key))).scalar()
        return float(expires) if expires is not None and expires > time.time() else time.time()

    def check(self) -> bool:
        """The database answers."""
        try:
            with self._engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every window."""
        self.forget_hit()
        with self._engine.begin() as conn:
            return int(conn.execute(sa.delete(_TABLE)).rowcount)

    def clear(self, key: str) -> None:
        """Forget one window."""
        self.forget_hit()
        with self._engine.begin() as conn:
            conn.execute(sa.delete(_TABLE).where(_TABLE.c.key == _key(key)))


def sweep_windows(conn: sa.Connection, now: float | None = None) -> int:
    """Delete ended windows; returns how many."""
    return int(conn.execute(sa.delete(_TABLE).where(_TABLE.c.expires_at <= (now or time.time()))).rowcount)
