"""The request is the unit of work: a successful answer (below 400) commits what the view wrote; an error
answer commits nothing (Flask-SQLAlchemy rolls the session back when the request's app context ends).

Views therefore do not commit. A view commits by hand only to keep a write that an error answer must not undo
(a wrong guess counted toward a lockout, say), and says why next to the commit. A request that only read
does not commit: a commit expires every loaded object, and the response's own hooks (the frame-ancestors of the
launch's platform) would read them again.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, Response
from sqlalchemy import orm as so

from lti_tool.db import WROTE as _WROTE
from lti_tool.db import request_session


def _wrote(session: so.Session, *_: Any) -> None:
    session.info[_WROTE] = True


def _wrote_by_statement(state: so.ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:  # session.execute(sa.update(...)) and the like
        state.session.info[_WROTE] = True


def _settled(session: so.Session, transaction: so.SessionTransaction) -> None:
    # Only the outermost transaction's end settles the writes: a savepoint's end fires after_commit and
    # after_rollback too (measured, SQLAlchemy 2.1), while the writes around it still wait for the commit.
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


_LISTENERS = (("after_flush", _wrote), ("do_orm_execute", _wrote_by_statement),
              ("after_transaction_end", _settled))


def init_app(app: Flask) -> None:
    """Register the commit; call it after every other ``after_request`` so that it runs before them (Flask runs
    them in reverse): a hook that rolls back after a failed read of its own then cannot undo the view's writes."""
    for name, listener in _LISTENERS:
        if not sa.event.contains(so.Session, name, listener):  # one extension object serves every app
            sa.event.listen(so.Session, name, listener)

    @app.after_request
    def _commit(response: Response) -> Response:
        session = request_session()  # once: each read of db.session looks the session up again
        wrote = session.info.get(_WROTE) or session.new or session.dirty or session.deleted  # flushed, or pending
        if response.status_code < 400 and wrote:
            session.commit()  # a failure here is an exception: the 500/503 page of lti_tool.web.errors
        return response
