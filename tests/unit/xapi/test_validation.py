"""Validation before the outbox: Ralph's strict models plus our own id and timezone checks."""

from __future__ import annotations

import copy

import pytest

from lti_tool.xapi import statements as st
from lti_tool.xapi.validation import StatementValidationError, validate_statement, validate_statements
from tests.unit.xapi.factories import T0, profile, scope, unit

GOOD = st.unit_launched(profile(), scope(), unit(), T0)


def broken(path: tuple[str, ...], value: object) -> dict:
    """GOOD with one field replaced (or removed when value is ...)."""
    statement = copy.deepcopy(GOOD)
    target = statement
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return statement


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("timestamp",), "2026-11-23T09:00:00", "naive"),
        (("timestamp",), "yesterday", "timestamp: not an ISO 8601"),
        (("timestamp",), ..., "timestamp: missing"),
        (("id",), ..., "id: missing"),
        (("id",), "not-a-uuid", "id: Input should be a valid UUID"),
        (("verb", "id"), "launched", "verb.id"),
        (("actor", "account", "homePage"), "not a url", "homePage"),
        (("object", "colour"), "red", "colour"),
        (("result",), {"score": {"scaled": 1.5}}, "scaled"),
        (("context", "registration"), "attempt-1", "registration"),
    ],
)
def test_invalid_statements_are_refused_with_the_field_named(
    path: tuple[str, ...], value: object, message: str
) -> None:
    with pytest.raises(StatementValidationError, match=message) as caught:
        validate_statement(broken(path, value))
    assert caught.value.statement_id == (GOOD["id"] if path != ("id",) else (None if value is ... else value))


def test_good_statement_passes_and_duplicates_in_a_batch_do_not() -> None:
    validate_statement(GOOD)
    with pytest.raises(StatementValidationError, match="twice"):
        validate_statements([GOOD, copy.deepcopy(GOOD)])
