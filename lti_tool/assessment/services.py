"""Attempts: start (policy), autosave, submit exactly once, teacher review. Holds the rules; no Flask."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.exc import IntegrityError

from lti_tool.assessment.availability import Availability, Blocked, availability
from lti_tool.assessment.grade_policy import GradedAttempt, GradePolicy, counting_attempt, has_mastered
from lti_tool.assessment.items_public import public_items
from lti_tool.assessment.mastery import PracticalReview, meets_threshold, unit_result
from lti_tool.assessment.models import Attempt, AttemptResponse, AttemptState, Review
from lti_tool.assessment.responses import key_response
from lti_tool.assessment.scoring import rubric_score, score_item
from lti_tool.assessment.selection import SelectedItem, select_items
from lti_tool.catalogue.items import Practical
from lti_tool.catalogue.services import pin_placement_unit
from lti_tool.catalogue.unit_doc import UnitDoc
from lti_tool.catalogue.unit_texts import localized
from lti_tool.db import note_write, table_of
from lti_tool.errors import N_, Conflict, Forbidden, NotFound, ValidationFailed
from lti_tool.events import AttemptResult, AttemptStarted, publish
from lti_tool.launch.models import Context, Deployment, LaunchSession

A = TypeVar("A", bound=GradedAttempt)


class Documented(Protocol):
    """A unit with its typed document: the ORM Unit, or the unit page's row (assessment.unit_page.PageUnit)."""

    @property
    def doc(self) -> UnitDoc: ...


# A submit that arrives this long after the deadline still counts (network latency, a slow click).
SUBMIT_GRACE = dt.timedelta(seconds=30)

@dataclass(frozen=True)
class Policy:
    """A unit's attempt policy (unit file ``policy``; every field optional)."""

    max_attempts: int | None = None
    cooldown: dt.timedelta | None = None
    time_limit: dt.timedelta | None = None
    items_per_outcome: int | None = None
    show_correct_answers: bool = False
    # After mastery, further attempts are practice (never graded) if the unit allows them; else none.
    practice_after_mastery: bool = False

    def availability(self, attempts: Sequence[GradedAttempt], now: dt.datetime) -> Availability:
        """Whether a new attempt may start now under this policy (see lti_tool.assessment.availability)."""
        return availability(attempts, max_attempts=self.max_attempts, cooldown=self.cooldown,
                            practice_after_mastery=self.practice_after_mastery, now=now)

    @classmethod
    def of(cls, unit: Documented) -> Policy:
        rules = unit.doc.policy

        def minutes(value: int | None) -> dt.timedelta | None:
            return dt.timedelta(minutes=value) if value else None

        return cls(max_attempts=rules.max_attempts, cooldown=minutes(rules.cooldown_minutes),
                   time_limit=minutes(rules.time_limit_minutes), items_per_outcome=rules.items_per_outcome,
                   show_correct_answers=rules.show_correct_answers, practice_after_mastery=rules.practice_after_mastery)


def check_placement(launch: LaunchSession, slug: str) -> None:
    """Refuse a unit other than the activity the learner launched."""
    if launch.resource_link_pk is None or launch.context_pk is None:
        raise Forbidden(N_("Open the unit from its activity in your course to take the assessment."))
    if launch.unit_slug != slug:
        raise Forbidden(N_("This unit is not the activity you opened from your course."))


