"""Rate-limit windows kept in the tool's database, so every gunicorn worker counts against the same limit."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.db import Base


class RateLimitWindow(Base):
    """One fixed window of one limit for one client: how many hits, and when the window ends."""

    __tablename__ = "rate_limit_window"

    key: so.Mapped[str] = so.mapped_column(sa.String(255), primary_key=True)
    hits: so.Mapped[int] = so.mapped_column()
    expires_at: so.Mapped[float] = so.mapped_column(sa.Float, index=True)  # epoch seconds, as `limits` counts
