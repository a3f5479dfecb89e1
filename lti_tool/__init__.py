"""MASTERY Tool: an LTI 1.3 tool for EU green-skills micro-credentials."""

from __future__ import annotations

import json
import logging.config
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from lti_tool.db import db
from lti_tool.settings import PROJECT_ROOT, Settings, load_settings

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app; the only place where settings, database, keys caches and blueprints are wired."""
    settings = (settings or load_settings()).resolved()
    _configure_logging(settings)
    app = Flask(__name__, instance_path=str(settings.instance_path.resolve()))
    from lti_tool.web.json_provider import SafeJSONProvider

    app.json = SafeJSONProvider(app)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings.database_url),
        TESTING=settings.testing,
        PREFERRED_URL_SCHEME="https" if settings.base_url.startswith("https://") else "http",
    )
    app.extensions["mastery.settings"] = settings
    if settings.trust_proxy:
        # Behind a TLS proxy request.is_secure must be true, or pylti1p3next drops SameSite=None (§6).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    db.init_app(app)
    Migrate(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)
            sa.event.listen(db.engine, "savepoint", _sqlite_begin_before_savepoint)

    import requests

    from lti_tool.launch.platform_keys import PlatformKeyCache

    app.extensions["mastery.requests_session"] = requests.Session()
    app.extensions["mastery.platform_keys"] = PlatformKeyCache(
        ttl_seconds=settings.jwks_cache_seconds, timeout_seconds=settings.http_timeout_seconds
    )
    from lti_tool.web import edge

    edge.install_converters(app)  # before the first route
    from lti_tool import events

    events.init_app(app, settings)  # the domain events and their subscribers, in order
    _register(app)
    from lti_tool.bounds import limits, sweeper

    limits.init_app(app, settings)  # after every view is registered: it wraps them
    sweeper.init_app(app, seconds=settings.sweep_seconds, background=not settings.testing)
    edge.init_app(app)
    return app


def _register(app: Flask) -> None:
    from lti_tool.assessment import views as assessment_views
    from lti_tool.assessment.review_views import bp as review_bp
    from lti_tool.assessment.unit_views import bp as units_bp
    from lti_tool.assessment.unit_views import render_unit_page
    from lti_tool.catalogue import cli as catalogue_cli
    from lti_tool.catalogue.deep_linking_views import bp as deep_linking_bp
    from lti_tool.catalogue.deep_linking_views import picker_page
    from lti_tool.catalogue.views import bp as catalogue_bp
    from lti_tool.catalogue.views import render_course_page, render_nothing_placed
    from lti_tool.credentials import views as credentials_views
    from lti_tool.dashboard import views as dashboard_views
    from lti_tool.launch import cli as launch_cli
    from lti_tool.launch import framing, web_session
    from lti_tool.launch.dynamic_registration_views import bp as dynamic_registration_bp
    from lti_tool.launch.views import add_landing
    from lti_tool.launch.views import bp as launch_bp
    from lti_tool.lms import extension as lti_services
    from lti_tool.pilots import views as pilot_views
    from lti_tool.wallets import views as wallet_views
    from lti_tool.web import errors, i18n, security, tool_info
    from lti_tool.web.health import bp as health_bp
    from lti_tool.xapi import cli as xapi_cli
    from lti_tool.xapi.views import bp as xapi_bp

    app.register_blueprint(launch_bp)
    app.register_blueprint(deep_linking_bp)
    app.register_blueprint(dynamic_registration_bp)
    app.register_blueprint(catalogue_bp)
    app.register_blueprint(units_bp)
    add_landing(app, "units.unit_page", render_unit_page)
    add_landing(app, "deep_linking.picker", picker_page)
    add_landing(app, "catalogue.course_page", render_course_page)
    add_landing(app, "catalogue.nothing_placed", render_nothing_placed)
    assessment_views.init_app(app)
    app.register_blueprint(review_bp)
    dashboard_views.init_app(app)
    app.register_blueprint(health_bp)
    app.register_blueprint(xapi_bp)
    errors.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    framing.init_app(app)
    launch_cli.init_app(app)
    lti_services.init_app(app)
    catalogue_cli.init_app(app)
    xapi_cli.init_app(app)
    tool_info.init_app(app)
    credentials_views.init_app(app)
    app.register_blueprint(wallet_views.bp)
    pilot_views.init_app(app)
    web_session.init_app(app)

    @app.context_processor
    def _csrf() -> dict[str, Any]:
        from flask import g

        session = g.get("launch_session")
        return {"csrf_token": session.csrf_token if session is not None else "",
                "launch_token": g.get("launch_token", "")}


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # Waits instead of failing when two gunicorn workers write at once.
        return {"connect_args": {"timeout": 15}}
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # ON DELETE CASCADE on SQLite
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; only the last commits can be lost on power loss
    cursor.close()


def _sqlite_begin_before_savepoint(conn: sa.Connection, _name: str) -> None:
    # pysqlite opens a transaction only at the first INSERT/UPDATE/DELETE; a SAVEPOINT issued before that
    # starts a transaction of its own that its RELEASE commits, so begin_nested() would not be atomic.
    dbapi_connection = conn.connection.dbapi_connection
    if dbapi_connection is not None and not dbapi_connection.in_transaction:
        # IMMEDIATE: take the write lock now, waiting for it (busy timeout), rather than failing later when
        # a read snapshot turns out stale (SQLITE_BUSY_SNAPSHOT does not wait).
        dbapi_connection.execute("BEGIN IMMEDIATE")


def _configure_logging(settings: Settings) -> None:
    path = Path(PROJECT_ROOT / "config" / "logging.json")
    if path.exists() and not settings.testing:
        config = json.loads(path.read_text())
        config.setdefault("root", {})["level"] = settings.log_level.upper()
        logging.config.dictConfig(config)
