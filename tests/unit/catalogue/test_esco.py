"""ESCO labels in the teacher's language: ESCO's own rows from standards/esco/, else English marked "en"."""

from __future__ import annotations

import csv
from pathlib import Path

from lti_tool.catalogue.esco import EscoLabel, esco_label, esco_translations
from tests.conftest import STANDARDS

ESCO = STANDARDS / "esco"
FOREST = "http://data.europa.eu/esco/skill/41de7eb8-be07-4822-ba85-b76e9b8d6e4e"  # sustainable forest management
# v1.1.2 called it "monitor environmental parameters": its French label names the old wording.
RENAMED = "http://data.europa.eu/esco/skill/3d69b305-4051-4c1d-ba1e-d8c5b35e22db"


def labels(path: Path) -> dict[str, str]:
    """conceptUri -> preferredLabel of one ESCO CSV as published."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["conceptUri"]: row["preferredLabel"].strip() for row in csv.DictReader(handle)}


def official(lang: str) -> dict[str, str]:
    """ESCO's labels in ``lang`` from every release copied here whose English label is v1.2.0's."""
    current = labels(ESCO / "greenSkillsCollection_en_v1.2.0.csv")
    found: dict[str, str] = {}
    for path in ESCO.glob(f"greenSkillsCollection_{lang}_v*.rows.csv"):
        english = labels(path.with_name(path.name.replace(f"_{lang}_", "_en_")))
        found |= {uri: label for uri, label in labels(path).items() if english.get(uri) == current[uri]}
    return found


def test_the_shipped_translations_are_exactly_escos_rows() -> None:
    shipped = esco_translations()
    languages = {path.name.split("_")[1] for path in ESCO.glob("greenSkillsCollection_*_v*.rows.csv")} - {"en"}
    assert set(shipped) == languages and "fr" in languages
    for lang in languages:
        assert shipped[lang] == official(lang), lang


def test_a_label_in_the_asked_language_else_english_marked_en() -> None:
    english = labels(ESCO / "greenSkillsCollection_en_v1.2.0.csv")
    french = official("fr")
    assert esco_label(FOREST, "fr") == EscoLabel(french[FOREST], "fr")
    assert esco_label(FOREST, "fr-BE") == EscoLabel(french[FOREST], "fr")  # a locale picks its language
    assert french[FOREST] != english[FOREST]
    assert esco_label(RENAMED, "fr") == EscoLabel(english[RENAMED], "en")
    for lang in ("it", "es", "fi", "bg", "nl", "en", ""):
        if FOREST not in official(lang or "en"):
            assert esco_label(FOREST, lang) == EscoLabel(english[FOREST], "en"), lang
    assert esco_label("http://data.europa.eu/esco/skill/not-known", "fr") == EscoLabel("not-known", "en")
