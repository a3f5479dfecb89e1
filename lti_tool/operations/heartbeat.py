"""Workers record that they are alive; at most one write every few seconds, in its own transaction."""

from __future__ import annotations

import os
import socket
import time

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.dialects import postgresql, sqlite

from lti_tool.db import utcnow
from lti_tool.operations.models import WorkerHeartbeat

BEAT_EVERY_SECONDS = 5.0


class Heartbeat:
    """Call `beat()` once per loop of a worker, between transactions (it commits)."""

    def __init__(self, name: str, every_seconds: float = BEAT_EVERY_SECONDS) -> None:
        self.name = name
        self.every_seconds = every_seconds
        self._last = float("-inf")

    def beat(self, session: so.Session) -> None:
        """Record this worker as alive now, unless it did so less than `every_seconds` ago."""
        now = time.monotonic()
        if now - self._last < self.every_seconds:
            return
        values = {"name": self.name, "beat_at": utcnow(), "pid": os.getpid(), "host": socket.gethostname()[:255]}
        dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
        statement = dialect.insert(WorkerHeartbeat).values(**values)
        session.execute(statement.on_conflict_do_update(
            index_elements=[WorkerHeartbeat.name],
            set_={"beat_at": values["beat_at"], "pid": values["pid"], "host": values["host"]},
        ))
        session.commit()
        self._last = now


def last_beats(session: so.Session) -> dict[str, WorkerHeartbeat]:
    """The latest heartbeat of each worker kind."""
    return {row.name: row for row in session.scalars(sa.select(WorkerHeartbeat))}
