"""The xAPI client and builders against a real Ralph LRS (started by the `ralph_lrs` fixture)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from collections.abc import Iterator

import httpx
import pytest

from lti_tool.xapi import statements as st
from lti_tool.xapi.lrs_client import LrsClient, Outcome
from lti_tool.xapi.profile import Profile, Verb
from lti_tool.xapi.refs import Score
from lti_tool.xapi.validation import validate_statements
from tests.lrs_fixtures import RalphLrs
from tests.unit.xapi.factories import T0, journey, profile, scope, unit

pytestmark = pytest.mark.lrs


@pytest.fixture
def lrs(ralph_lrs: RalphLrs) -> Iterator[LrsClient]:
    """A client of the session's Ralph."""
    with LrsClient(ralph_lrs.url, ralph_lrs.username, ralph_lrs.password, timeout=5) as client:
        yield client


def payloads(statements: list[dict]) -> list[tuple[str, bytes]]:
    """Statements as outbox rows: (id, exact bytes)."""
    validate_statements(statements)
    return [(s["id"], st.to_json_bytes(s)) for s in statements]


def fresh_learner(prof: Profile) -> tuple[object, object, uuid.UUID, list[dict]]:
    """A new learner (own sub), a unit of their own and their journey statements."""
    who, the_unit, attempt = scope(f"sub-{uuid.uuid4()}"), unit(f"u-{uuid.uuid4().hex[:8]}"), uuid.uuid4()
    return who, the_unit, attempt, journey(prof, who, the_unit, attempt)


def test_one_by_one_then_batch_then_read_back_with_every_filter(lrs: LrsClient) -> None:
    prof = profile()
    who, the_unit, attempt, statements = fresh_learner(prof)
    rows = payloads(statements)
    # The stock fs backend answered 500 from the 2nd POST on: each of these must be stored.
    for row in rows[:4]:
        assert lrs.post_batch([row]).outcome is Outcome.DELIVERED
    result = lrs.post_batch(rows[4:])
    assert result.outcome is Outcome.DELIVERED and set(result.stored_ids) == {i for i, _ in rows[4:]}

    agent = st.actor(who)  # type: ignore[arg-type]
    mine = list(lrs.iter_statements(agent=agent))
    assert sorted(s["id"] for s in mine) == sorted(i for i, _ in rows)
    stored = {s["id"]: s for s in mine}
    for statement in statements:  # what we sent is what we read (Ralph adds stored/authority/version)
        assert {k: stored[statement["id"]][k] for k in statement} == json.loads(st.to_json_bytes(statement))

    answered = list(lrs.iter_statements(agent=agent, verb=Verb.ANSWERED.value))
    assert len(answered) == 8 and {s["verb"]["id"] for s in answered} == {Verb.ANSWERED.value}

    unit_iri = st.unit_iri(prof, the_unit)  # type: ignore[arg-type]
    on_unit = list(lrs.iter_statements(activity=unit_iri))
    assert {s["verb"]["id"] for s in on_unit} == {Verb.LAUNCHED.value, Verb.MASTERED.value}
    related = list(lrs.iter_statements(activity=unit_iri, related_activities=True))
    assert len(related) == len(statements)  # every statement has the unit as object, parent or grouping

    in_attempt = list(lrs.iter_statements(registration=attempt))
    assert len(in_attempt) == len(statements) - 2  # launch and section view precede the attempt

    since = T0 + dt.timedelta(minutes=10, seconds=30)  # the 12th statement and later
    later = list(lrs.iter_statements(agent=agent, since=since))
    assert sorted(s["id"] for s in later) == sorted(s["id"] for s in statements[11:])
    until = list(lrs.iter_statements(agent=agent, until=since))
    assert len(until) == 11

    paged = list(lrs.iter_statements(agent=agent, limit=3))
    assert sorted(s["id"] for s in paged) == sorted(i for i, _ in rows)  # 16 statements over 6 pages
    first_page = httpx.get(
        lrs.base_url + "statements",
        params={"agent": json.dumps(agent), "limit": 3},
        auth=lrs._http.auth,
        headers={"X-Experience-API-Version": "1.0.3"},
    ).json()
    assert first_page["more"].startswith("/xAPI/statements?")


