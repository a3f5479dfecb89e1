"""The grade outbox: scores enqueued with the domain change, posted to the LMS by a worker, never lost.

A failed post stays ``pending`` with a backoff (network, 5xx, 429, a refused token) or becomes ``failed``
with the platform's reason (400/403/404/409/422, e.g. Moodle's answer for a user who cannot be graded).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy import orm as so
from sqlalchemy.dialects import postgresql, sqlite

from lti_tool.db import as_utc, utcnow
from lti_tool.errors import ValidationFailed
from lti_tool.launch.claims import Claim
from lti_tool.launch.models import Context, Deployment, LaunchSession, ResourceLink
from lti_tool.launch.services import recent_claim
from lti_tool.lms import ags
from lti_tool.lms.backoff import BASE_SECONDS, CAP_SECONDS
from lti_tool.lms.errors import ServiceError
from lti_tool.lms.models import GradeSync, SyncState
from lti_tool.lms.protocol import LmsServices
from lti_tool.lms.spec import ActivityProgress, GradingProgress, Scope
from lti_tool.outbox.report import DeliveryReport
from lti_tool.outbox.retry import retry_delay

# A claimed row is left alone by other workers this long (one row: a token and up to four calls).
LEASE = dt.timedelta(seconds=120)
# Moodle compares score timestamps at second resolution and refuses one that is not newer (>=).
_TIMESTAMP_STEP = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class Score:
    """A score to post (AGS 2.0 §3.4.3); userId and timestamp are added when it is sent."""

    activity_progress: ActivityProgress
    grading_progress: GradingProgress
    score_given: float | None = None
    score_maximum: float | None = None
    comment: str | None = None

    def body(self) -> dict[str, Any]:
        """The score's JSON fields; ValidationFailed when they do not make a valid AGS score."""
        body: dict[str, Any] = {"activityProgress": ActivityProgress(self.activity_progress).value,
                                "gradingProgress": GradingProgress(self.grading_progress).value}
        if self.score_given is not None:
            given, maximum = self.score_given, self.score_maximum
            if maximum is None or not math.isfinite(maximum) or maximum <= 0:
                raise ValidationFailed("A score needs a scoreMaximum greater than 0.")
            if not math.isfinite(given) or given < 0:
                raise ValidationFailed("scoreGiven must be a number of 0 or more.")
            body["scoreGiven"], body["scoreMaximum"] = given, maximum
        if self.comment:
            body["comment"] = self.comment[:4000]
        return body


@dataclass(frozen=True)
class GradeTarget:
    """Whose score, on which placement; ``ags_endpoint`` is the launch's AGS claim when at hand."""

    resource_link_pk: int
    user_pk: int
    ags_endpoint: Mapping[str, Any] | None = None

    @classmethod
    def from_launch(cls, launch: LaunchSession) -> GradeTarget:
        """The launched user on the launched resource link."""
        if launch.resource_link_pk is None:
            raise ValidationFailed("Only a launch of an activity (resource link) can carry a grade.")
        return cls(launch.resource_link_pk, launch.user_pk, (launch.claims or {}).get(str(Claim.AGS_ENDPOINT)))


def _endpoint_for(session: so.Session, target: GradeTarget) -> dict[str, Any] | None:
    if isinstance(target.ags_endpoint, Mapping) and ags.AgsEndpoint.from_claim(target.ags_endpoint):
        return dict(target.ags_endpoint)
    claim = recent_claim(session, Claim.AGS_ENDPOINT, lambda value: ags.AgsEndpoint.from_claim(value) is not None,
                         resource_link_pk=target.resource_link_pk)
    if claim is not None:
        return dict(claim)
    link = session.get(ResourceLink, target.resource_link_pk)
    if link is not None and link.ags_lineitem_url:
        return {"lineitem": link.ags_lineitem_url}
    return None


def enqueue_score(session: so.Session, target: LaunchSession | GradeTarget, score: Score, *, event_id: str,
                  scored_at: dt.datetime | None = None) -> GradeSync | None:
    """Queue a score in the caller's transaction; the same (link, user, event_id) again returns the first row.

    None when the platform offers no AGS for this placement (nothing to sync).
    """
    goal = GradeTarget.from_launch(target) if isinstance(target, LaunchSession) else target
    if not event_id or len(event_id) > 128:
        raise ValidationFailed("A grade event id of 1 to 128 characters is required.")
    body = score.body()
    key = (GradeSync.resource_link_pk == goal.resource_link_pk, GradeSync.user_pk == goal.user_pk,
           GradeSync.event_id == event_id)
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        return _enqueue_with_savepoint(session, goal, body, event_id, scored_at, key)
    endpoint = _endpoint_for(session, goal)
    if endpoint is None:
        return session.scalar(sa.select(GradeSync).where(*key))
    # One statement: the row, or nothing when the same event is queued already (a concurrent submit included).
    insert = (sqlite.insert(GradeSync) if dialect == "sqlite" else postgresql.insert(GradeSync)).values(
        resource_link_pk=goal.resource_link_pk, user_pk=goal.user_pk, event_id=event_id, score=body,
        scored_at=scored_at or utcnow(), ags_endpoint=endpoint, state=SyncState.PENDING, tries=0,
        next_try_at=utcnow())
    row = session.scalar(insert.on_conflict_do_nothing(index_elements=["resource_link_pk", "user_pk", "event_id"])
                         .returning(GradeSync))
    return row if row is not None else session.scalar(sa.select(GradeSync).where(*key))


