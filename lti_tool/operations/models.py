"""The heartbeat each background worker writes, so /health can tell a stopped worker from an idle one."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.db import Base, utcnow


class WorkerHeartbeat(Base):
    """When a worker of this kind (grades, xapi) last went through its loop, and which process it was."""

    __tablename__ = "worker_heartbeat"

    name: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    beat_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    pid: so.Mapped[int] = so.mapped_column(default=0)
    host: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
