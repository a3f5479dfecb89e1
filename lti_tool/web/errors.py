"""One place that turns errors into a page or JSON, as the client asked; never a stack trace.

Nothing here needs the database: during an outage the error page itself must still render (issue 11), so
then the launch session is detached before the rollback (its loaded locale and token stay readable, where
a rollback would expire them and the page would query again) and the answer is 503 with Retry-After.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, Response, g, jsonify, make_response, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, InternalServerError

from lti_tool.bounds.deadline import RequestTimedOut, timeout_in_hand
from lti_tool.db import db
from lti_tool.errors import N_, ToolError, page_message
from lti_tool.launch.web_session import request_launch_token
from lti_tool.negotiation import wants_json
from lti_tool.runtime import request_globals

log = logging.getLogger(__name__)

_LOGGED_PATH = 200
# One code per status where the tool's own checks and Werkzeug's may both answer (RFC 9110 §15.5.14 names 413
# "Content Too Large"; /api/verify has always answered "payload_too_large").
_CODES = {413: "payload_too_large"}


def loggable(text: str, limit: int = _LOGGED_PATH) -> str:
    """User-controlled text for one log line: control characters escaped (no forged lines), length capped."""
    escaped = text[:limit].encode("unicode_escape").decode("ascii")
    return escaped + ("…" if len(text) > limit else "")


# Werkzeug's own pages are English: their titles and sentences, in our catalogue.
HTTP_TEXTS: dict[int, tuple[str, str]] = {
    400: (N_("Something is not right with this request"),
          N_("The browser sent a request the tool could not understand.")),
    404: (N_("Not found"), N_("There is no page at this address. Open the activity again from your course.")),
    405: (N_("This action is not possible here"),
          N_("This page cannot be used in this way. Go back and use the page's own buttons and links.")),
    413: (N_("The file or form is too large"), N_("What you sent is larger than the tool accepts.")),
    415: (N_("Something is not right with this request"), N_("The tool cannot read data of this type.")),
    429: (N_("Too many requests"), N_("Please wait a moment before trying again.")),
}


def _render(status: int, code: str, title: str, message: str, *, template: str = "error.html",
            **context: object) -> Response:
    if wants_json():
        return make_response(jsonify({"error": code, "message": message}), status)
    return make_response(render_template(template, status=status, code=code, title=title, message=message,
                                         **context), status)


def rollback(*, keep_launch_loaded: bool = False) -> None:
    """Roll the request's transaction back; with the database gone, without the launch session reloading."""
    launch = g.get("launch_session")
    if keep_launch_loaded:
        g.setdefault("launch_session", None)  # no second lookup of the session (the locale asks) while it is away
    try:
        if keep_launch_loaded and launch is not None and launch in db.session:
            db.session.expunge(launch)  # its loaded locale and CSRF token stay readable for the error page
        db.session.rollback()
    except sa.exc.SQLAlchemyError as error:  # the connection is gone: nothing to roll back
        log.warning("rollback after an error failed: %s", type(error).__name__)


def _database_unreachable(error: BaseException | None) -> bool:
    return isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError) or (
        isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated)


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(ToolError)
    def _tool_error(error: ToolError) -> Response:
        rollback()
        log.info("refused %s %s: %s (%s)", request.method, loggable(request.path), error.code,
                 loggable(error.message, 500))
        # The message is a catalogue entry with %(name)s placeholders: shown in the launch's language (on a page,
        # a library's English detail quoted and marked lang="en").
        if wants_json():
            message = gettext(error.template, **error.params) if error.params else gettext(error.template)
        else:
            message = page_message(error, gettext)
        return _render(error.status, error.code, error.title, message, **getattr(error, "context", {}))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        if isinstance(error, RequestTimedOut):
            timeout_in_hand(request.environ)  # first: the cleanup below must not be interrupted again
        if isinstance(error, InternalServerError):
            return _server_error(error)
        status = error.code or 500
        code = _CODES.get(status) or (error.name or "error").lower().replace(" ", "_")
        title, description = HTTP_TEXTS.get(status, (error.name or "Error", error.description or ""))
        if error.description and error.description != type(error).description:
            description = error.description  # a message the tool set itself
        response = _render(status, code, title, gettext(description))
        for name, value in error.get_headers():  # Allow (405), Retry-After (429, 503), WWW-Authenticate
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(500)
    def _server_error(error: Exception) -> Response:
        original = getattr(error, "original_exception", None) or error
        unreachable = _database_unreachable(original)
        rollback(keep_launch_loaded=unreachable)
        if unreachable:
            log.error("database unreachable: %s", type(original).__name__)
            response = _render(503, "database_unavailable", N_("The tool cannot reach its database"),
                               gettext("The tool cannot reach its database at the moment. Nothing was saved; "
                                       "please try again in a minute."))
            response.headers["Retry-After"] = "30"
            return response
        return _render(500, "server_error", N_("Something went wrong on our side"),
                       gettext("The tool could not finish this request. Nothing was saved; please try again."))

    @app.after_request
    def _no_store_when_launched(response: Response) -> Response:
        # A page or answer made for a launched user (learner data, CSRF tokens) is never kept by a cache.
        if request.endpoint != "static" and (request_globals().get("launch_session") is not None
                                             or request_launch_token()):
            response.headers["Cache-Control"] = "no-store"
        return response