def start_attempt(db: so.Session, launch: LaunchSession, slug: str, *, now: dt.datetime) -> tuple[Attempt, bool]:
    """Resume the open attempt or start a new one within the unit's policy; returns (attempt, created).

    A new attempt publishes AttemptStarted inside the start's savepoint.
    """
    check_placement(launch, slug)
    unit = pin_placement_unit(db, launch.resource_link) if launch.resource_link is not None else None
    if unit is None:
        raise NotFound(N_("The unit “%(slug)s” is not in the catalogue."), slug=slug)
    open_attempt = _open_attempt(db, launch)
    if open_attempt is not None:
        if not _expired(open_attempt, now):
            return open_attempt, False
        # Callers close it first and commit (close_expired); this keeps a direct call correct all the same.
        finalize(db, open_attempt, now=now)
    policy = Policy.of(unit)
    every = list(db.scalars(sa.select(Attempt).where(
        Attempt.user_pk == launch.user_pk, Attempt.resource_link_pk == launch.resource_link_pk,
    ).order_by(Attempt.number)))
    standing = policy.availability(every, now)
    practice = standing.practice
    if standing.blocked is Blocked.MASTERED:
        raise Conflict(N_("You have mastered this unit; its assessment offers no practice attempts."),
                       code="mastered")
    if standing.blocked is Blocked.NO_ATTEMPTS_LEFT:
        raise Conflict(N_("You have used all %(n)s attempts for this unit."), code="no_attempts_left",
                       n=policy.max_attempts)
    if standing.blocked is Blocked.COOLDOWN:
        raise Conflict(N_("You can try again in %(minutes)s minute(s)."), code="cooldown",
                       minutes=standing.minutes_to_wait(now))
    attempt_id = str(uuid.uuid4())
    selection = select_items(unit.doc, seed=attempt_id, items_per_outcome=policy.items_per_outcome)
    attempt = Attempt(
        id=attempt_id, user_pk=launch.user_pk, context_pk=launch.context_pk, resource_link_pk=launch.resource_link_pk,
        unit=unit, number=(every[-1].number + 1) if every else 1, selection=[s.to_json() for s in selection],
        started_at=now, deadline_at=now + policy.time_limit if policy.time_limit else None, practice=practice,
    )
    try:
        with db.begin_nested():
            db.add(attempt)
            db.flush()
            publish(db, AttemptStarted(attempt=attempt, at=now))
    except IntegrityError:
        # Two starts raced (a double click): the other one made the attempt; resume it.
        again = _open_attempt(db, launch)
        if again is None:
            raise Conflict(N_("Another attempt was started at the same moment; reload the page.")) from None
        return again, False
    return attempt, True


def _expired(attempt: Attempt, now: dt.datetime) -> bool:
    return attempt.deadline_at is not None and now > attempt.deadline_at + SUBMIT_GRACE


def close_expired(db: so.Session, launch: LaunchSession, *, now: dt.datetime) -> Attempt | None:
    """Score the learner's open attempt at this placement if its time ran out while they were away.

    Returns the attempt it closed, or None. The caller commits at once, before deciding anything else
    (cooldown, attempts left): a refusal after this must not roll the learner's result back.
    """
    if launch.resource_link_pk is None:
        return None
    open_attempt = _open_attempt(db, launch)
    if open_attempt is None or not _expired(open_attempt, now):
        return None
    finalize(db, open_attempt, now=now)
    return open_attempt


def open_attempt(db: so.Session, launch: LaunchSession) -> Attempt | None:
    """The learner's attempt in progress at the launched placement, if any."""
    return _open_attempt(db, launch) if launch.resource_link_pk is not None else None


def _open_attempt(db: so.Session, launch: LaunchSession) -> Attempt | None:
    return db.scalar(sa.select(Attempt).where(
        Attempt.user_pk == launch.user_pk, Attempt.resource_link_pk == launch.resource_link_pk,
        Attempt.state == AttemptState.IN_PROGRESS,
    ))


def placement_attempts(db: so.Session, launch: LaunchSession) -> list[Attempt]:
    """Every attempt of the launched learner at this placement, oldest first (one read serves the unit page)."""
    if launch.resource_link_pk is None:
        return []
    return list(db.scalars(sa.select(Attempt).where(
        Attempt.user_pk == launch.user_pk, Attempt.resource_link_pk == launch.resource_link_pk,
    ).order_by(Attempt.number)))


def learner_attempts(every: Sequence[A]) -> list[A]:
    """The attempts the learner sees, newest first, reset ones left out (`every`: from placement_attempts)."""
    return [attempt for attempt in reversed(every) if attempt.state != AttemptState.RESET]


