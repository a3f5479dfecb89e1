"""Checks every request gets before any view or service sees it (issue 11, "validation at the edge").

- Integer ids in URLs stay within the database's INTEGER range: ``/credentials/status/2147483648`` is simply
  not found, instead of an overflow at PostgreSQL.
- No NUL character in the path, a query or a form value: PostgreSQL cannot store one, and no input of the
  tool ever needs one (JSON bodies are checked in ``lti_tool.web.json_provider``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

from lti_tool.runtime import current_request

INT_MAX = 2**31 - 1  # INTEGER on PostgreSQL (and the range SQLite ids are compared in)


class DatabaseIntConverter(IntegerConverter):
    """``<int:…>`` limited to 0 … 2,147,483,647; a larger number matches no route (404)."""

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = 0,  # noqa: A002 - Werkzeug's names
                 max: int | None = INT_MAX, signed: bool = False) -> None:  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=INT_MAX if max is None else max,
                         signed=signed)


class NulCharacter(BadRequest):
    """A NUL character in the request's path, query or form."""

    description = "The request contains a NUL character, which no address or field of this tool accepts."


def install_converters(app: Flask) -> None:
    """Before any route is added: ``int`` is the database-safe integer."""
    app.url_map.converters["int"] = DatabaseIntConverter


def _has_nul(pairs: Any) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs.items(multi=True))


def init_app(app: Flask) -> None:
    """Register the request check (after the per-endpoint body limits, so reading a form respects them)."""

    @app.before_request
    def _refuse_nul() -> None:
        current = current_request()  # once: four reads through the proxy otherwise
        if "\x00" in current.path or _has_nul(current.args):
            raise NulCharacter()
        if current.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data") and _has_nul(
                current.form):
            raise NulCharacter()
