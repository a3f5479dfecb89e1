"""Property tests: any plausible input gives a statement Ralph accepts, with a stable id."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from hypothesis import given, settings
from hypothesis import strategies as hs

from lti_tool.catalogue.items import (
    Choice,
    Criterion,
    Item,
    ItemType,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Practical,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from lti_tool.xapi import statements as st
from lti_tool.xapi.profile import Profile
from lti_tool.xapi.refs import LtiScope, Score, UnitRef
from lti_tool.xapi.validation import validate_statement

# Four of the MASTERY green-skill picks (spec/esco/mastery-green-skills-sample.json).
ESCO_URIS = [
    "http://data.europa.eu/esco/skill/22c45bf7-e52b-475f-847b-c32a87f65a5d",
    "http://data.europa.eu/esco/skill/28ad7c97-9fb3-4b1d-846a-654e529ab8ac",
    "http://data.europa.eu/esco/skill/3bf93cf6-2b6f-46ad-b0ba-3b161379bac1",
    "http://data.europa.eu/esco/skill/3d69b305-4051-4c1d-ba1e-d8c5b35e22db",
]

ident = hs.from_regex(r"[a-z0-9][a-z0-9_-]{0,15}", fullmatch=True)
text = hs.text(hs.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)
texts = text | hs.fixed_dictionaries({"en": text}, optional={"fr": text, "de-AT": text})
moment = hs.datetimes(
    min_value=dt.datetime(2000, 1, 1),
    max_value=dt.datetime(2100, 1, 1),
    timezones=hs.sampled_from(
        [dt.UTC, dt.timezone(dt.timedelta(hours=-5)), dt.timezone(dt.timedelta(hours=5, minutes=30))]
    ),
)
scopes = hs.builds(
    LtiScope,
    issuer=hs.sampled_from(
        ["https://moodle.example.org", "https://canvas.instructure.com", "http://127.0.0.1:8080/moodle"]
    ),
    sub=text,
    deployment_id=text,
    context_id=hs.none() | text,
)
units = hs.builds(
    UnitRef,
    slug=ident,
    version=hs.from_regex(r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}", fullmatch=True),
    title=texts,
    esco=hs.lists(hs.sampled_from(ESCO_URIS), unique=True, max_size=4).map(tuple),
    eqf_level=hs.none() | hs.integers(1, 8),
)
scores = hs.builds(Score, scaled=hs.floats(0, 1))


@hs.composite
def items_with_response(draw: hs.DrawFn) -> tuple[Item, object]:
    """An item of any type with an answer key and a learner response of the right shape."""
    kind = draw(hs.sampled_from(list(ItemType)))
    ids = draw(hs.lists(ident, min_size=2, max_size=6, unique=True))
    common = {"id": draw(ident), "outcome_id": "lo1", "prompt": draw(texts)}
    options = tuple(Choice(i, draw(texts)) for i in ids)
    subset = hs.lists(hs.sampled_from(ids), unique=True)
    item: Item
    response: object
    if kind is ItemType.SINGLE_CHOICE:
        item, response = SingleChoice(**common, options=options, correct=draw(hs.sampled_from(ids))), draw(
            hs.sampled_from(ids))
    elif kind is ItemType.MULTIPLE_RESPONSE:
        item, response = MultipleResponse(**common, options=options, correct=tuple(draw(subset))), draw(subset)
    elif kind is ItemType.ORDERING:
        item = Ordering(**common, options=options, order=tuple(draw(hs.permutations(ids))))
        response = draw(hs.permutations(ids))
    elif kind is ItemType.TRUE_FALSE:
        item, response = TrueFalse(**common, correct=draw(hs.booleans())), draw(hs.booleans())
    elif kind is ItemType.NUMERIC:
        number = hs.floats(-1e6, 1e6, allow_nan=False) | hs.integers(-(10**6), 10**6)
        item = Numeric(**common, value=draw(number), tolerance=draw(hs.floats(0, 100)))
        response = draw(number)
    elif kind is ItemType.MATCHING:
        half = len(ids) // 2
        left, right = options[:half], options[half:]
        item = Matching(**common, options=left, targets=right,
                        pairs=tuple(zip((o.id for o in left), (o.id for o in right), strict=False)))
        response = {o.id: draw(hs.sampled_from([t.id for t in right])) for o in left}
    elif kind is ItemType.SHORT_TEXT:
        item = ShortText(**common, accepted=tuple(draw(hs.lists(text, min_size=1, max_size=3))))
        response = draw(hs.none() | text)
    else:
        item = Practical(**common, rubric=(Criterion("c", draw(texts), draw(hs.integers(1, 5))),))
        response = draw(hs.none() | text)
    return item, response


@settings(max_examples=150, deadline=None)
@given(scopes, units, moment, hs.uuids(), items_with_response(), hs.none() | hs.booleans(), scores)
def test_any_journey_statement_is_valid_and_stable(
    scope: LtiScope,
    unit: UnitRef,
    at: dt.datetime,
    attempt: uuid.UUID,
    item_response: tuple[Item, object],
    correct: bool | None,
    score: Score,
) -> None:
    profile = Profile("http://127.0.0.1:5000")
    item, response = item_response
    built = [
        st.unit_launched(profile, scope, unit, at),
        st.assessment_initialized(profile, scope, unit, attempt, at),
        st.item_answered(profile, scope, unit, attempt, item, response, correct, at),  # type: ignore[arg-type]
        st.assessment_completed(profile, scope, unit, attempt, score, at),
        st.assessment_graded(profile, scope, unit, attempt, score, score.scaled >= 0.5, at),
        st.unit_mastered(profile, scope, unit, attempt, score, at),
        st.credential_earned(profile, scope, unit, uuid.uuid5(attempt, "c"), attempt, at),
    ]
    for statement in built:
        validate_statement(statement)
        assert statement["actor"]["account"] == {"homePage": scope.issuer, "name": scope.sub}
        stamp = dt.datetime.fromisoformat(statement["timestamp"])
        assert stamp.utcoffset() == dt.timedelta(0)
        assert abs(stamp - at) < dt.timedelta(milliseconds=1)
        assert json.loads(st.to_json_bytes(statement)) == statement
    again = st.item_answered(profile, scope, unit, attempt, item, response, correct, at)  # type: ignore[arg-type]
    assert st.to_json_bytes(again) == st.to_json_bytes(built[2])


@settings(max_examples=100, deadline=None)
@given(hs.uuids(), hs.uuids(), ident, ident)
def test_ids_differ_exactly_when_the_event_differs(a1: uuid.UUID, a2: uuid.UUID, i1: str, i2: str) -> None:
    assert (st.statement_id("answered", a1, i1) == st.statement_id("answered", a2, i2)) == (a1 == a2 and i1 == i2)
    assert st.statement_id("answered", a1, i1) != st.statement_id("completed", a1, i1)
    uuid.UUID(st.statement_id("answered", a1, i1))
