"""One learner's attempt as a teacher of the course sees it: answers, correct answers, outcome scores, evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.assessment.grading import counting
from lti_tool.assessment.models import Attempt, AttemptResponse, Review, Upload
from lti_tool.assessment.responses import key_response
from lti_tool.assessment.scoring import UNANSWERED, score_item
from lti_tool.assessment.services import selected_items
from lti_tool.catalogue.items import Item, Numeric, Practical, ShortText
from lti_tool.catalogue.unit_texts import localized
from lti_tool.dashboard.answers import in_words
from lti_tool.dashboard.reset import attempt_of_course
from lti_tool.lms.models import GradeSync


@dataclass(frozen=True)
class ItemLine:
    """One drawn item: prompt, the learner's answer, the correct one, its score, and practical evidence."""

    id: str
    kind: str
    prompt: str
    answer: str
    correct: str
    score: float | None  # None: practical work not reviewed yet
    uploads: list[Upload] = field(default_factory=list)
    review: Review | None = None


@dataclass(frozen=True)
class OutcomeLine:
    """One learning outcome's result in the attempt."""

    id: str
    title: str
    score: float | None
    met: bool
    pending_review: bool
    items: list[ItemLine]


@dataclass(frozen=True)
class AttemptDetail:
    """The attempt with everything a teacher needs to judge it."""

    attempt: Attempt
    unit_title: str
    counts: bool
    outcomes: list[OutcomeLine]
    grade_sends: list[GradeSync] = field(default_factory=list)  # every score queued for this learner and activity
    text_lang: str = "en"  # the language the unit's texts are shown in (English where the unit lacks the page's)


def _correct(item: Item, lang: str, yes: str, no: str) -> str:
    match item:
        case Practical():
            return ""  # judged by a teacher against the rubric
        case ShortText():
            return in_words(item, list(item.accepted), lang)
        case Numeric():
            return f"{in_words(item, item.value, lang)} (± {item.tolerance:g})"
        case _:
            return in_words(item, key_response(item), lang, yes=yes, no=no)


def attempt_detail(db: so.Session, context_pk: int, attempt_id: str, lang: str, *, yes: str = "true",
                   no: str = "false") -> AttemptDetail:
    """The attempt of this course (anything else: not found), item by item under its outcomes."""
    attempt = attempt_of_course(db, context_pk, attempt_id)
    unit = attempt.unit.doc
    lang = attempt.unit.doc.content_language(lang)  # never half one language, half another
    saved = {r.item_id: r.response for r in db.scalars(
        sa.select(AttemptResponse).where(AttemptResponse.attempt_id == attempt.id))}
    reviews = {r.item_id: r for r in db.scalars(sa.select(Review).where(Review.attempt_id == attempt.id))}
    uploads = list(db.scalars(sa.select(Upload).where(Upload.attempt_id == attempt.id).order_by(Upload.uploaded_at)))
    results = {str(o.get("id")): o for o in (attempt.result or {}).get("outcomes") or ()}
    per_outcome: dict[str, list[ItemLine]] = {o.id: [] for o in unit.outcomes}
    for chosen in selected_items(attempt):
        item = unit.item(chosen.item_id)
        response = saved.get(chosen.item_id)
        review = reviews.get(chosen.item_id)
        if item.is_practical:
            score = review.score if review is not None else None
        else:
            score = (score_item(item, response) if response is not None else UNANSWERED).score
        per_outcome.setdefault(item.outcome_id, []).append(ItemLine(
            id=chosen.item_id, kind=item.type.value, prompt=localized(item.prompt, lang),
            answer=in_words(item, response, lang, yes=yes, no=no), correct=_correct(item, lang, yes, no),
            score=score, uploads=[u for u in uploads if u.item_id == chosen.item_id], review=review,
        ))
    outcomes = []
    for outcome in unit.outcomes:
        oid = outcome.id
        entry = results.get(oid) or {}
        outcomes.append(OutcomeLine(
            id=oid, title=localized(outcome.title, lang),
            score=float(entry["score"]) if isinstance(entry.get("score"), int | float) else None,
            met=bool(entry.get("met")), pending_review=bool(entry.get("pending_review")), items=per_outcome[oid],
        ))
    counted = counting(db, attempt.resource_link_pk, attempt.user_pk)
    sends = list(db.scalars(sa.select(GradeSync).where(
        GradeSync.resource_link_pk == attempt.resource_link_pk, GradeSync.user_pk == attempt.user_pk,
    ).order_by(GradeSync.scored_at.desc(), GradeSync.id.desc()).limit(50)))
    return AttemptDetail(attempt, localized(unit.title, lang), counted is not None and counted.id == attempt.id,
                         outcomes, sends, text_lang=lang)
