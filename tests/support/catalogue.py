"""The shipped units in a test database, loaded once per database and copied back in for every later test.

`content load` of the twelve units takes seconds (YAML, JSON Schema, the authoring checks); most tests only need
its result. The first test on a database runs the real loader and keeps the rows it wrote; later tests insert
those rows again, which gives the same tables the loader would. Tests of the loader itself call it directly.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import sqlalchemy as sa
from flask import Flask

from lti_tool.catalogue.models import Unit
from lti_tool.catalogue.schema import read_unit_file
from lti_tool.db import db
from lti_tool.settings import PROJECT_ROOT

# What `content load` writes (parents before children, as they must be inserted).
CATALOGUE_TABLES: tuple[sa.Table, ...] = (Unit.__table__,)  # type: ignore[assignment]
_rows_by_database: dict[str, dict[str, list[dict[str, Any]]]] = {}


def load_shipped_units(app: Flask) -> None:
    """Put the shipped units into the app's catalogue: by the loader once, then from its copy; idempotent."""
    with app.app_context():
        if db.session.scalar(sa.select(sa.func.count()).select_from(Unit)):
            return  # loaded already (a live tool's world built on top of it), as `content load` would say
        url = db.engine.url.render_as_string(hide_password=False)
        rows = _rows_by_database.get(url)
        if rows is None:
            result = app.test_cli_runner().invoke(args=["content", "load"])
            assert result.exit_code == 0, result.output
            with db.engine.connect() as conn:
                _rows_by_database[url] = {
                    table.name: [dict(row) for row in conn.execute(table.select().order_by(*table.primary_key))
                                 .mappings()]
                    for table in CATALOGUE_TABLES
                }
            return
        with db.engine.begin() as conn:
            for table in CATALOGUE_TABLES:
                conn.execute(table.insert(), rows[table.name])
            if conn.dialect.name == "postgresql":
                # Rows inserted with their ids leave the id sequences behind; later inserts must not collide.
                for table in CATALOGUE_TABLES:
                    conn.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"))


@functools.cache
def _shipped_unit(slug: str) -> dict[str, Any]:
    return read_unit_file(PROJECT_ROOT / "content" / "units" / f"{slug}.yaml")


def shipped_unit(slug: str) -> dict[str, Any]:
    """A shipped unit's document as the loader reads it (read once per test run; each caller gets its own copy)."""
    return copy.deepcopy(_shipped_unit(slug))