def _enqueue_with_savepoint(session: so.Session, goal: GradeTarget, body: dict[str, Any], event_id: str,
                            scored_at: dt.datetime | None, key: tuple[sa.ColumnElement[bool], ...]
                            ) -> GradeSync | None:
    # Databases without INSERT … ON CONFLICT: look first, insert in a savepoint. Call it after the domain
    # change's own writes: pysqlite opens its transaction only at the first write, and a SAVEPOINT released
    # outside one commits at once.
    existing = session.scalar(sa.select(GradeSync).where(*key))
    if existing is not None:
        return existing
    endpoint = _endpoint_for(session, goal)
    if endpoint is None:
        return None
    row = GradeSync(resource_link_pk=goal.resource_link_pk, user_pk=goal.user_pk, event_id=event_id, score=body,
                    scored_at=scored_at or utcnow(), ags_endpoint=endpoint, state=SyncState.PENDING, tries=0,
                    next_try_at=utcnow())
    try:
        with session.begin_nested():
            session.add(row)
    except sa_exc.IntegrityError:
        # A concurrent submit queued the same event first: one score, not two.
        return session.scalar(sa.select(GradeSync).where(*key))
    return row


def _claim(session: so.Session, row_id: int, now: dt.datetime) -> GradeSync | None:
    """Take a due row for this worker (a conditional update, so two workers never send the same row)."""
    row = session.get(GradeSync, row_id)
    if row is None or row.state != SyncState.PENDING or row.next_try_at > now:
        return None
    taken = session.execute(
        sa.update(GradeSync)
        .where(GradeSync.id == row_id, GradeSync.state == SyncState.PENDING, GradeSync.tries == row.tries,
               GradeSync.next_try_at == row.next_try_at)
        .values(next_try_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    session.refresh(row)
    return row


def _newer_exists(session: so.Session, row: GradeSync) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(GradeSync).where(
        GradeSync.resource_link_pk == row.resource_link_pk, GradeSync.user_pk == row.user_pk,
        GradeSync.id != row.id, GradeSync.state.in_([SyncState.PENDING, SyncState.SENT]),
        sa.or_(GradeSync.scored_at > row.scored_at,
               sa.and_(GradeSync.scored_at == row.scored_at, GradeSync.id > row.id)),
    )) != 0


def _timestamp(session: so.Session, row: GradeSync) -> dt.datetime:
    """Now, but later than the previous score sent for this learner and link by Moodle's 1-second rule."""
    last = as_utc(session.scalar(sa.select(sa.func.max(GradeSync.posted_timestamp)).where(
        GradeSync.resource_link_pk == row.resource_link_pk, GradeSync.user_pk == row.user_pk,
        GradeSync.state == SyncState.SENT)))
    stamp = max(utcnow(), row.scored_at)
    if last is not None:
        stamp = max(stamp, last.replace(microsecond=0) + _TIMESTAMP_STEP)
    return stamp


def _outcome_unknown(row: GradeSync) -> bool:
    """The last try got no HTTP answer (a timeout, a dropped connection): the LMS may have kept the score."""
    return row.tries > 0 and row.last_status is None and bool(row.last_error)


def _already_there(client: LmsServices, session: so.Session, row: GradeSync, lineitem: str,
                   scopes: frozenset[str]) -> bool:
    """Whether the LMS already holds this row's score (results service); False when it may not be read."""
    platform = row.resource_link.context.deployment.platform
    if Scope.RESULT_READONLY not in client.token(session, platform, scopes).scopes:
        return False  # without result.readonly the score is posted again (a newer timestamp; harmless)
    found = ags.read_result(client, session, platform, lineitem, row.user.sub, scopes)
    return (found if found is not None else ags.LmsResult(None, None, None)).holds(row.score)


def _send(session: so.Session, client: LmsServices, row: GradeSync) -> None:
    link = row.resource_link
    platform = link.context.deployment.platform
    endpoint = ags.AgsEndpoint.from_claim(row.ags_endpoint) or ags.AgsEndpoint(link.ags_lineitem_url, None,
                                                                              frozenset())
    spec = ags.LineItemSpec(resource_link_id=link.resource_link_id, label=link.title or link.unit_slug or "MASTERY",
                            score_maximum=float(row.score.get("scoreMaximum") or 100), resource_id=link.unit_slug)
    lineitem, scopes = ags.resolve_lineitem(client, session, platform, endpoint, spec, known=link.ags_lineitem_url)
    if link.ags_lineitem_url != lineitem:
        link.ags_lineitem_url = lineitem  # found or created: the next score skips the search
    # Exactly once at the LMS: after a try whose answer was lost, read the result before posting again.
    if _outcome_unknown(row) and _already_there(client, session, row, lineitem, scopes):
        row.state, row.sent_at, row.lineitem_url, row.last_error = SyncState.SENT, utcnow(), lineitem, None
        row.last_status = 200
        row.platform_answer = "The LMS already holds this score (read back after the earlier try got no answer)."
        return
    stamp = _timestamp(session, row)
    body = dict(row.score) | {"userId": row.user.sub, "timestamp": stamp.isoformat(timespec="milliseconds")}
    row.last_status, said = ags.post_score(client, session, platform, lineitem, body, scopes)
    row.platform_answer = f"HTTP {row.last_status}" + (f": {said}" if said else "")
    row.state, row.sent_at, row.posted_timestamp, row.lineitem_url = SyncState.SENT, utcnow(), stamp, lineitem
    row.last_error = None


def deliver_pending_scores(session: so.Session, client: LmsServices, *, now: dt.datetime | None = None,
                           limit: int = 50, rand: Callable[[], float] | None = None) -> DeliveryReport:
    """Post the due pending scores, oldest first; commits after each row (the worker is its own boundary).

    The report lists GradeSync ids: delivered (the LMS took the score), retrying, failed, superseded.
    """
    now = now or utcnow()
    report = DeliveryReport()
    due = list(session.scalars(
        sa.select(GradeSync.id).where(GradeSync.state == SyncState.PENDING, GradeSync.next_try_at <= now)
        .order_by(GradeSync.scored_at, GradeSync.id).limit(limit)
    ))
    session.commit()
    report.more = len(due) >= limit
    for row_id in due:
        row = _claim(session, row_id, now)
        if row is None:
            continue
        if _newer_exists(session, row):
            row.state = SyncState.SUPERSEDED
            report.superseded.append(row.id)
            session.commit()
            continue
        try:
            # No write before the calls: on SQLite a write would hold the database lock during network waits.
            _send(session, client, row)
            row.tries += 1
            report.delivered.append(row.id)
            report.posts += 1
        except ServiceError as error:
            row.tries += 1
            row.last_error, row.last_status = error.message, error.http_status
            row.platform_answer = (f"HTTP {error.http_status}" + (f": {error.platform_message}"
                                   if error.platform_message else "")) if error.http_status else "no answer"
            if error.retryable:
                wait = retry_delay(row.tries, base=BASE_SECONDS, cap=CAP_SECONDS, **({"rand": rand} if rand else {}))
                row.next_try_at = now + max(wait, error.retry_after or dt.timedelta(0))
                report.retrying.append(row.id)
            else:
                row.state = SyncState.FAILED
                report.failed.append(row.id)
        session.commit()
    return report


def list_syncs(session: so.Session, *, states: Iterable[SyncState] = (SyncState.PENDING, SyncState.FAILED),
               context_pk: int | None = None, limit: int = 200) -> list[GradeSync]:
    """Outbox rows in these states, newest first, with link, context and user loaded (CLI, dashboard)."""
    query = (sa.select(GradeSync).join(GradeSync.resource_link)
             .where(GradeSync.state.in_([SyncState(s).value for s in states]))
             .options(so.joinedload(GradeSync.user), so.joinedload(GradeSync.resource_link)
                      .joinedload(ResourceLink.context).joinedload(Context.deployment)
                      .joinedload(Deployment.platform))
             .order_by(GradeSync.created_at.desc(), GradeSync.id.desc()).limit(limit))
    if context_pk is not None:
        query = query.where(ResourceLink.context_pk == context_pk)
    return list(session.scalars(query))


def latest_syncs(session: so.Session, resource_link_pk: int) -> dict[int, GradeSync]:
    """user_pk → the newest score row of each learner on one placement (the dashboard's sync column)."""
    rows = session.scalars(sa.select(GradeSync).where(GradeSync.resource_link_pk == resource_link_pk)
                           .order_by(GradeSync.scored_at, GradeSync.id))
    return {row.user_pk: row for row in rows}


def requeue_failed(session: so.Session, ids: Iterable[int] | None = None, *, now: dt.datetime | None = None) -> int:
    """Put failed rows (all, or these ids) back to pending after the cause was fixed; how many."""
    query = sa.update(GradeSync).where(GradeSync.state == SyncState.FAILED)
    if ids is not None:
        query = query.where(GradeSync.id.in_(list(ids)))
    result = session.execute(query.values(state=SyncState.PENDING, next_try_at=now or utcnow())
                             .execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]
