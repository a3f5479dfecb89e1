"""The learning record: every xAPI statement the tool records, queued by the domain events' subscribers.

Each subscriber runs inside the caller's transaction (no commit, no network) and hands the pure builders in
`statements.py` what the event knows. Everything a separate issuer needs to decide mastery is in these
statements: each answered item with its correctness, the score, each met outcome (ESCO-aligned), the unit
mastered, the credential earned.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.catalogue.items import Item
from lti_tool.catalogue.models import Unit
from lti_tool.catalogue.services import current_unit, pin_placement_unit
from lti_tool.events import (
    AttemptResetByTeacher,
    AttemptResult,
    AttemptStarted,
    CredentialIssued,
    CredentialRevoked,
    Launched,
    SectionRead,
)
from lti_tool.launch.claims import MessageType
from lti_tool.launch.models import Context, Deployment, LaunchSession, User
from lti_tool.xapi import statements as st
from lti_tool.xapi.models import StatementOutbox
from lti_tool.xapi.outbox import record_statements
from lti_tool.xapi.profile import Profile
from lti_tool.xapi.refs import LtiScope, OutcomeRef, Score, SectionRef, UnitRef


def scope_of(user: User, context: Context | None, deployment: Deployment | None = None) -> LtiScope:
    """Who acted and where (issuer + sub only: no name or e-mail, DESIGN.md §5); the deployment of the context
    unless given (a launch without a course still has one)."""
    deployment = deployment or (context.deployment if context is not None else None)
    return LtiScope(issuer=user.issuer, sub=user.sub,
                    deployment_id=deployment.deployment_id if deployment is not None else "",
                    context_id=context.context_id if context is not None else None,
                    client_id=deployment.platform.client_id if deployment is not None else None)


def session_scope(session: LaunchSession) -> LtiScope:
    """The scope of a launch session."""
    return scope_of(session.user, session.context, session.deployment)


def unit_ref(unit: Unit) -> UnitRef:
    """A catalogue unit (one version) as builder input."""
    doc = unit.doc
    return UnitRef(slug=unit.slug, version=unit.version, title=doc.title, esco=doc.esco, eqf_level=unit.eqf_level)


def _xapi_response(item: Item, response: Any) -> Any:
    # A practical response is {"text", "upload"}: the learning record carries the text, not the file id.
    if item.is_practical and isinstance(response, dict):
        return str(response.get("text", ""))[:2000]
    return response


_UNIT_REFS_KEPT = 512  # unit versions; a catalogue holds a few dozen


class Recorder:
    """The subscribers that queue statements, one per domain event (wired in lti_tool.events)."""

    def __init__(self, base_url: str) -> None:
        self.profile = Profile(base_url)
        # Unit row id → the unit as builder input. A stored unit version never changes (the loader refuses other
        # content under a loaded version; only is_current moves), so a launch into a pinned placement needs no
        # read of the unit row: one statement per launch fewer (bench/launch.py). One Recorder per app, so one
        # database.
        self._unit_refs: dict[int, UnitRef] = {}

    def launched(self, db: so.Session, event: Launched) -> None:
        """"launched": a learner's resource-link launch of a unit, naming the version the placement uses."""
        session = event.session
        if (session.message_type != MessageType.RESOURCE_LINK.value or not session.unit_slug
                or not session.is_learner):
            return
        link = session.resource_link
        pinned = link.unit_pk if link is not None and link.unit_slug == session.unit_slug else None
        ref = self._unit_refs.get(pinned) if pinned is not None else None
        if ref is None or ref.slug != session.unit_slug:
            if link is not None and link.unit_slug == session.unit_slug:
                unit = pin_placement_unit(db, link)
            else:
                unit = current_unit(db, session.unit_slug)
            if unit is None:  # the unit page will say so; there is no activity to talk about
                return
            ref = unit_ref(unit)
            if len(self._unit_refs) >= _UNIT_REFS_KEPT:
                self._unit_refs.clear()
            self._unit_refs[unit.id] = ref
        record_statements(db, [st.unit_launched(self.profile, session_scope(session), ref, event.at)])

    def section_read(self, db: so.Session, event: SectionRead) -> None:
        """"experienced": a study section the learner read (staff previews are not learning records)."""
        if not event.session.is_learner:
            return
        section = event.unit.doc.section(event.section_id)
        if section is None:  # the publisher checked it; a section-less event is a programming error
            raise LookupError(f"section {event.section_id!r} is not in unit {event.unit.slug!r}")
        ref = SectionRef(id=section.id, title=section.title)
        record_statements(db, [st.section_experienced(self.profile, session_scope(event.session),
                                                      unit_ref(event.unit), ref, event.at)])

    def started(self, db: so.Session, event: AttemptStarted) -> None:
        """"initialized": an attempt started."""
        attempt = event.attempt
        record_statements(db, [st.assessment_initialized(self.profile, scope_of(attempt.user, attempt.context),
                                                         unit_ref(attempt.unit), uuid.UUID(attempt.id), event.at)])

    def result(self, db: so.Session, event: AttemptResult) -> None:
        """Answered items, completion, pass/fail, outcomes and unit mastered."""
        attempt, result, now = event.attempt, event.result, event.at
        scope, unit, registration = scope_of(attempt.user, attempt.context), unit_ref(attempt.unit), uuid.UUID(
            attempt.id)
        doc = attempt.unit.doc
        statements = []
        for item_id in attempt.drawn_item_ids:
            item = doc.item(item_id)
            response = event.responses.get(item_id)
            if response is None or response in ({}, [], ""):
                continue  # not answered
            scored = event.scores[item_id]
            correct = None if scored.needs_review else scored.correct
            statements.append(st.item_answered(self.profile, scope, unit, registration, item,
                                               _xapi_response(item, response), correct, now))
        score = Score(scaled=result.score, raw=round(result.score * 100, 2), max=100)
        statements.append(st.assessment_completed(self.profile, scope, unit, registration, score, now))
        if not result.pending_review:
            statements.append(st.assessment_graded(self.profile, scope, unit, registration, score, result.mastered,
                                                   now))
        for outcome in result.outcomes:
            if outcome.met:
                authored = doc.outcome(outcome.id)
                ref = OutcomeRef(id=outcome.id, title=authored.title, esco=authored.esco)
                statements.append(st.outcome_mastered(self.profile, scope, unit, registration, ref,
                                                      Score(scaled=outcome.score), now))
        if result.mastered:
            statements.append(st.unit_mastered(self.profile, scope, unit, registration, score, now))
        record_statements(db, statements)

    def earned(self, db: so.Session, event: CredentialIssued) -> None:
        """"earned": the credential a mastered attempt is backed by."""
        attempt = event.attempt
        record_statements(db, [st.credential_earned(self.profile, scope_of(attempt.user, attempt.context),
                                                    unit_ref(attempt.unit), uuid.UUID(event.credential.id),
                                                    uuid.UUID(attempt.id), event.at)])

    def revoked(self, db: so.Session, event: CredentialRevoked) -> None:
        """"revoked", with the reason stored (the earned statement stays: it happened)."""
        credential = event.credential
        record_statements(db, [st.credential_revoked(self.profile, scope_of(credential.user, credential.context),
                                                     unit_ref(credential.unit), uuid.UUID(credential.id), event.at,
                                                     credential.revocation_reason)])

    def reset(self, db: so.Session, event: AttemptResetByTeacher) -> None:
        """Void the reset attempt's statements that the outbox holds (the tool's record of what it told the LRS).

        A credential earned with the attempt is not touched: revoking it is a separate, explicit decision.
        """
        attempt = event.attempt
        ids = st.AttemptIds(uuid.UUID(attempt.id)).every(
            attempt.drawn_item_ids,
            attempt.unit.doc.outcome_ids, attempt.unit.version)
        candidates = [uuid.UUID(sid) for sid in ids]
        recorded = sorted(str(sid) for sid in db.scalars(
            sa.select(StatementOutbox.statement_id).where(StatementOutbox.statement_id.in_(candidates))))
        if recorded:
            record_statements(db, st.statements_voided(self.profile, session_scope(event.teacher),
                                                       uuid.UUID(attempt.id), recorded, event.at))
