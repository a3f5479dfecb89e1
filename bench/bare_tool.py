"""A bare pylti1p3next Flask tool: the yardstick bench/launch.py measures our launch against.

It shares no code with lti_tool: OIDC login and id_token validation exactly as pylti1p3next's README wires them
(state and nonce in Flask's cookie session, the platform's JWKS cached in-process), and a JSON answer. It does
nothing else: no database, no nonce consumption (pylti1p3next accepts a replay, DESIGN.md §6), no page.

    BARE_TOOL_CONF='{"issuer": …, "client_id": …, "deployment_id": …, "auth_login_url": …,
                     "auth_token_url": …, "key_set_url": …}' gunicorn -w 2 'bare_tool:create_app()'
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from flask import Flask, jsonify, request
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.contrib.flask.launch_data_storage.cache import FlaskCacheDataStorage
from pylti1p3.tool_config import ToolConfDict


class ProcessCache:
    """The smallest cache pylti1p3next's cache storage accepts (get/set with a lifetime), per worker."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[Any, float]] = {}

    def get(self, key: str) -> Any:
        value, until = self._values.get(key, (None, 0.0))
        return value if until > time.monotonic() else None

    def set(self, key: str, value: Any, exp: int | None = None) -> None:
        self._values[key] = (value, time.monotonic() + (exp or 3600))


def tool_conf(conf: dict[str, str]) -> ToolConfDict:
    """pylti1p3next's registration of the one platform (issuer, client id, endpoints, deployment)."""
    return ToolConfDict({conf["issuer"]: [{
        "default": True, "client_id": conf["client_id"], "auth_login_url": conf["auth_login_url"],
        "auth_token_url": conf["auth_token_url"], "key_set_url": conf["key_set_url"],
        "deployment_ids": [conf["deployment_id"]],
    }]})


def create_app() -> Flask:
    """The bare tool, configured from BARE_TOOL_CONF."""
    registration = tool_conf(json.loads(os.environ["BARE_TOOL_CONF"]))
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "bare-bench"
    key_cache = ProcessCache()

    @app.get("/health")
    def health() -> Any:
        return jsonify(status="ok")

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        target = request.values.get("target_link_uri", "")
        return FlaskOIDCLogin(FlaskRequest(), registration).redirect(target)

    @app.post("/launch")
    def launch() -> Any:
        message = FlaskMessageLaunch(FlaskRequest(), registration)
        message.set_public_key_caching(FlaskCacheDataStorage(key_cache), cache_lifetime=300)
        data = message.get_launch_data()  # validates state, signature, registration, deployment, nonce
        return jsonify(sub=data["sub"], roles=data.get("https://purl.imsglobal.org/spec/lti/claim/roles", []))

    return app