@dataclass(frozen=True)
class LearnerGrade:
    """What the unit page tells a learner about their grade: which attempt counts, mastery, practice."""

    policy: GradePolicy
    counting_id: str | None
    mastered: bool
    practice_allowed: bool


def learner_grade(db: so.Session, launch: LaunchSession, unit: Documented,
                  attempts: Sequence[GradedAttempt]) -> LearnerGrade:
    """The grade facts of the launched learner at this placement (attempts: theirs, as learner_attempts gives)."""
    link = launch.resource_link
    policy = GradePolicy.parse(link.grade_policy if link is not None else None)
    counted = counting_attempt(attempts, policy)
    return LearnerGrade(policy, counted.id if counted is not None else None, has_mastered(attempts),
                        Policy.of(unit).practice_after_mastery)


def own_attempt(db: so.Session, launch: LaunchSession, attempt_id: str, *, with_course: bool = False) -> Attempt:
    """The learner's own attempt at this placement; any other id is simply not found (no existence leak).

    `with_course`: its course, deployment and platform come in the same query (what a submit's learning records
    and grade name), instead of three reads later.
    """
    # The unit comes in the same query: every caller reads it (its document is cached, see catalogue.models).
    attempt = db.get(Attempt, attempt_id, options=_WITH_COURSE if with_course else _WITH_UNIT) \
        if _looks_like_uuid(attempt_id) else None
    if attempt is None or attempt.user_pk != launch.user_pk or attempt.resource_link_pk != launch.resource_link_pk:
        raise NotFound(N_("There is no such attempt for you here."))
    return attempt


_WITH_UNIT = [so.joinedload(Attempt.unit)]
_WITH_COURSE = [*_WITH_UNIT, so.joinedload(Attempt.context).joinedload(Context.deployment).joinedload(
    Deployment.platform)]


def _looks_like_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def selected_items(attempt: Attempt) -> list[SelectedItem]:
    """The items drawn for the attempt."""
    return attempt.drawn_items


def attempts_in_courses(db: so.Session, contexts: sa.Select[int]) -> int:
    """How many attempts (practice and reset ones too) the courses hold (a platform purge deletes them)."""
    return int(db.scalar(sa.select(sa.func.count()).select_from(Attempt).where(Attempt.context_pk.in_(contexts)))
               or 0)


def attempt_view(db: so.Session, attempt: Attempt, lang: str) -> dict[str, Any]:
    """What the learner's page and API get: items (no keys), saved responses, state, result.

    Items are in the learner's language where the unit is complete in it, else in English (``lang`` says which).
    """
    lang = attempt.unit.doc.content_language(lang)
    body: dict[str, Any] = {
        "id": attempt.id, "unit": attempt.unit.slug, "number": attempt.number, "state": attempt.state,
        "practice": attempt.practice,
        "deadline": attempt.deadline_at.strftime("%Y-%m-%dT%H:%M:%SZ") if attempt.deadline_at else None,
        "items": public_items(attempt.unit.doc, selected_items(attempt), lang),
        "responses": {r.item_id: r.response for r in _responses(db, attempt)},
        "lang": lang,
    }
    if attempt.state == AttemptState.SUBMITTED:
        body["result"] = attempt.result
        # The teachers' words on the practical work (the same text the LMS gets as the AGS comment).
        reviews = list(db.scalars(sa.select(Review).where(Review.attempt_id == attempt.id).order_by(Review.id)))
        body["feedback"] = [{"item": r.item_id, "comment": r.comment} for r in reviews if r.comment.strip()]
        body["practicals"] = _reviewed_practicals(attempt, reviews, lang)
        body["outcome_notes"] = _outcome_notes(attempt, body["practicals"], body["responses"])
        if Policy.of(attempt.unit).show_correct_answers:
            items = attempt.unit.doc.items
            body["correct"] = {s.item_id: key_response(items[s.item_id]) for s in selected_items(attempt)}
            # Results that teach: per item, right or not and the authored explanation (policy permitting).
            responses = body["responses"]
            body["item_results"] = [
                {"item": s.item_id, "outcome": s.outcome_id,
                 "correct": score_item(items[s.item_id], responses.get(s.item_id)).correct,
                 "feedback": localized(items[s.item_id].feedback, lang)}
                for s in selected_items(attempt) if not items[s.item_id].is_practical]
    return body


