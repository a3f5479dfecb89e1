"""The SQL statements a live tool's requests send (the live server runs in the test's process)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask, has_request_context

from lti_tool.db import db


@contextmanager
def request_statements(app: Flask) -> Iterator[list[str]]:
    """Each statement the app's requests send inside the block, whitespace collapsed.

    Only statements sent inside a request: a background thread of the live tool (a sweep, a worker) is not the
    request under test, and counting it made these tests fail at random under a parallel run.
    """
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if has_request_context():
            sent.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
