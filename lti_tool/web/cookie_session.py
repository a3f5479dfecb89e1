"""Flask's cookie session, opened only for a request that carries its cookie.

The tool keeps nothing in Flask's session (launch sessions and login states are server-side), yet Flask opens it on
every request, and its interface builds an itsdangerous signer each time before looking for the cookie: ~0.3 ms
of cProfile time per request, three per launch (bench/launch.py --profile). Without the cookie the session is
empty either way, and this answers that empty session at once.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class LazyCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's own interface; the signer is built only when there is a cookie to check."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    """Use the lazy interface."""
    app.session_interface = LazyCookieSessionInterface()
