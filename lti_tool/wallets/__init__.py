"""The learner's credential into a wallet: OpenID4VCI 1.0 (pre-authorized code) and the VC-API exchange (LCW)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the wallet endpoints."""
    from lti_tool.wallets import views

    app.register_blueprint(views.bp)
