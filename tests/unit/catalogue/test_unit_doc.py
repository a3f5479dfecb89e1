"""The typed unit: every shipped unit parses, the item index matches the document, the model is frozen."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lti_tool.catalogue.models import Unit
from lti_tool.catalogue.schema import iter_unit_files, read_unit_file
from lti_tool.catalogue.unit_doc import AttemptRules, ItemType, parse_unit
from lti_tool.catalogue.unit_texts import complete_languages, content_language

UNITS = [read_unit_file(path) for path in iter_unit_files(Path(__file__).resolve().parents[3] / "content" / "units")]


@pytest.mark.parametrize("raw", UNITS, ids=[u["slug"] for u in UNITS])
def test_every_shipped_unit_parses_with_every_item_in_its_outcome(raw: dict) -> None:
    unit = parse_unit(raw)
    assert unit.slug == raw["slug"] and unit.version == str(raw["version"])
    assert unit.outcome_ids == tuple(str(o["id"]) for o in raw["outcomes"])
    expected = {str(i["id"]): (str(o["id"]), i) for o in raw["outcomes"] for i in o["items"]}
    assert set(unit.items) == set(expected)
    for item_id, (outcome_id, definition) in expected.items():
        item = unit.item(item_id)
        assert item.outcome_id == outcome_id and item.type is ItemType(definition["type"])
        assert item.id == item_id and item.is_practical == (definition["type"] == "practical")
        assert item.prompt == definition["prompt"] and item.feedback == definition.get("feedback", "")
    for outcome in raw["outcomes"]:
        assert unit.outcome(str(outcome["id"])).threshold == float(outcome["threshold"])
    assert [s.id for s in unit.sections] == [str(s["id"]) for s in raw.get("sections") or ()]
    # What a credential and the pilots' figures say about the unit.
    assert (unit.summary, unit.sector, unit.eqf_level, unit.ects, unit.workload_hours, unit.participation) == (
        raw["summary"], raw["sector"], raw["eqf_level"], float(raw["ects"]), float(raw["workload_hours"]),
        raw["participation"])
    assert (unit.assessment_type, unit.quality_assurance) == (raw["assessment_type"], raw["quality_assurance"])
    assert unit.esco_uris == {*raw["esco"], *(uri for o in raw["outcomes"] for uri in o.get("esco", ()))}
    assert unit.offered_languages == tuple(complete_languages(raw))
    for wanted in ("en", "it-IT", "fi", "pt", ""):
        assert unit.content_language(wanted) == content_language(raw, wanted or "en")


def test_the_model_is_frozen() -> None:
    unit = parse_unit(UNITS[0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        unit.slug = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        unit.items["x"] = unit.outcomes[0].items[0]  # type: ignore[index]


def test_a_unit_row_parses_once_and_again_only_when_its_document_is_replaced() -> None:
    row = Unit(slug=UNITS[0]["slug"], version=str(UNITS[0]["version"]), document=UNITS[0])
    first = row.doc
    assert row.doc is first
    row.document = {**UNITS[0], "policy": {"show_correct_answers": True}}
    assert row.doc is not first and row.doc.policy.show_correct_answers is True


def test_the_parsed_unit_is_shared_by_rows_of_the_same_version_and_content() -> None:
    one = Unit(id=10_001, slug=UNITS[0]["slug"], version=str(UNITS[0]["version"]), document=UNITS[0])
    again = Unit(id=10_001, slug=UNITS[0]["slug"], version=str(UNITS[0]["version"]), document=dict(UNITS[0]))
    assert one.content_hash == again.content_hash and one.doc is again.doc  # parsed once per process
    again.document = {**UNITS[0], "policy": {"max_attempts": 1}}  # new content: a new hash, parsed afresh
    assert again.content_hash != one.content_hash and again.doc.policy == AttemptRules(max_attempts=1)