def _reviewed_practicals(attempt: Attempt, reviews: list[Review], lang: str) -> list[dict[str, Any]]:
    """The teacher's rubric result of each reviewed practical task: points per criterion, score, pass mark.

    A practical task passes when its share of the rubric's points reaches its outcome's threshold (see
    review_practical); the learner sees the same figures the teacher's scoring used.
    """
    unit = attempt.unit.doc
    shown = []
    for review in reviews:
        item = unit.items.get(review.item_id)
        if not isinstance(item, Practical):  # reviews are of practical tasks only (review_practical)
            continue
        criteria = [{"id": c.id, "text": localized(c.text, lang), "max": float(c.points),
                     "points": float(review.points.get(c.id, 0))} for c in item.rubric]
        shown.append({"item": review.item_id, "outcome": item.outcome_id, "criteria": criteria,
                      "score": review.score, "passed": review.passed,
                      "threshold": unit.outcome(item.outcome_id).threshold})
    return shown


def _outcome_notes(attempt: Attempt, practicals: list[dict[str, Any]], responses: dict[str, Any]
                   ) -> dict[str, dict[str, Any]]:
    """Why each outcome not met is not met, in the terms of lti_tool.assessment.mastery: a reviewed practical
    task below the pass mark, a practical task with no evidence, or a score below the outcome's threshold."""
    result = attempt.result or {}
    unit = attempt.unit.doc
    failed = {p["outcome"] for p in practicals if not p["passed"]}
    reviewed = {p["item"] for p in practicals}
    missing = {s.outcome_id for s in selected_items(attempt) if unit.item(s.item_id).is_practical
               and s.item_id not in reviewed and responses.get(s.item_id) is None}
    notes = {}
    for outcome in result.get("outcomes", []):
        oid = str(outcome["id"])
        if outcome.get("met") or outcome.get("pending_review"):
            continue
        reason = ("practical_failed" if oid in failed else "practical_missing" if oid in missing
                  else "below_threshold")
        notes[oid] = {"reason": reason, "threshold": unit.outcome(oid).threshold}
    return notes


def _responses(db: so.Session, attempt: Attempt) -> list[AttemptResponse]:
    return list(db.scalars(sa.select(AttemptResponse).where(AttemptResponse.attempt_id == attempt.id)))


def has_practical_items(attempt: Attempt) -> bool:
    """Whether a practical task was drawn for the attempt (only those get teachers' reviews)."""
    items = attempt.unit.doc.items
    return any(items[entry["item_id"]].is_practical for entry in attempt.selection if entry["item_id"] in items)


def compute_result(db: so.Session, attempt: Attempt, now: dt.datetime) -> AttemptResult:
    """Score every drawn item from the saved responses and the teachers' reviews (the event it makes)."""
    unit = attempt.unit.doc
    saved = {r.item_id: r.response for r in _responses(db, attempt)}
    selected = selected_items(attempt)
    scores = {s.item_id: score_item(unit.item(s.item_id), saved.get(s.item_id)) for s in selected}
    reviews = {r.item_id: PracticalReview(score=r.score, passed=r.passed)
               for r in db.scalars(sa.select(Review).where(Review.attempt_id == attempt.id))
               } if has_practical_items(attempt) else {}  # a teacher reviews practical tasks only
    result = unit_result(unit, selected, scores, reviews)
    return AttemptResult(attempt=attempt, result=result, responses=saved, scores=scores, at=now)


def submit(db: so.Session, launch: LaunchSession, attempt_id: str, *, now: dt.datetime
           ) -> tuple[dict[str, Any], bool]:
    """Submit once: the first call fixes the result; any later or concurrent call returns the same body.

    Returns (result body, late) — late when the submit came after the time limit (answers saved before
    the deadline are scored all the same).
    """
    attempt = own_attempt(db, launch, attempt_id, with_course=True)
    late = attempt.deadline_at is not None and now > attempt.deadline_at + SUBMIT_GRACE
    if attempt.state == AttemptState.SUBMITTED:
        assert attempt.result is not None
        return attempt.result, late
    return finalize(db, attempt, now=now), late


