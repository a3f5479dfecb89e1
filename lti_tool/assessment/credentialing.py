"""A mastered unit earns its micro-credential in the same transaction as the mastery decision."""

from __future__ import annotations

from sqlalchemy import orm as so

from lti_tool.credentials.issuing.unit_facts import OutcomeResult
from lti_tool.credentials.services import issue_for_mastery, live_credential
from lti_tool.events import AttemptResult, CredentialIssued, publish


def issue_on_mastery(db: so.Session, event: AttemptResult) -> None:
    """Subscriber: issue (once per learner and unit version) when every outcome is met and nothing awaits review.

    A mastered attempt backed by a live credential publishes CredentialIssued (the "earned" learning record),
    also when the credential was issued before (a practice attempt, another issuer): its statement id is the
    credential's, so the record holds it once.
    """
    attempt, result = event.attempt, event.result
    if not result.mastered:
        return
    if result.pending_review or attempt.practice or not attempt.user.printed_name:
        # Practice never changes it; no credential names no one (it waits for the name: credential_names).
        credential = live_credential(db, attempt.user_pk, attempt.unit_pk)
    else:
        outcomes = [OutcomeResult(outcome_id=o.id, score=o.score, met=o.met) for o in result.outcomes]
        credential = issue_for_mastery(db, attempt.user, attempt.unit, outcomes, now=event.at,
                                       context=attempt.context)
    if credential is not None:
        publish(db, CredentialIssued(credential=credential, attempt=attempt, at=event.at))
