"""Unit-file format: the content in content/units, field-level error reports, hashing and localisation."""

from __future__ import annotations

import copy
import csv
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.catalogue.schema import (
    FieldError,
    UnitFileError,
    content_hash,
    iter_unit_files,
    read_unit_file,
    unit_schema,
    validate_unit_document,
)
from lti_tool.catalogue.unit_texts import localized
from tests.conftest import STANDARDS

REPO = Path(__file__).resolve().parents[3]
UNITS_DIR = REPO / "content" / "units"
ESCO_CSV = STANDARDS / "esco" / "greenSkillsCollection_en_v1.2.0.csv"
UNIT_FILES = iter_unit_files(UNITS_DIR)
AUTO_TYPES = {"single_choice", "multiple_response", "true_false", "numeric", "ordering", "matching", "short_text"}
SKILL = "http://data.europa.eu/esco/skill/6044d62b-7499-4c5d-81ae-2fea443013b2"


def minimal_unit() -> dict[str, Any]:
    """A small valid unit, built here so the error tests do not depend on the shipped content."""
    choice = [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}, {"id": "c", "text": "C"}]
    items = [
        {"id": "sc", "type": "single_choice", "prompt": "Pick", "options": choice, "answer": "a"},
        {"id": "mr", "type": "multiple_response", "prompt": "Pick", "options": choice, "answer": ["a", "c"]},
        {"id": "tf", "type": "true_false", "prompt": "True?", "answer": True},
        {"id": "nu", "type": "numeric", "prompt": "How many?", "answer": {"value": 4, "tolerance": 0.5}},
        {"id": "or", "type": "ordering", "prompt": "Order", "options": choice, "answer": ["c", "a", "b"]},
        {
            "id": "ma",
            "type": "matching",
            "prompt": "Match",
            "options": choice[:2],
            "targets": [{"id": "x", "text": "X"}, {"id": "y", "text": "Y"}],
            "answer": {"a": "y", "b": "x"},
        },
        {"id": "st", "type": "short_text", "prompt": "Name it", "answer": ["EN 335", "EN335"]},
        {
            "id": "pr",
            "type": "practical",
            "prompt": "Do it",
            "rubric": [{"id": "r1", "text": "Done well", "points": 2}],
        },
    ]
    return {
        "slug": "demo-unit",
        "version": "1.0.0",
        "sector": "wood",
        "title": {"en": "Demo", "it": "Dimostrazione"},
        "summary": "A demo unit.",
        "eqf_level": 5,
        "workload_hours": 25,
        "ects": 1,
        "esco": [SKILL],
        "participation": "online",
        "assessment_type": "Online test",
        "quality_assurance": "Peer reviewed.",
        "sections": [{"id": "s1", "title": "Intro", "body": "# Hello\n\nText."}],
        "outcomes": [
            {"id": "o1", "title": "Explain A", "esco": [SKILL], "threshold": 0.7, "items": items[:3]},
            {"id": "o2", "title": "Apply B", "esco": [SKILL], "threshold": 0.7, "items": items[3:6]},
            {"id": "o3", "title": "Assess C", "esco": [SKILL], "threshold": 0.5, "items": items[6:]},
        ],
    }


def problems(doc: Any) -> list[FieldError]:
    with pytest.raises(UnitFileError) as caught:
        validate_unit_document(doc, source="test.yaml")
    assert caught.value.path == "test.yaml"
    return caught.value.errors


