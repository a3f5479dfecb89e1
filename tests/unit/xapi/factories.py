"""Test data for the xAPI builders: one learner journey through a unit with every item type."""

from __future__ import annotations

import datetime as dt
import uuid

from lti_tool.xapi import statements as st
from lti_tool.xapi.profile import Profile
from lti_tool.xapi.refs import ItemRef, ItemType, LtiScope, Option, OutcomeRef, Score, SectionRef, UnitRef

ESCO = (
    "http://data.europa.eu/esco/skill/1a1a8f1a-4a1c-4a4b-8a28-7b6c7e0c8b10",
    "http://data.europa.eu/esco/skill/2b2b8f1a-4a1c-4a4b-8a28-7b6c7e0c8b10",
)
T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)

ITEMS_AND_RESPONSES: tuple[tuple[ItemRef, object, bool | None], ...] = (
    (ItemRef("q1", ItemType.SINGLE_CHOICE, "Which wood?", (Option("a", "Oak"), Option("b", "Pine")), "a"), "a", True),
    (
        ItemRef(
            "q2",
            ItemType.MULTIPLE_RESPONSE,
            {"en": "Pick two", "de": "Zwei"},
            (Option("a", "A"), Option("b", "B"), Option("c", "C")),
            ["a", "c"],
        ),
        ["a", "b"],
        False,
    ),
    (ItemRef("q3", ItemType.TRUE_FALSE, "Wood is renewable.", (), True), True, True),
    (ItemRef("q4", ItemType.NUMERIC, "Moisture %?", (), {"value": 12, "tolerance": 0.5}), 12.3, True),
    (
        ItemRef("q5", ItemType.ORDERING, "Order", (Option("x", "Cut"), Option("y", "Dry")), ["x", "y"]),
        ["y", "x"],
        False,
    ),
    (
        ItemRef(
            "q6",
            ItemType.MATCHING,
            "Match",
            (Option("l1", "Oak"), Option("l2", "Pine"), Option("r1", "Hard"), Option("r2", "Soft")),
            {"l1": "r1", "l2": "r2"},
        ),
        {"l1": "r1", "l2": "r2"},
        True,
    ),
    (ItemRef("q7", ItemType.SHORT_TEXT, "Name the tree", (), ["oak", "Quercus"]), "Oak", True),
    (ItemRef("q8", ItemType.PRACTICAL, "Plane a board and upload a photo."), "board.jpg uploaded", None),
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
