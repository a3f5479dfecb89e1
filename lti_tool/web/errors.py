"""One place that turns errors into a page or JSON, as the client asked; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from lti_tool.db import db
from lti_tool.errors import N_, ToolError

log = logging.getLogger(__name__)


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


def wants_json() -> bool:
    """APIs answer JSON; so does any client that prefers JSON over HTML."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _render(status: int, code: str, title: str, message: str, *, template: str = "error.html",
            **context: object) -> tuple[Response | str, int]:
    if wants_json():
        return jsonify({"error": code, "message": message}), status
    return render_template(template, status=status, code=code, title=title, message=message, **context), status


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(ToolError)
    def _tool_error(error: ToolError) -> tuple[Response | str, int]:
        db.session.rollback()
        log.info("refused %s %s: %s (%s)", request.method, request.path, error.code, error.message)
        # The message is a catalogue entry with %(name)s placeholders: shown in the launch's language.
        message = gettext(error.template, **error.params) if error.params else gettext(error.template)
        return _render(error.status, error.code, error.title, message, **getattr(error, "context", {}))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[Response | str, int]:
        status = error.code or 500
        code = (error.name or "error").lower().replace(" ", "_")
        title, description = HTTP_TEXTS.get(status, (error.name or "Error", error.description or ""))
        if error.description and error.description != type(error).description:
            description = error.description  # a message the tool set itself
        if wants_json():
            return jsonify({"error": code, "message": gettext(description)}), status
        return _render(status, code, title, gettext(description))

    @app.errorhandler(500)
    def _server_error(error: Exception) -> tuple[Response | str, int]:
        db.session.rollback()
        return _render(500, "server_error", N_("Something went wrong on our side"),
                       gettext("The tool could not finish this request. Nothing was saved; please try again."))