def item(doc: dict[str, Any], item_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(i for o in doc["outcomes"] for i in o["items"] if i["id"] == item_id)
    return found


# --- shipped content ------------------------------------------------------------------------------


def test_there_is_content_and_the_launch_unit_exists() -> None:
    assert UNIT_FILES, f"no unit files in {UNITS_DIR}"
    assert UNITS_DIR / "wood-chain-of-custody.yaml" in UNIT_FILES


@pytest.mark.parametrize("path", UNIT_FILES, ids=lambda p: p.stem)
def test_every_unit_file_validates_and_meets_the_authoring_rules(path: Path) -> None:
    doc = read_unit_file(path)
    assert doc["slug"] == path.stem
    assert 3 <= len(doc["outcomes"]) <= 5
    for outcome in doc["outcomes"]:
        assert len(outcome["items"]) >= 3, f"{outcome['id']} needs at least 3 items"
    assert localized(doc["title"], "en")


def test_the_launch_unit_uses_every_auto_scored_item_type() -> None:
    doc = read_unit_file(UNITS_DIR / "wood-chain-of-custody.yaml")
    types = {i["type"] for o in doc["outcomes"] for i in o["items"]}
    assert types == AUTO_TYPES
    assert {"en", "it", "es"} <= set(doc["title"]) and {"en", "it", "es"} <= set(doc["summary"])


def test_most_units_are_fully_auto_scored_and_every_sector_is_covered() -> None:
    docs = [read_unit_file(path) for path in UNIT_FILES]
    auto = [d for d in docs if all(i["type"] in AUTO_TYPES for o in d["outcomes"] for i in o["items"])]
    assert len(auto) * 3 >= len(docs) * 2, "at least two thirds (8 of 12) must be fully auto-scored"
    if len(docs) >= 12:
        assert {d["sector"] for d in docs} == {"wood", "agrofood", "building", "manufacturing"}


def test_every_esco_uri_in_the_content_exists_in_the_esco_green_collection() -> None:
    with ESCO_CSV.open(encoding="utf-8", newline="") as handle:
        known = {row["conceptUri"] for row in csv.DictReader(handle)}
    assert len(known) == 591
    for path in UNIT_FILES:
        doc = read_unit_file(path)
        used = set(doc["esco"]) | {uri for o in doc["outcomes"] for uri in o["esco"]}
        assert used <= known, f"{path.name}: unknown ESCO URIs {sorted(used - known)}"


# --- error reports ---------------------------------------------------------------------------------


def test_the_minimal_unit_is_valid_and_the_schema_is_draft_2020_12() -> None:
    validate_unit_document(minimal_unit())
    assert unit_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("wrong type", lambda d: d.update(eqf_level="5"), "eqf_level", "must be a whole number"),
    ("out of range", lambda d: d.update(eqf_level=9), "eqf_level", "at most 8"),
    ("missing field", lambda d: d.pop("slug"), "slug", "is required"),
    ("bad sector", lambda d: d.update(sector="textile"), "sector", "must be one of"),
    ("bad slug", lambda d: d.update(slug="Demo_Unit"), "slug", "lowercase"),
    (
        "missing en",
        lambda d: d["outcomes"][1].update(title={"it": "Applicare"}),
        "outcomes[1].title.en",
        "English text ('en') is required",
    ),
    ("text of wrong type", lambda d: d.update(summary=["a"]), "summary", "a string, or a map"),
    ("bad language key", lambda d: d.update(summary={"en": "x", "Italian": "y"}), "summary", "language code"),
    (
        "answer not an option",
        lambda d: item(d, "sc").update(answer="z"),
        "outcomes[0].items[0].answer",
        "'z' is not one of the option ids (a, b, c)",
    ),
    (
        "response id not an option",
        lambda d: item(d, "mr").update(answer=["a", "q"]),
        "outcomes[0].items[1].answer[1]",
        "'q' is not one of the option ids",
    ),
    (
        "ordering not a permutation",
        lambda d: item(d, "or").update(answer=["a", "a", "b"]),
        "outcomes[1].items[1].answer",
        "repeated a; missing c",
    ),
    (
        "matching target unknown",
        lambda d: item(d, "ma")["answer"].update(b="w"),
        "outcomes[1].items[2].answer.b",
        "'w' is not one of the target ids",
    ),
    (
        "matching left unmatched",
        lambda d: item(d, "ma")["answer"].pop("b"),
        "outcomes[1].items[2].answer",
        "gives no target for option(s) b",
    ),
    (
        "duplicate item id",
        lambda d: item(d, "tf").update(id="sc"),
        "outcomes[0].items[2].id",
        "duplicate id 'sc' (already used at outcomes[0].items[0])",
    ),
    ("duplicate outcome id", lambda d: d["outcomes"][2].update(id="o1"), "outcomes[2].id", "duplicate id 'o1'"),
    (
        "duplicate option id",
        lambda d: item(d, "sc")["options"][2].update(id="a"),
        "outcomes[0].items[0].options[2].id",
        "duplicate id 'a'",
    ),
    ("bad ESCO URI", lambda d: d["esco"].append("http://example.org/skill/1"), "esco[1]", "ESCO skill URI"),
    (
        "outcome ESCO outside the unit",
        lambda d: d["outcomes"][0]["esco"].append(SKILL.replace("6044", "7044")),
        "outcomes[0].esco[1]",
        "not listed in the unit's esco list",
    ),
    (
        "true_false with a string",
        lambda d: item(d, "tf").update(answer="yes"),
        "outcomes[0].items[2].answer",
        "must be true or false",
    ),
    (
        "numeric without tolerance",
        lambda d: item(d, "nu")["answer"].pop("tolerance"),
        "outcomes[1].items[0].answer.tolerance",
        "is required",
    ),
    (
        "options on true_false",
        lambda d: item(d, "tf").update(options=[{"id": "a", "text": "A"}] * 2),
        "outcomes[0].items[2].options",
        "not used by items of type 'true_false'",
    ),
    (
        "practical with an answer",
        lambda d: item(d, "pr").update(answer="x"),
        "outcomes[2].items[1].answer",
        "not used by items of type 'practical'",
    ),
    ("practical without rubric", lambda d: item(d, "pr").pop("rubric"), "outcomes[2].items[1].rubric", "is required"),
    ("unknown field", lambda d: d["outcomes"][0].update(thresold=0.5), "outcomes[0].thresold", "not a known field"),
    ("too few outcomes", lambda d: d["outcomes"].pop(), "outcomes", "needs at least 3 entries (has 2)"),
    (
        "outcome without items",
        lambda d: d["outcomes"][0].update(items=[]),
        "outcomes[0].items",
        "needs at least 1 entry",
    ),
    ("threshold above 1", lambda d: d["outcomes"][0].update(threshold=1.5), "outcomes[0].threshold", "at most 1"),
    (
        "policy asks for more items than an outcome has",
        lambda d: d.update(policy={"items_per_outcome": 3}),
        "policy.items_per_outcome",
        "outcomes[2] (o3) has only 2",
    ),
]


