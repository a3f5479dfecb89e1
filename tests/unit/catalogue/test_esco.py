"""ESCO labels in the reader's language: ESCO's own rows from standards/esco/, else English marked "en".

No official ESCO rows in another language ship today (standards/esco/README.txt says why and how to add them), so
the shipped labels are checked against the standards folder as it is, and the way rows become labels is checked on
rows written here for the test: they are marked as test rows and never shipped.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from lti_tool.catalogue import esco
from lti_tool.catalogue.esco import EscoLabel, esco_label, esco_labels, esco_translations
from lti_tool.locales import SUPPORTED_LOCALES
from lti_tool.settings import PROJECT_ROOT
from tests.conftest import STANDARDS

ESCO = STANDARDS / "esco"
CSV_HEADER = ["conceptType", "conceptUri", "preferredLabel"]
FOREST = "http://data.europa.eu/esco/skill/41de7eb8-be07-4822-ba85-b76e9b8d6e4e"  # sustainable forest management
# ESCO v1.1.x called it "monitor environmental parameters"; v1.2.0 "monitor manufacturing impact".
RENAMED = "http://data.europa.eu/esco/skill/3d69b305-4051-4c1d-ba1e-d8c5b35e22db"


def labels(path: Path, *, strip: bool = True) -> dict[str, str]:
    """conceptUri -> preferredLabel of one ESCO CSV (as published, a few with a trailing space, if not ``strip``)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["conceptUri"]: row["preferredLabel"].strip() if strip else row["preferredLabel"]
                for row in csv.DictReader(handle)}


ENGLISH = labels(ESCO / "greenSkillsCollection_en_v1.2.0.csv", strip=False)  # what the tool shows


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def official(lang: str, folder: Path = ESCO) -> dict[str, str]:
    """ESCO's labels in ``lang`` from every release in ``folder`` whose English label is v1.2.0's, a newer release's
    label replacing an older one's (read here independently of scripts/esco_labels.py)."""
    if lang not in SUPPORTED_LOCALES or lang == "en":
        return {}
    releases: list[tuple[tuple[int, ...], dict[str, tuple[str, str]]]] = []
    for path in folder.glob(f"greenSkillsCollection_{lang}_v*.rows.csv"):
        version = path.name.removeprefix(f"greenSkillsCollection_{lang}_v").removesuffix(".rows.csv")
        english_rows = folder / f"greenSkillsCollection_en_v{version}.rows.csv"
        english = labels(english_rows if english_rows.exists() else folder / f"greenSkillsCollection_en_v{version}.csv")
        rows = {uri: (english.get(uri, ""), label) for uri, label in labels(path).items()}
        releases.append((_release(version), rows))
    for path in folder.glob("localApiSkills_v*.rows.json"):
        version = path.name.removeprefix("localApiSkills_v").removesuffix(".rows.json")
        releases.append((_release(version), {
            skill["uri"]: (skill["prefLabel"].get("en", "").strip(), skill["prefLabel"][lang].strip())
            for skill in json.loads(path.read_text(encoding="utf-8")) if lang in skill["prefLabel"]}))
    found: dict[str, str] = {}
    for _version, rows in sorted(releases, key=lambda release: release[0]):
        found |= {uri: label for uri, (english, label) in rows.items() if english == ENGLISH.get(uri, "").strip()}
    return found


def cited() -> set[str]:
    """Every ESCO skill the shipped units cite."""
    return {uri for path in (PROJECT_ROOT / "content" / "units").glob("*.yaml")
            for outcome in yaml.safe_load(path.read_text(encoding="utf-8"))["outcomes"] for uri in outcome["esco"]}


def with_translations(monkeypatch: pytest.MonkeyPatch, translations: dict[str, dict[str, str]]) -> None:
    """Serve these translations as if scripts/esco_labels.py had built them from ESCO rows."""
    data: dict[str, Any] = {**esco._data(), "translations": translations}
    monkeypatch.setattr(esco, "_data", lambda: data)


def test_the_shipped_labels_are_exactly_escos_rows() -> None:
    assert esco_labels() == ENGLISH
    assert esco_translations() == {lang: official(lang) for lang in SUPPORTED_LOCALES if official(lang)}
    units = cited()
    assert len(units) == 38 and units <= set(ENGLISH)
    for path in [*ESCO.glob("*.rows.csv"), *ESCO.glob("*.rows.json")]:  # only rows of skills the units cite
        rows = labels(path) if path.suffix == ".csv" else {s["uri"] for s in json.loads(path.read_text("utf-8"))}
        assert set(rows) <= units, path.name


