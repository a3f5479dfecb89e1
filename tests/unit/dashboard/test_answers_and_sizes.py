"""A response in words for the teacher (pure), and file sizes in human units (Babel)."""

from __future__ import annotations

from typing import Any

import pytest

from lti_tool.catalogue.items import Item, parse_item
from lti_tool.dashboard.answers import in_words
from lti_tool.dashboard.sizes import human_size

OPTIONS = [{"id": "a", "text": {"en": "Reuse", "it": "Riuso"}}, {"id": "b", "text": "Recycle"}]


def item(kind: str, **fields: Any) -> Item:
    """The typed item of a unit-file item (as the catalogue parses it)."""
    return parse_item({"id": "q", "type": kind, "prompt": "?", **fields}, "lo1")


def test_choices_become_their_texts_in_the_teachers_language() -> None:
    assert in_words(item("single_choice", options=OPTIONS, answer="b"), "a", "it") == "Riuso"
    assert in_words(item("ordering", options=OPTIONS, answer=["a", "b"]), ["b", "a"], "en") == "Recycle → Reuse"
    assert in_words(item("multiple_response", options=OPTIONS, answer=["a"]), ["a", "b"], "en") == "Reuse; Recycle"
    matching = item("matching", options=OPTIONS, targets=[{"id": "x", "text": "Rethink"}], answer={"a": "x"})
    assert in_words(matching, {"a": "x"}, "en") == "Reuse → Rethink"
    assert in_words(item("true_false", answer=True), False, "fr", yes="vrai", no="faux") == "faux"
    assert in_words(item("numeric", unit="kWh", answer={"value": 3, "tolerance": 0}), 3.5, "en") == "3.5 kWh"
    assert in_words(item("numeric", answer={"value": 3, "tolerance": 0}), 3.0, "en") == "3"
    practical = item("practical", rubric=[{"id": "c", "text": "Complete", "points": 2}])
    assert in_words(practical, {"text": "Sorted.", "upload": "u1"}, "en") == "Sorted."
    assert in_words(item("short_text", answer=["oak"]), None, "en") == "–"
    assert in_words(item("short_text", answer=["oak"]), ["oak", "Quercus"], "en") == "oak / Quercus"


@pytest.mark.parametrize(("size", "locale", "text"), [
    (45, "en", "45 byte"), (1536, "fr", "1,5 ko"), (2_300_000, "it", "2,3 MB"), (0, "en", "0 byte"),
])
def test_sizes_in_human_units(size: int, locale: str, text: str) -> None:
    assert human_size(size, locale).replace("\u202f", " ").replace("\xa0", " ") == text