@pytest.mark.parametrize(("mutate", "field", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_each_broken_field_is_reported_with_its_path_and_a_sentence(
    mutate: Callable[[dict[str, Any]], None], field: str, message: str
) -> None:
    doc = minimal_unit()
    mutate(doc)
    found = problems(doc)
    assert any(e.field == field and message in e.message for e in found), found


def test_all_problems_of_a_document_are_reported_together() -> None:
    doc = minimal_unit()
    doc["ects"] = -1
    doc["title"] = {"es": "Demostración"}
    item(doc, "sc")["answer"] = "z"
    fields = {e.field for e in problems(doc)}
    assert {"ects", "title.en", "outcomes[0].items[0].answer"} <= fields


def test_extension_fields_starting_with_x_are_allowed() -> None:
    doc = minimal_unit()
    doc["x-reviewed-by"] = "Ada"
    item(doc, "sc")["x-source"] = "FSC-STD-40-004"
    validate_unit_document(doc)


def test_a_document_that_is_not_a_mapping_is_rejected() -> None:
    assert problems(["slug"])[0].message.startswith("the unit must be a mapping")


# --- files ---------------------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "demo-unit.yaml",
        """\
        slug: demo-unit
        version: "1.0.0"
        title: [unclosed
        sector: wood
        """,
    )
    with pytest.raises(UnitFileError) as caught:
        read_unit_file(path)
    [error] = caught.value.errors
    assert caught.value.path == str(path)
    assert error.line == 4 and "YAML syntax error at line 4" in error.message
    assert str(path) in str(caught.value)


def test_duplicate_yaml_keys_are_an_error_not_a_silent_overwrite(tmp_path: Path) -> None:
    path = write(tmp_path, "demo-unit.yaml", "slug: demo-unit\nversion: '1'\nslug: other\n")
    with pytest.raises(UnitFileError) as caught:
        read_unit_file(path)
    [error] = caught.value.errors
    assert error.line == 3 and "duplicate key 'slug' (first used at line 1)" in error.message


def test_slug_must_equal_the_file_stem(tmp_path: Path) -> None:
    import yaml

    path = write(tmp_path, "other-name.yaml", yaml.safe_dump(minimal_unit(), allow_unicode=True))
    with pytest.raises(UnitFileError) as caught:
        read_unit_file(path)
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("slug", "must equal the file name 'other-name' (found 'demo-unit')")
    ]
    renamed = path.rename(tmp_path / "demo-unit.yaml")
    assert read_unit_file(renamed) == minimal_unit()


