"""The worker's statement validator refuses exactly what Ralph's BaseXapiStatement refuses, with the same errors.

Differential: each statement goes through Ralph's own model (`model_validate`) and through the rewritten
validator, and the outcomes must be identical: passed, or the same list of (error type, location, message), or
the same exception type where Ralph's own check raises something other than a validation error.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from lti_tool.xapi import statements as st
from lti_tool.xapi.ralph_models import statement_model, statement_validator
from lti_tool.xapi.validation import StatementValidationError, validate_statement
from tests.unit.xapi.factories import T0, journey, profile, scope, unit

ATTEMPT = uuid.UUID("0b5e6a36-3f7e-4a1d-9d55-0f3c8f4b2a10")
CREDENTIAL = uuid.UUID("7d3f1b7e-9a48-4f57-9d7e-1e0f5b8a2c11")
BUILT = [
    *journey(profile(), scope(), unit(), ATTEMPT),
    st.credential_revoked(profile(), scope(), unit(), CREDENTIAL, T0 + dt.timedelta(days=1), "fraud"),
    *st.statements_voided(profile(), scope("teacher-9"), ATTEMPT, [str(uuid.uuid4())], T0),
]
AGENT = {"objectType": "Agent", "account": {"homePage": "https://moodle.example.org", "name": "42"}}
VERB = {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en": "answered"}}
ACTIVITY = {"objectType": "Activity", "id": "http://127.0.0.1:5000/units/u"}


def outcome(validate: Any, statement: Any) -> tuple[Any, ...]:
    try:
        validate(copy.deepcopy(statement))
    except ValidationError as error:
        return ("refused", [(e["type"], e["loc"], e["msg"]) for e in error.errors(include_url=False)])
    except (LookupError, TypeError, AttributeError) as error:  # Ralph's own check reads without asking
        return ("raised", type(error).__name__)
    return ("passed",)


def assert_same(statement: Any) -> tuple[Any, ...]:
    ralph = outcome(statement_model().model_validate, statement)
    assert outcome(statement_validator().validate_python, statement) == ralph
    return ralph


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield prefix + (key,)
        yield from paths(child, prefix + (key,))


def changed(statement: dict, path: tuple[Any, ...], value: object) -> dict:
    """`statement` with the value at `path` replaced (removed when `value` is ...)."""
    statement = copy.deepcopy(statement)
    parent = statement
    for key in path[:-1]:
        parent = parent[key]
    if value is ...:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return statement


def test_every_built_statement_passes_both() -> None:
    assert {assert_same(statement) for statement in BUILT} == {("passed",)}


# Every field of every kind of statement we build, removed or replaced by each of these in turn.
REPLACEMENTS = [..., None, "", {}, [], 0, 1.5, True, "not an iri", "http://exa mple.org/x", "x-klingonese-tag",
                {"x": 1}, [{}], "2026-13-45T00:00:00Z", "Group", "SubStatement", "StatementRef"]


@pytest.mark.parametrize("kind", range(len(BUILT)), ids=lambda i: BUILT[i]["verb"]["display"]["en"])
def test_every_field_broken_every_way_gets_the_same_verdict_and_errors(kind: int) -> None:
    verdicts = {assert_same(changed(BUILT[kind], path, value))[0]
                for path in paths(BUILT[kind]) for value in REPLACEMENTS}
    assert verdicts >= {"passed", "refused"}  # the mutations reach both sides of the line


@pytest.mark.parametrize(
    ("statement", "verdict"),
    [
        ({"verb": VERB, "object": ACTIVITY}, "refused"),  # no actor
        ({"actor": AGENT, "verb": VERB}, "refused"),  # no object
        ({"actor": AGENT, "verb": VERB, "context": {"platform": "x"}}, "raised"),  # Ralph: KeyError 'object'
        ({"actor": AGENT, "verb": VERB, "object": ACTIVITY, "context": 5}, "raised"),  # Ralph: dict(5)
        ({"actor": AGENT, "verb": VERB, "object": ACTIVITY, "context": "ab"}, "refused"),
        ({"actor": AGENT, "verb": VERB, "object": {"objectType": "StatementRef", "id": str(ATTEMPT)},
          "context": {"platform": "MASTERY Tool"}}, "refused"),  # platform only with an Activity
        ({"actor": AGENT, "verb": VERB, "object": ACTIVITY, "context": {"revision": "2", "platform": "p"}}, "passed"),
        ({"actor": AGENT, "verb": VERB, "object": ACTIVITY, "context": {"extensions": {
            "http://127.0.0.1:5000/xapi/extensions/x": ""}}}, "passed"),  # empty values allowed in extensions
        ({"actor": AGENT, "verb": VERB, "object": ACTIVITY, "context": {"extensions": {"not an iri": 1}}}, "refused"),
        ({"actor": {**AGENT, "name": ""}, "verb": VERB, "object": ACTIVITY}, "refused"),
        ({"actor": {"mbox": "mailto:someone@example.org"}, "verb": VERB, "object": ACTIVITY}, "passed"),
        ({"actor": {"mbox": "someone@example.org"}, "verb": VERB, "object": ACTIVITY}, "refused"),
        ({"actor": {"mbox_sha1sum": "z" * 40}, "verb": VERB, "object": ACTIVITY}, "refused"),
        ({"actor": {"objectType": "Group", "member": [AGENT]}, "verb": VERB, "object": ACTIVITY}, "passed"),
        ({"actor": {"objectType": "Group", "member": [{}]}, "verb": VERB, "object": ACTIVITY}, "refused"),
        ({"actor": AGENT, "verb": {"id": "answered"}, "object": ACTIVITY}, "refused"),
        ({"actor": AGENT, "verb": {**VERB, "display": {"not a tag!": "x"}}, "object": ACTIVITY}, "refused"),
        ({"actor": AGENT, "verb": VERB, "object": ACTIVITY, "version": "2.0.0"}, "refused"),
        ({"actor": AGENT, "verb": VERB, "object": ACTIVITY, "result": {"score": {"min": 5, "max": 1}}}, "refused"),
        ({"actor": AGENT, "verb": VERB, "object": ACTIVITY, "result": {"success": "yes"}}, "refused"),
        ({"actor": AGENT, "verb": VERB, "object": {**ACTIVITY, "definition": {
            "interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]}}}, "refused"),  # duplicate ids
        ({"actor": AGENT, "verb": VERB, "object": {**ACTIVITY, "definition": {"moreInfo": "not a url"}}}, "refused"),
        ({"actor": AGENT, "verb": VERB, "object": {"objectType": "SubStatement", "actor": AGENT, "verb": VERB,
                                                  "object": ACTIVITY}}, "passed"),
        ({"actor": AGENT, "verb": VERB, "object": {"objectType": "SubStatement", "actor": AGENT, "verb": VERB,
                                                  "object": {"objectType": "SubStatement"}}}, "refused"),
        ({"actor": AGENT, "verb": VERB, "object": ACTIVITY, "timestamp": "yesterday"}, "refused"),
        ({"actor": AGENT, "verb": VERB, "object": ACTIVITY, "attachments": []}, "passed"),
        ([AGENT], "raised"),  # not an object at all
    ],
)
def test_hand_made_statements_get_the_same_verdict_and_errors(statement: Any, verdict: str) -> None:
    assert assert_same(statement)[0] == verdict


def test_repeated_values_are_checked_again_where_they_are_invalid() -> None:
    # The validator remembers valid IRIs and tags only: the same invalid value is refused every time, in
    # every place, and a value valid in one place is still refused where the model wants something else.
    for _ in range(2):
        assert assert_same({"actor": AGENT, "verb": {"id": "http://exa mple.org"}, "object": ACTIVITY})[0] == "refused"
    assert assert_same({"actor": AGENT, "verb": VERB, "object": {"objectType": "StatementRef",
                                                                 "id": VERB["id"]}})[0] == "refused"


def test_a_statement_ralphs_check_cannot_read_is_refused_not_raised() -> None:
    with pytest.raises(StatementValidationError, match="not readable as an xAPI statement"):
        validate_statement({"id": str(ATTEMPT), "timestamp": "2026-11-23T09:00:00Z", "actor": AGENT, "verb": VERB,
                            "context": {"platform": "MASTERY Tool"}})


def test_the_rewrites_reach_the_nested_models() -> None:
    # pydantic-core would otherwise reuse each Ralph class's own prebuilt validator inside the statement, and
    # none of the rewrites would run: a remembered IRI is the same object in two statements.
    first, second = (statement_validator().validate_python(copy.deepcopy(s)) for s in BUILT[:2])
    assert first.verb.id is not None and first.actor.account.homePage is second.actor.account.homePage
    ralph = [statement_model().model_validate(copy.deepcopy(s)) for s in BUILT[:2]]
    assert ralph[0].actor.account.homePage is not ralph[1].actor.account.homePage
