"""The request is the unit of work: a successful answer (below 400) commits what the view wrote; an error
answer commits nothing (Flask-SQLAlchemy rolls the session back when the request's app context ends).

Views therefore do not commit. A view commits by hand only to keep a write that an error answer must not undo
(a wrong guess counted toward a lockout, say), and says why next to the commit.
"""

from __future__ import annotations

from flask import Flask, Response

from lti_tool.db import db


def init_app(app: Flask) -> None:
    """Register the commit; call it after every other ``after_request`` so that it runs before them (Flask runs
    them in reverse): a hook that rolls back after a failed read of its own then cannot undo the view's writes."""

    @app.after_request
    def _commit(response: Response) -> Response:
        if response.status_code < 400 and db.session.in_transaction():
            db.session.commit()  # a failure here is an exception: the 500/503 page of lti_tool.web.errors
        return response
