"""The request is the unit of work (lti_tool/web/transaction.py): an answer below 400 commits what the view
wrote; an error answer, returned or raised, commits nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from lti_tool.db import db
from lti_tool.errors import Conflict
from lti_tool.operations.models import WorkerHeartbeat


def _write(name: str) -> None:
    db.session.add(WorkerHeartbeat(name=name, pid=1, host="test"))
    db.session.flush()


@pytest.fixture
def boundary_app(app: Flask) -> Flask:
    # Views of this test only, on the app create_app built (its after_request hooks included).
    @app.post("/_boundary/ok")
    def ok() -> tuple[str, int]:
        _write("ok")
        return "", 201

    @app.post("/_boundary/refused")
    def refused() -> tuple[str, int]:
        _write("refused")
        return "no", 409

    @app.post("/_boundary/raised")
    def raised() -> str:
        _write("raised")
        raise Conflict("refused on purpose")

    return app


def _names(app: Flask) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(sa.select(WorkerHeartbeat.name)))


def test_a_successful_answer_commits_and_an_error_answer_commits_nothing(boundary_app: Flask) -> None:
    client = boundary_app.test_client()
    assert client.post("/_boundary/ok").status_code == 201
    assert client.post("/_boundary/refused").status_code == 409
    assert client.post("/_boundary/raised").status_code == 409
    assert _names(boundary_app) == {"ok"}


def test_a_write_by_statement_is_committed_too(boundary_app: Flask) -> None:
    @boundary_app.post("/_boundary/statement")
    def statement() -> tuple[str, int]:
        db.session.execute(sa.insert(WorkerHeartbeat).values(name="statement", pid=2, host="test"))
        return "", 204

    assert boundary_app.test_client().post("/_boundary/statement").status_code == 204
    assert _names(boundary_app) == {"statement"}


def test_a_savepoint_rolled_back_inside_the_view_keeps_the_writes_around_it(boundary_app: Flask) -> None:
    @boundary_app.post("/_boundary/savepoint")
    def savepoint() -> tuple[str, int]:
        _write("kept")
        nested = db.session.begin_nested()
        _write("undone")
        nested.rollback()
        return "", 204

    assert boundary_app.test_client().post("/_boundary/savepoint").status_code == 204
    assert _names(boundary_app) == {"kept"}


def test_a_change_not_flushed_yet_is_committed_too(boundary_app: Flask) -> None:
    with boundary_app.app_context():
        _write("beat")
        db.session.commit()

    @boundary_app.post("/_boundary/pending")
    def pending() -> tuple[str, int]:
        beat = db.session.get(WorkerHeartbeat, "beat")
        assert beat is not None
        beat.host = "changed"  # no query follows: nothing flushes it before the answer
        return "", 204

    assert boundary_app.test_client().post("/_boundary/pending").status_code == 204
    with boundary_app.app_context():
        assert db.session.get(WorkerHeartbeat, "beat").host == "changed"  # type: ignore[union-attr]
