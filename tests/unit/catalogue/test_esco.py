"""ESCO labels in the teacher's language: ESCO's own rows from standards/esco/, else English marked "en"."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import yaml

from lti_tool.catalogue.esco import EscoLabel, esco_label, esco_translations
from lti_tool.locales import SUPPORTED_LOCALES
from lti_tool.settings import PROJECT_ROOT
from tests.conftest import STANDARDS

ESCO = STANDARDS / "esco"
FOREST = "http://data.europa.eu/esco/skill/41de7eb8-be07-4822-ba85-b76e9b8d6e4e"  # sustainable forest management
# v1.1.2 called it "monitor environmental parameters": its French label names the old wording.
RENAMED = "http://data.europa.eu/esco/skill/3d69b305-4051-4c1d-ba1e-d8c5b35e22db"


def labels(path: Path) -> dict[str, str]:
    """conceptUri -> preferredLabel of one ESCO CSV as published."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["conceptUri"]: row["preferredLabel"].strip() for row in csv.DictReader(handle)}


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _rows(lang: str) -> list[tuple[tuple[int, ...], dict[str, tuple[str, str]]]]:
    """Per release copied here: conceptUri -> (that release's English label, its label in ``lang``)."""
    releases = []
    for path in ESCO.glob(f"greenSkillsCollection_{lang}_v*.rows.csv"):
        version = path.name.removeprefix(f"greenSkillsCollection_{lang}_v").removesuffix(".rows.csv")
        english_rows = ESCO / f"greenSkillsCollection_en_v{version}.rows.csv"
        english = labels(english_rows if english_rows.exists() else ESCO / f"greenSkillsCollection_en_v{version}.csv")
        rows = {uri: (english.get(uri, ""), label) for uri, label in labels(path).items()}
        releases.append((_release(version), rows))
    for path in ESCO.glob("localApiSkills_v*.rows.json"):
        version = path.name.removeprefix("localApiSkills_v").removesuffix(".rows.json")
        skills = json.loads(path.read_text(encoding="utf-8"))
        releases.append((_release(version), {
            skill["uri"]: (skill["prefLabel"].get("en", "").strip(), skill["prefLabel"][lang].strip())
            for skill in skills if lang in skill["prefLabel"]}))
    return sorted(releases, key=lambda release: release[0])


def official(lang: str) -> dict[str, str]:
    """ESCO's labels in ``lang`` (one of the tool's languages) from every release copied here whose English label is
    v1.2.0's, a newer release's label replacing an older one's."""
    if lang not in SUPPORTED_LOCALES or lang == "en":
        return {}
    current = labels(ESCO / "greenSkillsCollection_en_v1.2.0.csv")
    found: dict[str, str] = {}
    for _release_number, rows in _rows(lang):
        found |= {uri: label for uri, (english, label) in rows.items() if english == current.get(uri)}
    return found


def cited() -> set[str]:
    """Every ESCO skill the shipped units cite."""
    return {uri for path in (PROJECT_ROOT / "content" / "units").glob("*.yaml")
            for outcome in yaml.safe_load(path.read_text(encoding="utf-8"))["outcomes"] for uri in outcome["esco"]}


def test_the_shipped_translations_are_exactly_escos_rows() -> None:
    shipped = esco_translations()
    languages = {lang for lang in SUPPORTED_LOCALES if official(lang)}
    assert set(shipped) == languages and {"fr", "es", "fi"} <= languages
    for lang in languages:
        assert shipped[lang] == official(lang), lang


def test_only_the_rows_of_the_skills_the_units_cite_are_copied() -> None:
    units = cited()
    assert len(units) == 38
    for path in ESCO.glob("*.rows.csv"):
        assert set(labels(path)) <= units, path.name
    for path in ESCO.glob("*.rows.json"):
        assert {skill["uri"] for skill in json.loads(path.read_text(encoding="utf-8"))} <= units, path.name


def test_how_many_skills_have_escos_label_in_each_language() -> None:
    # es: ESCO v1.2.0 itself, so every cited skill. fr (v1.1.2) and fi (v1.1.1): the 34 skills of those releases'
    # green collection less the 2 whose English label changed by v1.2.0.
    counts = {lang: len(official(lang).keys() & cited()) for lang in SUPPORTED_LOCALES}
    assert counts == {"en": 0, "it": 0, "es": 38, "fi": 32, "bg": 0, "fr": 32, "nl": 0}


def test_a_label_in_the_asked_language_else_english_marked_en() -> None:
    english = labels(ESCO / "greenSkillsCollection_en_v1.2.0.csv")
    french = official("fr")
    assert esco_label(FOREST, "fr") == EscoLabel(french[FOREST], "fr")
    assert esco_label(FOREST, "fr-BE") == EscoLabel(french[FOREST], "fr")  # a locale picks its language
    assert french[FOREST] != english[FOREST]
    assert esco_label(RENAMED, "fr") == EscoLabel(english[RENAMED], "en")
    assert esco_label(RENAMED, "fi") == EscoLabel(english[RENAMED], "en")  # v1.1.1 too had the old wording
    assert esco_label(RENAMED, "es") == EscoLabel(official("es")[RENAMED], "es")  # v1.2.0 has the new one
    for lang in (*SUPPORTED_LOCALES, "", "sv"):
        ours = official(lang)
        expected = EscoLabel(ours[FOREST], lang) if FOREST in ours else EscoLabel(english[FOREST], "en")
        assert esco_label(FOREST, lang) == expected, lang
    assert {lang for lang in SUPPORTED_LOCALES if esco_label(FOREST, lang).lang == lang} == {"en", "es", "fi", "fr"}
    assert esco_label("http://data.europa.eu/esco/skill/not-known", "fr") == EscoLabel("not-known", "en")
