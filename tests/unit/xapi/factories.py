"""Test data for the xAPI builders: one learner journey through a unit with every item type."""

from __future__ import annotations

import datetime as dt
import uuid

from lti_tool.catalogue.items import (
    Choice,
    Criterion,
    Item,
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
from lti_tool.xapi.refs import LtiScope, OutcomeRef, Score, SectionRef, UnitRef

ESCO = (
    "http://data.europa.eu/esco/skill/1a1a8f1a-4a1c-4a4b-8a28-7b6c7e0c8b10",
    "http://data.europa.eu/esco/skill/2b2b8f1a-4a1c-4a4b-8a28-7b6c7e0c8b10",
)
T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)

ITEMS_AND_RESPONSES: tuple[tuple[Item, object, bool | None], ...] = (
    (SingleChoice(id="q1", outcome_id="lo1", prompt="Which wood?", options=(Choice("a", "Oak"), Choice("b", "Pine")),
                  correct="a"), "a", True),
    (
        MultipleResponse(
            id="q2",
            outcome_id="lo1",
            prompt={"en": "Pick two", "de": "Zwei"},
            options=(Choice("a", "A"), Choice("b", "B"), Choice("c", "C")),
            correct=("a", "c"),
        ),
        ["a", "b"],
        False,
    ),
    (TrueFalse(id="q3", outcome_id="lo1", prompt="Wood is renewable.", correct=True), True, True),
    (Numeric(id="q4", outcome_id="lo1", prompt="Moisture %?", value=12, tolerance=0.5), 12.3, True),
    (
        Ordering(id="q5", outcome_id="lo1", prompt="Order", options=(Choice("x", "Cut"), Choice("y", "Dry")),
                 order=("x", "y")),
        ["y", "x"],
        False,
    ),
    (
        Matching(
            id="q6",
            outcome_id="lo1",
            prompt="Match",
            options=(Choice("l1", "Oak"), Choice("l2", "Pine")),
            targets=(Choice("r1", "Hard"), Choice("r2", "Soft")),
            pairs=(("l1", "r1"), ("l2", "r2")),
        ),
        {"l1": "r1", "l2": "r2"},
        True,
    ),
    (ShortText(id="q7", outcome_id="lo1", prompt="Name the tree", accepted=("oak", "Quercus")), "Oak", True),
    (Practical(id="q8", outcome_id="lo1", prompt="Plane a board and upload a photo.",
               rubric=(Criterion("done", "Done", 1),)), "board.jpg uploaded", None),
)


def profile(base: str = "http://127.0.0.1:5000") -> Profile:
    """The profile of a tool at `base`."""
    return Profile(base)


def scope(sub: str = "42") -> LtiScope:
    """A learner on a Moodle platform."""
    return LtiScope("https://moodle.example.org", sub, "deploy-1", "course-7")


def unit(slug: str = "wood-drying") -> UnitRef:
    """A unit with two ESCO skills at EQF 4."""
    return UnitRef(slug, "1.2.0", {"en": "Drying wood", "fr": "Séchage du bois"}, ESCO, 4)


def journey(
    prof: Profile, who: LtiScope, the_unit: UnitRef, attempt_id: uuid.UUID, start: dt.datetime = T0
) -> list[dict]:
    """Every statement kind of one learner's way to a credential, one minute apart."""
    at = iter(start + dt.timedelta(minutes=i) for i in range(100))
    out = [
        st.unit_launched(prof, who, the_unit, next(at)),
        st.section_experienced(prof, who, the_unit, SectionRef("intro", "Introduction"), next(at)),
        st.assessment_initialized(prof, who, the_unit, attempt_id, next(at)),
    ]
    out += [
        st.item_answered(prof, who, the_unit, attempt_id, item, response, correct, next(at))
        for item, response, correct in ITEMS_AND_RESPONSES
    ]
    out += [
        st.assessment_completed(prof, who, the_unit, attempt_id, Score(0.75, 6, 8), next(at)),
        st.assessment_graded(prof, who, the_unit, attempt_id, Score(0.75, 6, 8), True, next(at)),
        st.outcome_mastered(
            prof, who, the_unit, attempt_id, OutcomeRef("lo1", "Dry wood", ESCO[:1]), Score(1.0), next(at)
        ),
        st.unit_mastered(prof, who, the_unit, attempt_id, Score(0.75), next(at)),
        st.credential_earned(prof, who, the_unit, uuid.uuid5(attempt_id, "credential"), attempt_id, next(at)),
    ]
    return out
