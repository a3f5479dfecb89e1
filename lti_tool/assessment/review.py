"""The teacher's review queue: submitted attempts of one course with practical evidence to score."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.assessment.models import Attempt, AttemptResponse, AttemptState, Review, Upload
from lti_tool.assessment.services import selected_items
from lti_tool.catalogue.items import Practical
from lti_tool.catalogue.unit_texts import localized


@dataclass
class PracticalToReview:
    """One practical item of one attempt, with the learner's evidence and any earlier review."""

    attempt: Attempt
    item_id: str
    prompt: str
    rubric: list[dict[str, Any]]
    text: str
    uploads: list[Upload]
    review: Review | None
    outcome_title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def review_queue(db: so.Session, context_pk: int, lang: str, *, include_reviewed: bool = False
                 ) -> list[PracticalToReview]:
    """Practical items of submitted attempts in this course, oldest first; pending ones unless asked."""
    attempts = db.scalars(sa.select(Attempt).where(
        Attempt.context_pk == context_pk, Attempt.state == AttemptState.SUBMITTED,
    ).order_by(Attempt.submitted_at))
    queue: list[PracticalToReview] = []
    for attempt in attempts:
        unit = attempt.unit.doc
        outcomes = {o.id: localized(o.title, lang) for o in unit.outcomes}
        practical = [item for s in selected_items(attempt) if isinstance(item := unit.item(s.item_id), Practical)]
        if not practical:
            continue
        reviews = {r.item_id: r for r in db.scalars(sa.select(Review).where(Review.attempt_id == attempt.id))}
        responses = {r.item_id: r.response for r in db.scalars(
            sa.select(AttemptResponse).where(AttemptResponse.attempt_id == attempt.id))}
        uploads = list(db.scalars(sa.select(Upload).where(Upload.attempt_id == attempt.id)))
        for item in practical:
            item_id = item.id
            if item_id in reviews and not include_reviewed:
                continue
            response = responses.get(item_id) or {}
            queue.append(PracticalToReview(
                attempt=attempt, item_id=item_id, prompt=localized(item.prompt, lang),
                rubric=[{"id": c.id, "text": localized(c.text, lang), "points": c.points,
                         # What each score looks like, so teachers in different countries score alike.
                         "levels": [{"points": lv.points, "text": localized(lv.text, lang)} for lv in c.levels]}
                        for c in item.rubric],
                text=str(response.get("text", "")) if isinstance(response, dict) else "",
                uploads=[u for u in uploads if u.item_id == item_id], review=reviews.get(item_id),
                outcome_title=outcomes.get(item.outcome_id, item.outcome_id),
            ))
    return queue
