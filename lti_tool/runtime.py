"""What ``create_app`` chose for this app, stored once on it with a typed accessor: the settings and the shared
HTTP session. Code reads ``current_settings()``, never a string key of ``app.extensions``."""

from __future__ import annotations

from dataclasses import dataclass, replace

import requests
from flask import Flask, current_app

from lti_tool.settings import Settings

_KEY = "mastery"  # the one app.extensions entry of the tool


@dataclass(frozen=True)
class Runtime:
    """The app's settings and the objects the factory built from them (nothing is built at import time)."""

    settings: Settings
    # Keep-alive connections to the platforms' key sets (pylti1p3next fetches them through requests).
    requests_session: requests.Session


def install(app: Flask, runtime: Runtime) -> None:
    """Store the runtime on the app (create_app, once)."""
    app.extensions[_KEY] = runtime


def runtime(app: Flask | None = None) -> Runtime:
    """The runtime of ``app``, or of the running app."""
    value: Runtime = (app or current_app).extensions[_KEY]
    return value


def current_settings(app: Flask | None = None) -> Settings:
    """The settings of ``app``, or of the running app."""
    return runtime(app).settings


def replace_settings(app: Flask, settings: Settings) -> None:
    """Give a running app other settings (tests that point it at another LRS, or shorten a timeout)."""
    install(app, replace(runtime(app), settings=settings))