def finalize(db: so.Session, attempt: Attempt, *, now: dt.datetime) -> dict[str, Any]:
    """Fix the attempt's result; a conditional UPDATE makes exactly one of several racing submits win.

    The winner publishes AttemptResult.
    """
    event = compute_result(db, attempt, now)
    result = event.result
    body = result.to_json()
    fixed = {"state": AttemptState.SUBMITTED, "submitted_at": now, "result": body, "score": result.score,
             "mastered": result.mastered, "pending_review": result.pending_review}
    won = db.connection().execute(_submit_update(), {
        "attempt_id": attempt.id, "open": AttemptState.IN_PROGRESS, **{f"new_{k}": v for k, v in fixed.items()}
    }).rowcount
    note_write(db)  # a Core statement on the session's connection: the request boundary commits it
    if won != 1:
        db.refresh(attempt)  # another submit won: its result is the one
        assert attempt.result is not None
        return attempt.result
    for name, value in fixed.items():  # what this UPDATE wrote, without reading it back
        so.attributes.set_committed_value(attempt, name, value)
    publish(db, event)
    return body


@functools.cache
def _submit_update() -> sa.Update:
    """The submit's conditional UPDATE, built once (Core: the ORM's UPDATE path costs more than the statement)."""
    table = table_of(Attempt)
    return sa.update(table).where(table.c.id == sa.bindparam("attempt_id"), table.c.state == sa.bindparam("open")
                                  ).values({name: sa.bindparam(f"new_{name}", type_=table.c[name].type) for name in (
                                      "state", "submitted_at", "result", "score", "mastered", "pending_review")})


def review_practical(db: so.Session, reviewer: LaunchSession, attempt_id: str, item_id: str,
                     points: dict[str, float], comment: str, *, now: dt.datetime) -> dict[str, Any]:
    """A teacher of the attempt's course scores a practical item against its rubric; the result is recomputed.

    Publishes AttemptResult with the new result.
    """
    attempt = db.get(Attempt, attempt_id) if _looks_like_uuid(attempt_id) else None
    if attempt is None or attempt.context_pk != reviewer.context_pk:
        raise NotFound(N_("There is no such attempt in this course."))
    if attempt.state != AttemptState.SUBMITTED:
        raise Conflict(N_("The learner has not submitted this attempt yet."))
    unit = attempt.unit.doc
    item = unit.items.get(item_id) if item_id in {s.item_id for s in selected_items(attempt)} else None
    if not isinstance(item, Practical):
        raise NotFound(N_("Item “%(item_id)s” is not a practical task of this attempt."), item_id=item_id)
    if len(comment) > 5000:
        raise ValidationFailed(N_("The comment is too long (5000 characters at most)."))
    threshold = unit.outcome(item.outcome_id).threshold
    score = rubric_score(item, points)
    review = db.scalar(sa.select(Review).where(Review.attempt_id == attempt.id, Review.item_id == item_id))
    if review is None:
        review = Review(attempt_id=attempt.id, item_id=item_id, reviewer_pk=reviewer.user_pk)
        db.add(review)
    review.points, review.score, review.comment = dict(points), score, comment
    review.passed = meets_threshold(score, threshold)
    review.reviewer_pk, review.reviewed_at = reviewer.user_pk, now
    db.flush()
    event = compute_result(db, attempt, now)
    result = event.result
    attempt.result, attempt.score = result.to_json(), result.score
    attempt.mastered, attempt.pending_review = result.mastered, result.pending_review
    publish(db, event)
    return attempt.result


def learner_availability(unit: Documented, every: Sequence[GradedAttempt], *, now: dt.datetime) -> Availability:
    """The learner's standing at this placement: attempts used and left, next opening (`every`: as
    placement_attempts gives)."""
    return Policy.of(unit).availability(every, now)
