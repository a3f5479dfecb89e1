"""ToolFlask keeps Flask's verdict on plain functions and leaves everything else to Flask itself."""

from __future__ import annotations

import gc
import inspect
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, after_this_request
from flask.testing import FlaskClient
from werkzeug.wrappers import Response

from lti_tool.web.flask_app import ToolFlask

PLACES = ("view", "before_request", "after_request", "teardown_request", "context_processor", "errorhandler")


def _async_app(cls: type[Flask], place: str) -> Flask:
    """An app with one `async def` function in `place`, everything else plain."""
    app = cls("async_check")
    app.testing = True

    async def coroutine(*_args: Any) -> Any:
        return "async"

    def plain_view() -> str:
        if place == "errorhandler":
            raise KeyError("boom")
        if place == "context_processor":
            from flask import render_template_string

            return render_template_string("{{ 1 }}")
        return "plain"

    if place == "view":
        app.add_url_rule("/", "index", coroutine)
    else:
        app.add_url_rule("/", "index", plain_view)
        if place == "errorhandler":
            app.register_error_handler(KeyError, coroutine)
        else:
            getattr(app, place)(coroutine)
    return app


def _outcome(client: FlaskClient) -> tuple[Any, ...]:
    try:
        response = client.get("/")
    except Exception as error:  # noqa: BLE001 - the outcome compared is whatever Flask does
        return type(error), str(error)
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("place", PLACES)
def test_an_async_function_is_refused_exactly_as_flask_refuses_it(place: str) -> None:
    outcomes = {}
    for cls in (Flask, ToolFlask):
        client = _async_app(cls, place).test_client()
        outcomes[cls] = [_outcome(client) for _ in range(3)]  # on every request, not only the first
    assert outcomes[ToolFlask] == outcomes[Flask]
    for outcome in outcomes[Flask]:
        # Without Flask's "async" extra (asgiref) Flask refuses an async function when it would run it.
        assert outcome[0] is RuntimeError and "'async' extra" in outcome[1], outcome


def _counting_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import flask.app

    checked: list[str] = []  # names, not the functions: holding them would keep the closures alive

    def iscoroutinefunction(func: Callable[..., Any]) -> bool:
        checked.append(func.__qualname__)
        return inspect.iscoroutinefunction(func)

    monkeypatch.setattr(flask.app, "iscoroutinefunction", iscoroutinefunction)
    return checked


def _hooked_app(cls: type[Flask]) -> tuple[Flask, Callable[[], None]]:
    app = cls("sync_check")
    app.testing = True

    def before() -> None:
        return None

    def index() -> str:
        @after_this_request
        def per_request(response: Response) -> Response:  # a new closure each request
            response.headers["X-Seen"] = "1"
            return response

        return "ok"

    app.before_request(before)
    app.add_url_rule("/", "index", index)
    return app, before


def test_a_plain_function_is_checked_once_and_a_request_closure_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    checked = _counting_checks(monkeypatch)
    counts = {}
    for cls in (Flask, ToolFlask):
        app, hook = _hooked_app(cls)
        client = app.test_client()
        for _ in range(4):
            response = client.get("/")
            assert (response.status_code, response.text, response.headers["X-Seen"]) == (200, "ok", "1")
        closure = "_hooked_app.<locals>.index.<locals>.per_request"
        counts[cls] = (checked.count(hook.__qualname__), checked.count(closure))
        checked.clear()
    assert counts[Flask] == (4, 4)  # Flask checks the hook on every request
    assert counts[ToolFlask] == (1, 4)  # once; each request's new closure is checked, as by Flask
    tool_app, tool_hook = app, hook
    gc.collect()
    kept = tool_app._plain_functions  # noqa: SLF001 - the weak set itself is what is checked
    # The hook and the view stay known; the four per-request closures left with their requests.
    assert set(kept) == {tool_hook, tool_app.view_functions["index"]}


def test_the_factory_builds_the_tool_as_a_tool_flask(app: Flask) -> None:
    assert isinstance(app, ToolFlask)