def test_empty_and_missing_files_give_a_unit_file_error(tmp_path: Path) -> None:
    with pytest.raises(UnitFileError, match="empty file"):
        read_unit_file(write(tmp_path, "empty.yaml", ""))
    with pytest.raises(UnitFileError, match="cannot read the file"):
        read_unit_file(tmp_path / "absent.yaml")


def test_iter_unit_files_lists_yaml_files_sorted(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.yaml", "notes.md", "c.yml"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "d.yaml").mkdir()
    assert [p.name for p in iter_unit_files(tmp_path)] == ["a.yaml", "b.yaml"]
    with pytest.raises(FileNotFoundError):
        iter_unit_files(tmp_path / "missing")


def test_content_hash_ignores_key_order_but_not_content() -> None:
    doc = minimal_unit()
    reordered = dict(reversed(list(copy.deepcopy(doc).items())))
    assert content_hash(doc) == content_hash(reordered)
    assert len(content_hash(doc)) == 64
    item(reordered, "sc")["answer"] = "b"
    assert content_hash(doc) != content_hash(reordered)


# --- localized ---------------------------------------------------------------------------------------

LANG = st.from_regex(r"[a-z]{2}", fullmatch=True)
REGION = st.from_regex(r"[A-Z]{2}", fullmatch=True)
TEXT_MAP = st.dictionaries(LANG, st.text(min_size=1), max_size=5).flatmap(
    lambda extra: st.builds(lambda en: {**extra, "en": en}, st.text(min_size=1))
)


@given(text=st.text(), lang=LANG)
def test_localized_returns_a_plain_string_unchanged(text: str, lang: str) -> None:
    assert localized(text, lang) == text


@given(text=TEXT_MAP, lang=LANG, region=REGION, sep=st.sampled_from(["-", "_"]))
def test_localized_prefers_exact_then_base_language_then_english(
    text: dict[str, str], lang: str, region: str, sep: str
) -> None:
    tag = f"{lang}{sep}{region}"
    expected = text[lang] if lang in text else text["en"]
    assert localized(text, tag) == expected
    assert localized(text, lang) == expected
    assert localized({**text, f"{lang}-{region}": "regional"}, f"{lang}-{region}") == "regional"
    assert localized(text, tag) in text.values()


def test_localized_matches_tags_case_insensitively_and_uses_a_region_variant_for_a_bare_language() -> None:
    text = {"en": "Hello", "pt-BR": "Olá", "fi": "Hei"}
    assert localized(text, "FI-fi") == "Hei"
    assert localized(text, "pt") == "Olá"
    assert localized(text, "de") == "Hello"
