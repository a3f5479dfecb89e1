"""Benchmark: what the small per-request operations of a launch cost (docs/scaling.md, "Per-request costs, session 8").

cProfile counts every Python call at the same price, so a change that removes many cheap calls looks bigger under
it than it is; this times each operation on its own (timeit, best of 7 repeats, inside one request context of a
plain Flask app with Flask-SQLAlchemy on in-memory SQLite): through the library as before, and as the tool now does
it. No database round trip is involved.

    .venv/bin/python bench/per_request_costs.py
"""

from __future__ import annotations

import inspect
import timeit
import weakref
from collections.abc import Callable
from typing import Any

from flask import Flask, g, request
from flask_sqlalchemy import SQLAlchemy
from pylti1p3.contrib.flask import FlaskRequest


def best(operation: Callable[[], Any], number: int = 20_000) -> float:
    """Microseconds per call: the best of 7 repeats."""
    return min(timeit.repeat(operation, number=number, repeat=7)) / number * 1e6


def main() -> None:
    app = Flask("costs")
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db = SQLAlchemy()
    db.init_app(app)

    def hook() -> None:
        return None

    plain = weakref.WeakSet([hook])
    form = {"id_token": "x" * 900, "state": "state-1b4e28ba-2fa1-11d2-883f-0016d3cca427"}
    rows = []
    with app.test_request_context("/lti/launch", method="POST", data=form):
        session = db.session()
        current = request._get_current_object()  # type: ignore[attr-defined]
        request_g = g._get_current_object()
        pylti = FlaskRequest()
        snapshot = current.form.to_dict()
        rows += [
            ("Flask-SQLAlchemy db.session.info (scoped lookup)", best(lambda: db.session.info),
             "session.info (bound once)", best(lambda: session.info)),
            ("request.form through the LocalProxy", best(lambda: request.form),
             "the bound request's .form", best(lambda: current.form)),
            ("g.get(...) through the LocalProxy", best(lambda: g.get("launch_token")),
             "the bound g's .get(...)", best(lambda: request_g.get("launch_token"))),
            ("pylti1p3 FlaskRequest.get_param, present key", best(lambda: pylti.get_param("state")),
             "snapshot dict .get", best(lambda: snapshot.get("state"))),
            ("pylti1p3 FlaskRequest.get_param, absent key", best(lambda: pylti.get_param("lti_message_hint")),
             "snapshot dict .get", best(lambda: snapshot.get("lti_message_hint"))),
            ("pylti1p3 FlaskRequest()", best(FlaskRequest, 5_000),
             "cookies, is_secure, form.to_dict() once", best(
                 lambda: (current.cookies, current.is_secure, current.form.to_dict()), 5_000)),
            ("Flask ensure_sync's inspect.iscoroutinefunction", best(lambda: inspect.iscoroutinefunction(hook)),
             "a WeakSet membership test (dropped)", best(lambda: hook in plain)),
        ]
    width = max(len(row[0]) for row in rows)
    for before, before_us, after, after_us in rows:
        print(f"{before:<{width}}  {before_us:6.3f} µs   →   {after}: {after_us:.3f} µs")


if __name__ == "__main__":
    main()
