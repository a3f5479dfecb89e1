"""Learners' data rights (GDPR Art. 15, 17, 20; docs/privacy.md): export everything, erase, retention purge.

Erasure removes the person from the tool's database and files and voids their statements in the LRS. What
xAPI cannot do is delete: a voided statement stays stored in the LRS (xAPI 1.0.3 §2.3.2), only left out of
queries — removing it is the LRS operator's job (see docs/privacy.md). The tool keeps only a keyed hash of the
LTI identity (to make a second erasure a no-op) and counts of what was removed; the log line has no identity.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import logging
import shutil
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.assessment.models import Attempt, AttemptResponse, Review, Upload
from lti_tool.assessment.upload_store import UploadStore
from lti_tool.credentials import services as credential_services
from lti_tool.credentials.models import Credential
from lti_tool.db import utcnow
from lti_tool.errors import Conflict, NotFound
from lti_tool.launch.models import Context, Deployment, LaunchSession, Platform, User
from lti_tool.lms.models import GradeSync, RosterCache
from lti_tool.pilots.models import ErasureRecord, LearnerLaunch, Pilot, PilotCourse, QuestionnaireAnswer
from lti_tool.pilots.statements import tool_actor
from lti_tool.xapi.envelope import statement_id, utc_timestamp
from lti_tool.xapi.models import OutboxState, StatementOutbox
from lti_tool.xapi.outbox import record_statements
from lti_tool.xapi.profile import Profile, Verb

log = logging.getLogger(__name__)

CREDENTIAL_POLICIES = ("keep", "revoke")


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _statements_of(db: so.Session, user: User) -> list[StatementOutbox]:
    """The outbox rows whose actor is this person (the statements the tool made about them)."""
    found = []
    for row in db.scalars(sa.select(StatementOutbox).where(StatementOutbox.issuer == user.issuer)):
        statement = json.loads(row.payload)
        account = statement.get("actor", {}).get("account", {})
        if account.get("homePage") == user.issuer and account.get("name") == user.sub:
            found.append(row)
    return found


def export_data(db: so.Session, user: User, uploads: UploadStore) -> bytes:
    """Everything the tool holds about a person, as a ZIP: data.json plus their evidence files."""
    attempts = list(db.scalars(sa.select(Attempt).where(Attempt.user_pk == user.id).order_by(Attempt.started_at)))
    attempt_ids = [a.id for a in attempts]
    responses = db.scalars(sa.select(AttemptResponse).where(AttemptResponse.attempt_id.in_(attempt_ids)))
    by_attempt: dict[str, list[dict[str, Any]]] = {}
    for response in responses:
        by_attempt.setdefault(response.attempt_id, []).append(
            {"item": response.item_id, "response": response.response, "saved_at": _iso(response.saved_at)})
    reviews = db.scalars(sa.select(Review).where(Review.attempt_id.in_(attempt_ids)))
    evidence = list(db.scalars(sa.select(Upload).where(Upload.attempt_id.in_(attempt_ids))))
    contexts = {c.id: c for c in db.scalars(sa.select(Context).where(Context.id.in_(
        [a.context_pk for a in attempts] + list(db.scalars(sa.select(LearnerLaunch.context_pk).where(
            LearnerLaunch.user_pk == user.id))))))}

    def course(context_pk: int | None) -> str | None:
        context = contexts.get(context_pk) if context_pk is not None else None
        return (context.title or context.context_id) if context is not None else None

    data: dict[str, Any] = {
        "about": "Everything the MASTERY Tool holds about you (GDPR Art. 15 and 20). Your evidence files are in "
                 "the folder evidence/. docs/privacy.md in the tool's source says why and for how long.",
        "exported_at": utcnow().isoformat(),
        "person": {"platform": user.issuer, "lti_user_id": user.sub, "name": user.name, "email": user.email,
                   "locale": user.locale, "last_launch_at": _iso(user.last_launch_at)},
        "launches": [{"course": course(row.context_pk), "unit": row.unit_slug, "first_at": _iso(row.first_at)}
                     for row in db.scalars(sa.select(LearnerLaunch).where(LearnerLaunch.user_pk == user.id))],
        "sessions": [{"course": course(s.context_pk), "roles": s.roles, "created_at": _iso(s.created_at),
                      "expires_at": _iso(s.expires_at)}
                     for s in db.scalars(sa.select(LaunchSession).where(LaunchSession.user_pk == user.id))],
        "attempts": [{"id": a.id, "course": course(a.context_pk), "unit": a.unit.slug, "unit_version": a.unit.version,
                      "number": a.number, "state": a.state, "started_at": _iso(a.started_at),
                      "submitted_at": _iso(a.submitted_at), "score": a.score, "mastered": a.mastered,
                      "result": a.result, "responses": by_attempt.get(a.id, [])} for a in attempts],
        "reviews": [{"attempt": r.attempt_id, "item": r.item_id, "score": r.score, "passed": r.passed,
                     "comment": r.comment, "points": r.points, "reviewed_at": _iso(r.reviewed_at)} for r in reviews],
        "evidence": [{"attempt": u.attempt_id, "item": u.item_id, "filename": u.filename, "type": u.content_type,
                      "size": u.size, "sha256": u.sha256, "uploaded_at": _iso(u.uploaded_at),
                      "file": f"evidence/{u.id}-{u.filename}"} for u in evidence],
        "credentials": [{"id": c.id, "issued_at": _iso(c.issued_at), "revoked_at": _iso(c.revoked_at),
                         "document": c.document}
                        for c in db.scalars(sa.select(Credential).where(Credential.user_pk == user.id))],
        "grades_sent_to_the_lms": [{"score": g.score, "state": g.state, "scored_at": _iso(g.scored_at)}
                                   for g in db.scalars(sa.select(GradeSync).where(GradeSync.user_pk == user.id))],
        "questionnaires": [{"course": course(q.context_pk), "unit": q.unit_slug, "answers": q.answers,
                            "answered_at": _iso(q.answered_at)}
                           for q in db.scalars(sa.select(QuestionnaireAnswer).where(
                               QuestionnaireAnswer.user_pk == user.id))],
        "learning_record_statements": [json.loads(row.payload) for row in _statements_of(db, user)],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        for upload in evidence:
            stream = uploads.open(upload.attempt_id, upload.id)
            if stream is None:
                continue  # the row outlived its file: data.json still describes it
            entry = zipfile.ZipInfo(f"evidence/{upload.id}-{upload.filename}", upload.uploaded_at.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            with stream, archive.open(entry, "w") as copy:
                shutil.copyfileobj(stream, copy)
    return out.getvalue()


def subject_hash(issuer: str, sub: str, secret: str) -> str:
    """A keyed hash of the LTI identity: recognises a second erasure request, names nobody."""
    return hmac.new(secret.encode(), f"{issuer}\x1f{sub}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Erasure:
    """What an erasure did (counts only)."""

    already_done: bool
    record_id: int
    summary: dict[str, int]


def _void_statements(profile: Profile, targets: Iterable[str], now: dt.datetime) -> list[dict[str, Any]]:
    """Voiding statements by the tool itself (no learner identity in them), one per target (xAPI 1.0.3 §2.3.2)."""
    return [{"id": statement_id("erased-voided", target), "actor": tool_actor(profile),
             "verb": {"id": Verb.VOIDED.value, "display": {"en": "voided"}},
             "object": {"objectType": "StatementRef", "id": str(uuid.UUID(target))},
             "timestamp": utc_timestamp(now)} for target in targets]


def erase(db: so.Session, issuer: str, sub: str, *, secret: str, uploads: UploadStore, base_url: str,
          credential_policy: str, reason: str = "request", now: dt.datetime | None = None) -> Erasure:
    """Erase a person: files, database rows, statements voided in the LRS, credentials kept valid or revoked.

    Evidence files are removed first: if the database step then fails, running the erasure again finishes it.
    """
    now = now or utcnow()
    digest = subject_hash(issuer, sub, secret)
    record = db.scalar(sa.select(ErasureRecord).where(ErasureRecord.subject_hash == digest))
    user = db.scalar(sa.select(User).where(User.issuer == issuer, User.sub == sub))
    if user is None:
        if record is not None:
            return Erasure(True, record.id, dict(record.summary))
        raise NotFound("The tool holds nothing about this person (no such platform issuer and LTI user id).")
    if db.scalar(sa.select(Review.id).where(Review.reviewer_pk == user.id).limit(1)) is not None:
        # Deleting the person would delete, by cascade, the reviews they gave other learners as a teacher.
        raise Conflict("This person reviewed other learners' evidence as a teacher; erase them as a teacher "
                       "(outside this command) so those learners keep their results.")
    attempts = list(db.scalars(sa.select(Attempt.id).where(Attempt.user_pk == user.id)))
    evidence = list(db.scalars(sa.select(Upload).where(Upload.attempt_id.in_(attempts))))
    for attempt_id in attempts:
        uploads.delete(attempt_id)  # every file of the attempt, with any its row never reached
    credentials = list(db.scalars(sa.select(Credential).where(Credential.user_pk == user.id)))
    revoked = 0
    if credential_policy == "revoke":
        for credential in credentials:
            if credential_services.revoke(db, credential, "erased at the holder's request", "data-rights erasure",
                                          now=now):
                revoked += 1
    # The statements about the person: those not yet sent are dropped, the sent ones voided in the LRS.
    rows = _statements_of(db, user)
    sent = [str(row.statement_id) for row in rows if row.state == OutboxState.DELIVERED.value]
    db.execute(sa.delete(StatementOutbox).where(StatementOutbox.id.in_([row.id for row in rows])))
    voids = _void_statements(Profile(base_url), sent, now)
    record_statements(db, voids)
    # Their line in the cached NRPS rosters of their platform's courses (name, e-mail, picture).
    roster_entries = 0
    for roster in db.scalars(sa.select(RosterCache).join(Context, Context.id == RosterCache.context_pk)
                             .join(Deployment, Deployment.id == Context.deployment_pk)
                             .join(Platform, Platform.id == Deployment.platform_id).where(Platform.issuer == issuer)):
        kept = [m for m in roster.members or () if not (isinstance(m, dict) and str(m.get("user_id")) == sub)]
        if len(kept) != len(roster.members or ()):
            roster_entries += len(roster.members) - len(kept)
            roster.members = kept
    # A kept credential stays valid (its status bit stays 0) and in the holder's hands; the tool's copy goes.
    for credential in credentials:
        db.execute(sa.update(Credential).where(Credential.superseded_by == credential.id).values(superseded_by=None))
    db.execute(sa.delete(Credential).where(Credential.user_pk == user.id))
    summary = {
        "attempts": len(attempts), "evidence_files": len(evidence), "credentials_removed": len(credentials),
        "credentials_revoked": revoked, "statements_dropped": len(rows) - len(sent), "statements_voided": len(sent),
        "roster_entries": roster_entries,
        "questionnaires": db.scalar(sa.select(sa.func.count(QuestionnaireAnswer.id)).where(
            QuestionnaireAnswer.user_pk == user.id)) or 0,
    }
    db.delete(user)  # attempts, responses, reviews of them, uploads, sessions, grades, launches, answers cascade
    db.flush()
    if record is None:
        record = ErasureRecord(subject_hash=digest, reason=reason, summary=summary, erased_at=now)
        db.add(record)
    else:  # the person came back after an earlier erasure and asked again
        record.summary = {k: record.summary.get(k, 0) + v for k, v in summary.items()}
        record.erased_at = now
    db.flush()
    log.info("erasure %s (%s): %s", record.id, reason, summary)
    return Erasure(False, record.id, summary)


def learners_of_pilot(db: so.Session, pilot: Pilot) -> list[User]:
    """Everyone the tool holds as a learner of the pilot's courses."""
    contexts = sa.select(PilotCourse.context_pk).where(PilotCourse.pilot_pk == pilot.id)
    users = sa.select(LearnerLaunch.user_pk).where(LearnerLaunch.context_pk.in_(contexts)).union(
        sa.select(Attempt.user_pk).where(Attempt.context_pk.in_(contexts)))
    return list(db.scalars(sa.select(User).where(User.id.in_(users)).order_by(User.id)))


def due_for_purge(db: so.Session, retention_days: int, today: dt.date) -> list[Pilot]:
    """Pilots that ended more than `retention_days` ago and are not purged yet."""
    last_end = today - dt.timedelta(days=retention_days)
    return list(db.scalars(sa.select(Pilot).where(Pilot.ends_on < last_end, Pilot.purged_at.is_(None))))
