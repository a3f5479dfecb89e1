"""How a request wants its answer: JSON or an HTML page (shared by every package's views and the error pages)."""

from __future__ import annotations

from flask import request

# Machine endpoints: the tool's API and what wallets call (OpenID4VCI, the VC-API exchange).
JSON_PATHS = ("/api/", "/oid4vci/", "/exchanges/")


def wants_json() -> bool:
    """APIs answer JSON; so does any client that prefers JSON over HTML."""
    if request.path.startswith(JSON_PATHS):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
