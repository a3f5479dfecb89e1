"""MASTERY Tool: an LTI 1.3 tool for EU green-skills micro-credentials."""

from __future__ import annotations

import json
import logging.config
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa
from flask import Flask
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from lti_tool import (
    assessment,
    bounds,
    catalogue,
    credentials,
    dashboard,
    events,
    fragments,
    launch,
    lms,
    pilots,
    wallets,
    web,
    xapi,
)
from lti_tool.assessment import models as assessment_models
from lti_tool.bounds import models as bounds_models
from lti_tool.catalogue import models as catalogue_models
from lti_tool.credentials import models as credentials_models
from lti_tool.dashboard import models as dashboard_models
from lti_tool.db import begin_as_ping, db, psycopg_cursor_factory
from lti_tool.launch import models as launch_models
from lti_tool.lms import models as lms_models
from lti_tool.operations import models as operations_models
from lti_tool.pilots import models as pilots_models
from lti_tool.runtime import Runtime, install
from lti_tool.settings import PROJECT_ROOT, Settings, load_settings
from lti_tool.wallets import models as wallets_models
from lti_tool.xapi import models as xapi_models

# Every table joins the one metadata here, whichever views a process imports (migrations, create_all).
MODELS = (launch_models, lms_models, catalogue_models, assessment_models, dashboard_models, xapi_models,
          credentials_models, wallets_models, pilots_models, bounds_models, operations_models)

# Each package registers its blueprints, CLI and services (``init_app``). The web shell comes first (its URL
# converters precede every route); bounds comes last (its limits wrap every view registered before it).
PACKAGES = (web, launch, lms, catalogue, assessment, dashboard, xapi, credentials, wallets, pilots, bounds)

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
    install(app, _runtime(settings))
    if settings.trust_proxy:
        # Behind a TLS proxy request.is_secure must be true, or pylti1p3next drops SameSite=None (§6).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    db.init_app(app)
    Migrate(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)  # a pool event: nothing per statement
            _sqlite_begin_before_savepoint(db.engine.dialect)
        elif db.engine.dialect.driver == "psycopg":
            begin_as_ping(db.engine)  # one round trip fewer per request than pool_pre_ping

    from lti_tool.web import edge, transaction

    events.install(app, wire_events(settings))
    fragments.install(app)
    for package in PACKAGES:
        package.init_app(app)
    edge.init_app(app)  # after the body limits (bounds), so checking a form reads it within them
    transaction.init_app(app)  # last: the request's commit runs before every other after_request hook
    return app


def _runtime(settings: Settings) -> Runtime:
    """The settings and the adapters of the outside systems this app uses."""
    from lti_tool.assessment.upload_store import FolderUploadStore
    from lti_tool.credentials.verification.remote import RemoteFetcher
    from lti_tool.launch.dynamic_registration import RegistrationClient
    from lti_tool.lms.client import ServicesClient
    from lti_tool.xapi.lrs_client import LrsClient

    return Runtime(
        settings=settings,
        requests_session=requests.Session(),
        registration_client=lambda timeout: RegistrationClient(timeout_seconds=timeout),
        lrs_client=LrsClient,
        lms_client=lambda timeout: ServicesClient(timeout_seconds=timeout),
        remote_fetcher=lambda timeout: RemoteFetcher(timeout=timeout),
        upload_store=FolderUploadStore(settings.instance_path / "uploads"),
    )


def wire_events(settings: Settings) -> events.Events:
    """Every domain event and its subscribers, in the order they run (in the publisher's transaction)."""
    from lti_tool.assessment.credentialing import issue_on_mastery
    from lti_tool.assessment.grading import grade_after_reset, grade_after_result
    from lti_tool.pilots.services import pilot_launch_recorder
    from lti_tool.xapi.learning_records import Recorder

    record = Recorder(settings.base_url)
    wired = events.Events()
    wired.subscribe(events.Launched, record.launched, pilot_launch_recorder(settings.base_url))
    wired.subscribe(events.SectionRead, record.section_read)
    wired.subscribe(events.AttemptStarted, record.started)
    # The learning record of the result comes before the credential, whose "earned" follows it.
    wired.subscribe(events.AttemptResult, grade_after_result, record.result, issue_on_mastery)
    wired.subscribe(events.CredentialIssued, record.earned)
    wired.subscribe(events.CredentialRevoked, record.revoked)
    wired.subscribe(events.AttemptResetByTeacher, record.reset, grade_after_reset)
    return wired


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # Waits instead of failing when two gunicorn workers write at once.
        return {"connect_args": {"timeout": 15}}
    if url.startswith("postgresql+psycopg://"):
        # Checked at checkout by db.begin_as_ping (create_app); the cursor builds its description only when read.
        return {"pool_size": 5, "max_overflow": 5, "connect_args": {"cursor_factory": psycopg_cursor_factory()}}
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # ON DELETE CASCADE on SQLite
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; only the last commits can be lost on power loss
    cursor.close()


def _sqlite_begin_before_savepoint(dialect: sa.Dialect) -> None:
    """pysqlite opens a transaction only at the first INSERT/UPDATE/DELETE; a SAVEPOINT issued before that starts
    a transaction of its own that its RELEASE commits, so begin_nested() would not be atomic: begin first.

    Wrapped on this engine's dialect object rather than listened to as the "savepoint" engine event: any engine
    (Connection) event listener makes SQLAlchemy dispatch events around every statement (see db.begin_as_ping).
    """
    savepoint = dialect.do_savepoint

    def do_savepoint(conn: sa.Connection, name: str) -> None:
        dbapi_connection = conn.connection.dbapi_connection
        if dbapi_connection is not None and not dbapi_connection.in_transaction:
            # IMMEDIATE: take the write lock now, waiting for it (busy timeout), rather than failing later when
            # a read snapshot turns out stale (SQLITE_BUSY_SNAPSHOT does not wait).
            dbapi_connection.execute("BEGIN IMMEDIATE")
        savepoint(conn, name)

    dialect.do_savepoint = do_savepoint  # type: ignore[method-assign,assignment]


def _configure_logging(settings: Settings) -> None:
    path = Path(PROJECT_ROOT / "config" / "logging.json")
    if path.exists() and not settings.testing:
        config = json.loads(path.read_text())
        config.setdefault("root", {})["level"] = settings.log_level.upper()
        logging.config.dictConfig(config)
