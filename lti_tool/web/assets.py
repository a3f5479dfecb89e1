"""Static asset URLs for templates, built once: ``url_for('static', …)`` runs every URL-defaults hook and the
router's builder (~40 µs a call, five on every page; bench/launch.py --profile), for an answer that never changes
while the process runs behind the same script root."""

from __future__ import annotations

from flask import Flask, has_request_context, request, url_for


def init_app(app: Flask) -> None:
    """Offer ``asset_url(filename)`` to templates."""
    built: dict[tuple[str, str], str] = {}  # template file names × script roots: a bounded set

    def asset_url(filename: str) -> str:
        key = (request.script_root if has_request_context() else "", filename)
        url = built.get(key)
        if url is None:
            url = built[key] = url_for("static", filename=filename)
        return url

    app.jinja_env.globals["asset_url"] = asset_url
