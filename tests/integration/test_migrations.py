"""Migrations run from empty on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from lti_tool.db import Base, db


def test_schema_is_at_head_and_matches_the_models(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # Alembic nests column changes in lists; type-only differences (our UTCDateTime wrapper over DateTime,
    # Float vs Double for a Python float) are not schema changes.
    flat = [op for entry in diff for op in (entry if isinstance(entry, list) else [entry])]
    assert [op for op in flat if op[0] != "modify_type"] == []


def test_upgrade_from_empty_via_cli(tmp_path, database_url: str) -> None:
    from lti_tool import create_app
    from lti_tool.settings import Settings

    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}" if database_url.startswith("sqlite") else database_url
    app = create_app(Settings(DATABASE_URL=url, INSTANCE_PATH=tmp_path, SECRET_KEY="x", testing=True))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"platform", "deployment", "context", "resource_link", "lti_user", "launch_session", "login_state",
            "tool_key", "unit"} <= tables
    assert not {"learning_outcome", "item"} & tables  # second copies of the unit documents, dropped (0019)
