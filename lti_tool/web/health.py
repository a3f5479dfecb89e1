"""GET /health: DB and LRS reachability and the outboxes' backlog, no authentication."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from lti_tool.db import db
from lti_tool.launch.web_session import request_registry
from lti_tool.runtime import runtime
from lti_tool.web.outbox_health import outbox_health

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> ResponseReturnValue:
    """200 with each dependency's state; "degraded" with reasons when rows wait and no worker runs; 503 without DB."""
    try:
        # The database answers: the registry generation the response's Content-Security-Policy reads anyway
        # (lti_tool.launch.framing) is read here, once, instead of a SELECT 1 and then that read.
        request_registry()
        outboxes = outbox_health(db.session)
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify({"status": "degraded", "database": "unreachable",
                        "reasons": ["The database cannot be reached."]}), 503
    reasons = [problem for box in outboxes if (problem := box.problem)]
    body = {
        "status": "degraded" if reasons else "ok",
        "database": "ok",
        "outboxes": {box.name: box.as_json() for box in outboxes},
        "reasons": reasons,
    }
    probe = runtime().parts.lrs_probe
    if probe is not None:  # informational: statements wait in the outbox, so the LRS never makes this non-200
        body["lrs"] = probe.status()
    return jsonify(body), 200
