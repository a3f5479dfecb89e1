"""An attempt's learning record: xAPI statements queued in the same transaction as the attempt's events.

Everything a separate issuer needs to decide mastery is in these statements: each answered item with its
correctness, the score, each met outcome (ESCO-aligned), the unit mastered, the credential earned.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.assessment.mastery import UnitResult
from lti_tool.assessment.models import Attempt, AttemptResponse
from lti_tool.assessment.scoring import score_item
from lti_tool.assessment.selection import item_index
from lti_tool.assessment.services import selected_items
from lti_tool.credentials.services import live_credential
from lti_tool.xapi import statements as st
from lti_tool.xapi.events import unit_ref
from lti_tool.xapi.outbox import record_statements
from lti_tool.xapi.profile import Profile
from lti_tool.xapi.refs import ItemRef, ItemType, LtiScope, Option, OutcomeRef, Score

AttemptHook = Callable[[so.Session, Attempt, dt.datetime], None]
ResultHook = Callable[[so.Session, Attempt, UnitResult, dt.datetime], None]


def scope_of_attempt(attempt: Attempt) -> LtiScope:
    """The learner and course of an attempt, as xAPI context (issuer + sub only)."""
    return LtiScope(issuer=attempt.user.issuer, sub=attempt.user.sub,
                    deployment_id=attempt.context.deployment.deployment_id, context_id=attempt.context.context_id,
                    client_id=attempt.context.deployment.platform.client_id)


def _item_ref(item_def: dict[str, Any]) -> ItemRef:
    # Matching items keep their right-hand side in `targets`; the xAPI builders expect both sides in options.
    choices = [*(item_def.get("options") or ()), *(item_def.get("targets") or ())]
    options = tuple(Option(id=str(o["id"]), text=o["text"]) for o in choices)
    return ItemRef(id=str(item_def["id"]), type=ItemType(item_def["type"]), prompt=item_def["prompt"],
                   options=options, answer=item_def.get("answer"))


def started_recorder(base_url: str) -> AttemptHook:
    """The hook that queues "assessment initialized" when an attempt starts."""
    profile = Profile(base_url)

    def record(db: so.Session, attempt: Attempt, now: dt.datetime) -> None:
        record_statements(db, [st.assessment_initialized(profile, scope_of_attempt(attempt), unit_ref(attempt.unit),
                                                         uuid.UUID(attempt.id), now)])

    return record


def result_recorder(base_url: str) -> ResultHook:
    """The hook that queues answered items, completion, pass/fail, outcomes and unit mastered, credential earned."""
    profile = Profile(base_url)

    def record(db: so.Session, attempt: Attempt, result: UnitResult, now: dt.datetime) -> None:
        scope, unit, registration = scope_of_attempt(attempt), unit_ref(attempt.unit), uuid.UUID(attempt.id)
        index = item_index(attempt.unit.document)
        saved = {r.item_id: r.response for r in db.scalars(
            sa.select(AttemptResponse).where(AttemptResponse.attempt_id == attempt.id))}
        statements = []
        for chosen in selected_items(attempt):
            item_def = index[chosen.item_id][1]
            response = saved.get(chosen.item_id)
            if response is None or response in ({}, [], ""):
                continue  # not answered
            scored = score_item(item_def, response)
            correct = None if scored.needs_review else scored.correct
            statements.append(st.item_answered(profile, scope, unit, registration, _item_ref(item_def),
                                               _xapi_response(item_def, response), correct, now))
        score = Score(scaled=result.score, raw=round(result.score * 100, 2), max=100)
        statements.append(st.assessment_completed(profile, scope, unit, registration, score, now))
        if not result.pending_review:
            statements.append(st.assessment_graded(profile, scope, unit, registration, score, result.mastered, now))
        outcomes = {str(o["id"]): o for o in attempt.unit.document["outcomes"]}
        for outcome in result.outcomes:
            if outcome.met:
                doc = outcomes[outcome.id]
                ref = OutcomeRef(id=outcome.id, title=doc["title"], esco=tuple(doc.get("esco", ())))
                statements.append(st.outcome_mastered(profile, scope, unit, registration, ref,
                                                      Score(scaled=outcome.score), now))
        if result.mastered:
            statements.append(st.unit_mastered(profile, scope, unit, registration, score, now))
            credential = live_credential(db, attempt.user_pk, attempt.unit_pk)
            if credential is not None:
                statements.append(st.credential_earned(profile, scope, unit, uuid.UUID(credential.id),
                                                       registration, now))
        record_statements(db, statements)

    return record


def _xapi_response(item_def: dict[str, Any], response: Any) -> Any:
    # A practical response is {"text", "upload"}: the learning record carries the text, not the file id.
    if item_def["type"] == "practical" and isinstance(response, dict):
        return str(response.get("text", ""))[:2000]
    return response