def test_resend_is_delivered_and_same_id_other_content_is_a_conflict(lrs: LrsClient) -> None:
    prof = profile()
    statements = fresh_learner(prof)[3]
    rows = payloads(statements[:3])
    assert lrs.post_batch(rows).status_code == 200
    again = lrs.post_batch(rows)
    assert (again.outcome, again.status_code) == (Outcome.DELIVERED, 204)

    new = payloads([statements[3]])
    partial = lrs.post_batch([rows[0], *new])
    assert (partial.outcome, partial.status_code, partial.stored_ids) == (Outcome.DELIVERED, 200, (new[0][0],))

    changed = dict(statements[0], timestamp=st.utc_timestamp(T0 + dt.timedelta(hours=1)))
    extra = payloads([statements[4]])
    conflict = lrs.post_batch([*extra, (changed["id"], st.to_json_bytes(changed))])
    assert conflict.outcome is Outcome.CONFLICT and conflict.status_code == 409 and conflict.body
    # The whole batch is refused: the valid statement next to the conflicting one was not stored.
    assert list(lrs.iter_statements(statement_id=extra[0][0])) == []


def test_invalid_batches_are_rejected_and_bad_credentials_are_reported(lrs: LrsClient, ralph_lrs: RalphLrs) -> None:
    statement = st.unit_launched(profile(), scope(f"s-{uuid.uuid4()}"), unit(), T0)
    row = (statement["id"], st.to_json_bytes(statement))
    assert lrs.post_batch([row, row]).outcome is Outcome.REJECTED  # duplicate id in one batch: 400
    invalid = {k: v for k, v in statement.items() if k != "actor"}
    result = lrs.post_batch([(statement["id"], json.dumps(invalid).encode())])
    assert (result.outcome, result.status_code) == (Outcome.REJECTED, 422)
    with LrsClient(ralph_lrs.url, ralph_lrs.username, "wrong") as wrong:
        denied = wrong.post_batch([row])
    assert denied.outcome is Outcome.AUTH_FAILED and denied.retryable


def test_outage_is_retryable_and_the_resend_after_restart_is_delivered(lrs: LrsClient, ralph_lrs: RalphLrs) -> None:
    prof = profile()
    statements = fresh_learner(prof)[3]
    sent, pending = payloads(statements[:5]), payloads(statements[5:])
    assert lrs.post_batch(sent).outcome is Outcome.DELIVERED
    ralph_lrs.stop()
    try:
        down = lrs.post_batch(pending)
        assert down.outcome is Outcome.RETRYABLE and down.status_code is None
        assert not lrs.reachable()
    finally:
        ralph_lrs.start()
    assert lrs.reachable()
    assert lrs.post_batch(pending).status_code == 200
    resent = lrs.post_batch(sent + pending)  # the worker lost track: everything again
    assert (resent.outcome, resent.status_code) == (Outcome.DELIVERED, 204)


def test_a_500_then_a_retry_on_the_same_client_is_delivered_once(lrs: LrsClient, ralph_lrs: RalphLrs) -> None:
    statement = st.assessment_completed(profile(), scope(f"s-{uuid.uuid4()}"), unit(), uuid.uuid4(), Score(0.5), T0)
    row = (statement["id"], st.to_json_bytes(statement))
    history = ralph_lrs.home / "history.json"
    saved = history.read_bytes()
    history.unlink()
    history.mkdir()  # Ralph cannot write its history file (a directory: root may write any file)
    try:
        failed = lrs.post_batch([row])
    finally:
        shutil.rmtree(history)
        history.write_bytes(saved)
    assert failed.outcome is Outcome.RETRYABLE and failed.status_code == 500
    # Ralph resets the kept-alive connection after that 500; the client must not report the reset.
    retried = lrs.post_batch([row])
    assert retried.outcome is Outcome.DELIVERED and retried.status_code in (200, 204)
    assert [s["id"] for s in lrs.iter_statements(statement_id=statement["id"])] == [statement["id"]]
