"""GET /health: DB and LRS reachability, no authentication."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from lti_tool.db import db

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> ResponseReturnValue:
    """200 with each dependency's state (DB, LRS); 503 only when the database cannot be reached."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        database = "unreachable"
    body = {"status": "ok" if database == "ok" else "degraded", "database": database}
    probe = current_app.extensions.get("mastery.lrs_probe")
    if probe is not None:  # informational: statements wait in the outbox, so the LRS never makes this non-200
        body["lrs"] = probe.status()
    return jsonify(body), 200 if database == "ok" else 503
