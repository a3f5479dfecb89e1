"""Validate statements: Ralph's strict xAPI models plus our own checks.

Where: the outbox worker validates every statement before it is sent (a statement that fails becomes a dead
letter with the reason, never a POST), and the builders' output is validated in the tests. On the request
path `enqueue` runs only `check_envelope` (id and timestamps, microseconds): Ralph's models cost ~0.2 ms a
statement, which a submit with ~30 statements would pay inside its transaction.

Ralph (the LRS) accepts much that is invalid (non-IRI verbs, `timestamp: "yesterday"`, unknown
properties), and a stored naive timestamp breaks every later `since` query: so we check first.
Ralph's models (`ralph-malph`, no extras) are strict but accept naive timestamps, hence `_check_times`.
The models run as one validator built from their schema (ralph_models.py): the same verdicts at ~⅓ of the CPU.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from lti_tool.xapi.ralph_models import statement_validator


class StatementValidationError(ValueError):
    """A statement is not valid xAPI 1.0.3 or breaks a rule of our profile."""

    def __init__(self, statement_id: object, problems: list[str]) -> None:
        self.statement_id = statement_id
        self.problems = problems
        super().__init__(f"invalid xAPI statement {statement_id}: " + "; ".join(problems))


def _check_times(statement: Mapping[str, Any]) -> list[str]:
    problems = []
    for field in ("timestamp", "stored"):
        value = statement.get(field)
        if value is None:
            continue
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            problems.append(f"{field}: not an ISO 8601 date-time: {value!r}")
            continue
        if moment.tzinfo is None:
            problems.append(f"{field}: has no timezone (naive): {value!r}")
    return problems


def check_envelope(statement: Mapping[str, Any]) -> None:
    """The checks a request pays: a statement id (a UUID) and a timezone on every timestamp; else raise."""
    problems = []
    try:
        uuid.UUID(str(statement.get("id") or ""))
    except ValueError:
        problems.append("id: missing or not a UUID (our statements carry deterministic ids)")
    if not statement.get("timestamp"):
        problems.append("timestamp: missing")
    problems.extend(_check_times(statement))
    if problems:
        raise StatementValidationError(statement.get("id"), problems)


def validate_statement(statement: Mapping[str, Any]) -> None:
    """Raise StatementValidationError unless the statement passes Ralph's models and our checks."""
    problems = []
    if not statement.get("id"):
        problems.append("id: missing (our statements carry deterministic ids)")
    if not statement.get("timestamp"):
        problems.append("timestamp: missing")
    try:
        statement_validator().validate_python(dict(statement))
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            where = ".".join(str(part) for part in detail["loc"]) or "(statement)"
            problems.append(f"{where}: {detail['msg']}")
    except (LookupError, TypeError, AttributeError) as error:
        # Ralph's own check reads some fields without asking whether they are there (a context with no
        # object raises KeyError): the statement is refused all the same, never a crash of the worker.
        problems.append(f"(statement): not readable as an xAPI statement ({type(error).__name__}: {error})")
    problems.extend(_check_times(statement))
    if problems:
        raise StatementValidationError(statement.get("id"), problems)


def validate_statements(statements: list[Mapping[str, Any]]) -> None:
    """Validate each statement and refuse duplicate ids in one batch (an LRS answers 400 to those)."""
    seen: set[str] = set()
    for statement in statements:
        validate_statement(statement)
        sid = str(statement["id"])
        if sid in seen:
            raise StatementValidationError(sid, ["id: appears twice in one batch"])
        seen.add(sid)