def test_with_no_esco_rows_in_a_language_every_skill_is_escos_english_marked_en() -> None:
    for lang in (*SUPPORTED_LOCALES, "fr-BE", "", "sv"):
        ours = official(lang.split("-")[0])
        for uri in cited():
            expected = EscoLabel(ours[uri], lang.split("-")[0]) if uri in ours else EscoLabel(ENGLISH[uri], "en")
            assert esco_label(uri, lang) == expected, (lang, uri)
    assert esco_label("http://data.europa.eu/esco/skill/not-known", "fr") == EscoLabel("not-known", "en")


def test_a_label_in_the_asked_language_else_english_marked_en(monkeypatch: pytest.MonkeyPatch) -> None:
    with_translations(monkeypatch, {"fr": {FOREST: "gestion durable des forêts (ligne de test)"}})
    assert esco_label(FOREST, "fr") == EscoLabel("gestion durable des forêts (ligne de test)", "fr")
    assert esco_label(FOREST, "fr-BE") == EscoLabel("gestion durable des forêts (ligne de test)", "fr")
    assert esco_label(FOREST, "FR") == EscoLabel("gestion durable des forêts (ligne de test)", "fr")
    assert esco_label(RENAMED, "fr") == EscoLabel(ENGLISH[RENAMED], "en")  # no French row for it
    for lang in ("it", "en", "", "nl"):
        assert esco_label(FOREST, lang) == EscoLabel(ENGLISH[FOREST], "en"), lang


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("esco_labels_script", PROJECT_ROOT / "scripts" / "esco_labels.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_csv(path: Path, rows: dict[str, str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        writer.writerows(["skill/competence", uri, label] for uri, label in rows.items())


def test_the_script_keeps_a_releases_label_only_where_its_english_is_v1_2_0s(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # Test rows, in the two forms ESCO's downloads take: an older release's CSV (with its own English rows), the
    # v1.2.0 CSV (read next to the whole English file), and a local-API export with several languages per skill.
    (tmp_path / "greenSkillsCollection_en_v1.2.0.csv").write_bytes((ESCO / "greenSkillsCollection_en_v1.2.0.csv")
                                                                    .read_bytes())
    _write_csv(tmp_path / "greenSkillsCollection_en_v1.1.2.rows.csv",
               {FOREST: ENGLISH[FOREST], RENAMED: "monitor environmental parameters"})
    _write_csv(tmp_path / "greenSkillsCollection_fr_v1.1.2.rows.csv",
               {FOREST: "forêt, ligne de test 1.1.2", RENAMED: "paramètres, ligne de test 1.1.2"})
    _write_csv(tmp_path / "greenSkillsCollection_es_v1.2.0.rows.csv", {RENAMED: "impacto, fila de prueba 1.2.0"})
    (tmp_path / "localApiSkills_v1.1.1.rows.json").write_text(json.dumps([
        {"uri": FOREST, "prefLabel": {"en": ENGLISH[FOREST], "fi": "metsä, testirivi", "sv": "skog, testrad",
                                      "fr": "forêt, ligne de test 1.1.1"}},
        {"uri": RENAMED, "prefLabel": {"en": "monitor environmental parameters", "fi": "vanha sanamuoto"}},
    ]), encoding="utf-8")
    script = _script()
    monkeypatch.setattr(script, "ESCO_DIR", tmp_path)
    translations, used = script.build(ENGLISH)
    assert translations == {
        "es": {RENAMED: "impacto, fila de prueba 1.2.0"},  # v1.2.0's own rows: the new wording
        "fi": {FOREST: "metsä, testirivi"},  # the renamed skill's old wording is dropped; Swedish is not ours
        "fr": {FOREST: "forêt, ligne de test 1.1.2"},  # the newer release wins
    }
    assert translations == {lang: official(lang, tmp_path) for lang in ("es", "fi", "fr")}
    assert [line.split(" ")[0] for line in used] == [
        "standards/esco/localApiSkills_v1.1.1.rows.json", "standards/esco/greenSkillsCollection_fr_v1.1.2.rows.csv",
        "standards/esco/greenSkillsCollection_es_v1.2.0.rows.csv"]
