"""Issue 15's unit format: workload, translation files, figures, completeness, and the authoring rules."""

from __future__ import annotations

import copy
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from lti_tool.catalogue.rendering import figure_src
from lti_tool.catalogue.schema import UnitFileError, read_unit_file, validate_unit_document
from lti_tool.catalogue.unit_assets import FIGURE_FILES_KEY, svg_problems
from lti_tool.catalogue.unit_quality import answer_leaks, quality_warnings, study_words
from lti_tool.catalogue.unit_texts import completeness, content_language, missing_texts

from .test_schema import minimal_unit, problems

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 40">'
       '<rect x="1" y="1" width="98" height="38" fill="#eee"/><text x="5" y="25">{{start}}</text></svg>')


def write_unit(folder: Path, doc: dict[str, Any], **extra: str) -> Path:
    """Write a unit file, plus extra files named by their path under the folder."""
    path = folder / f"{doc['slug']}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for name, text in extra.items():
        target = folder / name.replace("__", "/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return path


def with_figure(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["sections"][0]["figures"] = [{"id": "flow", "file": "flow.svg", "alt": "A box", "caption": "The start",
                                      "labels": {"start": "Start"}}]
    return doc


# --- workload -------------------------------------------------------------------------------------


def test_a_workload_that_does_not_add_up_is_an_error_naming_the_sum() -> None:
    doc = minimal_unit()
    doc["workload"] = {"study": 10, "exercises": 6, "practical": 6, "assessment": 2}
    (error,) = [e for e in problems(doc) if e.field == "workload"]
    assert "= 24 h, but workload_hours is 25" in error.message
    doc["workload"]["assessment"] = 3
    validate_unit_document(doc)


def test_ects_outside_25_to_30_hours_per_credit_is_a_warning() -> None:
    doc = minimal_unit()
    doc["ects"] = 2
    assert any(w.field == "ects" and "12.5 h per credit" in w.message for w in quality_warnings(doc))
    doc["ects"] = 1
    assert not any(w.field == "ects" for w in quality_warnings(doc))


def test_an_activity_needs_its_minutes_and_a_worked_example_names_real_outcomes() -> None:
    doc = minimal_unit()
    doc["sections"].append({"id": "act", "kind": "activity", "title": "Go", "body": "Walk."})
    doc["sections"].append({"id": "we", "kind": "worked_example", "title": "W", "body": "x", "outcomes": ["o9"]})
    fields = {e.field for e in problems(doc)}
    assert "sections[1].minutes" in fields and "sections[2].outcomes[0]" in fields


# --- authoring rules ------------------------------------------------------------------------------


def test_the_rules_name_every_shortfall_of_a_thin_unit() -> None:
    messages = [f"{w.field}: {w.message}" for w in quality_warnings(minimal_unit())]
    text = "\n".join(messages)
    assert "workload: is missing" in text
    assert "outcomes[0].items: has 3 items; an outcome needs at least 6" in text
    assert "outcomes[0].items[0].feedback: is missing" in text
    assert "outcomes[1].items[0].unit: is missing" in text  # numeric without unit
    assert "outcomes[1]: has numeric items but no worked_example" in text
    assert "words of English study text" in text and "no case_study" in text and "no figure" in text


def test_study_words_ignore_markdown_markup() -> None:
    doc = minimal_unit()
    doc["sections"] = [{"id": "a", "title": "T", "body": "## Heading\n\n**Bold** words, *and* `code` here."}]
    assert study_words(doc) == 6


def test_a_short_text_answer_in_another_items_prompt_is_a_leak_in_any_language() -> None:
    doc = minimal_unit()
    doc["outcomes"][0]["items"][0]["prompt"] = {"en": "Pick", "it": "Secondo la EN 335, quale classe?"}
    (leak,) = answer_leaks(doc)
    assert leak.field == "outcomes[2].items[0].answer[0]" and "'sc'" in leak.message
    # The item's own prompt may name it, and a longer word that merely contains it is no leak.
    doc["outcomes"][0]["items"][0]["prompt"] = "Pick EN 3350"
    doc["outcomes"][2]["items"][0]["prompt"] = "Name EN 335"
    assert answer_leaks(doc) == []


def test_the_shipped_units_give_no_answer_away() -> None:
    folder = Path(__file__).resolve().parents[3] / "content" / "units"
    for path in sorted(folder.glob("*.yaml")):
        if path.stem.startswith(("wood-", "agrofood-")):
            assert answer_leaks(read_unit_file(path)) == [], path.name


# --- languages ------------------------------------------------------------------------------------


def test_completeness_counts_every_learner_visible_text() -> None:
    doc = minimal_unit()
    given, total = completeness(doc)["it"]
    assert (given, total) == (1, total) and total > 20  # only the title is in Italian
    assert "summary" in missing_texts(doc, "it") and "outcomes[0].items[0].options[0].text" in missing_texts(doc, "it")


def test_a_declared_language_must_be_complete_and_listed() -> None:
    doc = minimal_unit()
    doc["translations"] = {"it": {"status": "machine-assisted, needs review"}}
    doc["languages"] = ["en", "it"]
    error = next(e for e in problems(doc) if e.field == "translations.it")
    assert "not given in it: summary" in error.message
    doc["languages"] = ["en"]
    assert any(e.field == "languages" for e in problems(doc))


def test_a_reviewed_translation_names_its_reviewer() -> None:
    doc = minimal_unit()
    doc["translations"] = {"it": {"status": "reviewed"}}
    assert any(e.field == "translations.it.reviewer" for e in problems(doc))


def test_the_page_language_falls_back_to_english_unless_the_unit_is_complete() -> None:
    doc = minimal_unit()
    assert content_language(doc, "it") == "en"
    doc["translations"] = {"it": {"status": "machine-assisted, needs review"}}
    assert content_language(doc, "it-IT") == "it" and content_language(doc, "fi") == "en"


def test_a_translation_file_is_merged_by_id_and_completes_the_language(tmp_path: Path) -> None:
    doc = with_figure(minimal_unit())
    doc["title"] = "Demo"
    doc["translations"] = {"it": {"status": "machine-assisted, needs review"}}
    doc["languages"] = ["en", "it"]
    overlay: dict[str, Any] = {
        "title": "Dimostrazione", "summary": "Unità", "assessment_type": "Test", "quality_assurance": "Rivisto",
        "sections": {"s1": {"title": "Intro", "body": "Testo", "figures": {"flow": {
            "alt": "Una scatola", "caption": "L'inizio", "labels": {"start": "Inizio"}}}}},
        "outcomes": {},
    }
    for outcome in doc["outcomes"]:
        items: dict[str, Any] = {}
        for item in outcome["items"]:
            entry: dict[str, Any] = {"prompt": "P"}
            for kind in ("options", "targets"):
                if kind in item:
                    entry[kind] = {c["id"]: "T" for c in item[kind]}
            if "rubric" in item:
                entry["rubric"] = {c["id"]: {"text": "R"} for c in item["rubric"]}
            items[item["id"]] = entry
        overlay["outcomes"][outcome["id"]] = {"title": "Esito", "items": items}
    path = write_unit(tmp_path, doc, **{"figures__demo-unit__flow.svg": SVG,
                                        "translations__demo-unit.it.yaml": yaml.safe_dump(overlay)})
    loaded = read_unit_file(path)
    assert loaded["sections"][0]["figures"][0]["labels"]["start"] == {"en": "Start", "it": "Inizio"}
    assert loaded[FIGURE_FILES_KEY] == {"flow.svg": SVG}
    assert completeness(loaded)["it"][0] == completeness(loaded)["it"][1]
    # An id the unit does not have, or a text given twice, is named with the translation file.
    overlay["outcomes"]["nope"] = {"title": "x"}
    overlay["title"] = "Altro"
    (tmp_path / "translations" / "demo-unit.it.yaml").write_text(yaml.safe_dump(overlay), encoding="utf-8")
    doc["title"] = {"en": "Demo", "it": "Dimostrazione"}
    write_unit(tmp_path, doc)
    with pytest.raises(UnitFileError) as caught:
        read_unit_file(path)
    fields = [e.field for e in caught.value.errors]
    assert "translations/demo-unit.it.yaml: outcomes.nope" in fields
    assert "translations/demo-unit.it.yaml: title" in fields


# --- figures --------------------------------------------------------------------------------------


def test_a_missing_figure_file_or_label_is_an_error(tmp_path: Path) -> None:
    doc = with_figure(minimal_unit())
    with pytest.raises(UnitFileError) as caught:
        read_unit_file(write_unit(tmp_path, doc))
    assert "figures/demo-unit/flow.svg does not exist" in str(caught.value)
    doc["sections"][0]["figures"][0]["labels"] = {}
    with pytest.raises(UnitFileError) as caught:
        read_unit_file(write_unit(tmp_path, doc, **{"figures__demo-unit__flow.svg": SVG}))
    assert "uses {{start}} but the figure has no such label" in str(caught.value)


@pytest.mark.parametrize("svg, problem", [
    ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><script>alert(1)</script></svg>', "<script>"),
    ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" onload="x()"/>', "'onload'"),
    ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><foreignObject/></svg>', "<foreignObject>"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink" viewBox="0 0 1 1">'
     '<use x:href="https://evil.example/a.svg#x"/></svg>', "only references inside the file"),
    ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect fill="url(https://e.example/p)"/></svg>',
     "refers outside the file"),
    ('<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"/>', "DOCTYPE"),
    ('<svg xmlns="http://www.w3.org/2000/svg"/>', "viewBox"),
    ("<svg", "well-formed"),
])
def test_only_plain_drawings_pass_the_svg_check(svg: str, problem: str) -> None:
    assert any(problem in p for p in svg_problems(svg))


def test_a_figure_is_an_image_uri_with_escaped_labels() -> None:
    import base64

    src = figure_src(SVG, {"start": "<b>&</b>"})
    assert src.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(src.split(",", 1)[1]).decode()
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in svg and "{{" not in svg
    assert svg_problems(svg) == []


def test_the_unit_format_is_documented_with_every_field() -> None:
    guide = (Path(__file__).resolve().parents[3] / "docs" / "authoring.md").read_text(encoding="utf-8")
    for name in ("workload", "translations", "figures", "labels", "worked_example", "case_study", "activity",
                 "minutes", "references", "levels", "--strict", "content check", "content load"):
        assert name in guide, name
    assert textwrap.dedent(guide)
