"""A response in words for the teacher (pure), and file sizes in human units (Babel)."""

from __future__ import annotations

import pytest

from lti_tool.dashboard.answers import in_words
from lti_tool.dashboard.sizes import human_size

OPTIONS = [{"id": "a", "text": {"en": "Reuse", "it": "Riuso"}}, {"id": "b", "text": "Recycle"}]


def test_choices_become_their_texts_in_the_teachers_language() -> None:
    assert in_words({"type": "single_choice", "options": OPTIONS}, "a", "it") == "Riuso"
    assert in_words({"type": "ordering", "options": OPTIONS}, ["b", "a"], "en") == "Recycle → Reuse"
    assert in_words({"type": "multiple_response", "options": OPTIONS}, ["a", "b"], "en") == "Reuse; Recycle"
    matching = {"type": "matching", "options": OPTIONS, "targets": [{"id": "x", "text": "Rethink"}]}
    assert in_words(matching, {"a": "x"}, "en") == "Reuse → Rethink"
    assert in_words({"type": "true_false"}, False, "fr", yes="vrai", no="faux") == "faux"
    assert in_words({"type": "numeric", "unit": "kWh"}, 3.5, "en") == "3.5 kWh"
    assert in_words({"type": "practical"}, {"text": "Sorted.", "upload": "u1"}, "en") == "Sorted."
    assert in_words({"type": "short_text"}, None, "en") == "–"


@pytest.mark.parametrize(("size", "locale", "text"), [
    (45, "en", "45 byte"), (1536, "fr", "1,5 ko"), (2_300_000, "it", "2,3 MB"), (0, "en", "0 byte"),
])
def test_sizes_in_human_units(size: int, locale: str, text: str) -> None:
    assert human_size(size, locale).replace("\u202f", " ").replace("\xa0", " ") == text
