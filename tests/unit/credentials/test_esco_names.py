"""A credential names its ESCO skills in its own language only where ESCO's data has them all in it."""

from __future__ import annotations

import datetime as dt

import pytest

from lti_tool.catalogue.schema import read_unit_file
from lti_tool.catalogue.unit_doc import parse_unit
from lti_tool.credentials.exports.elm import build_elm
from lti_tool.credentials.exports.reader import present
from lti_tool.credentials.issuing.builder import IssuerInfo, LearnerInfo, build_credential
from lti_tool.credentials.issuing.unit_facts import OutcomeResult, skills_language, unit_info
from lti_tool.locales import SUPPORTED_LOCALES
from lti_tool.settings import PROJECT_ROOT
from tests.unit.catalogue.test_esco import ENGLISH, official, with_translations

UNITS = PROJECT_ROOT / "content" / "units"


def _signed_skills(slug: str, language: str, issuer: IssuerInfo, learner: LearnerInfo,
                   issued: dt.datetime) -> set[tuple[str, str, str]]:
    document = read_unit_file(UNITS / f"{slug}.yaml")
    results = [OutcomeResult(o["id"], 0.9, True) for o in document["outcomes"]]
    credential = build_credential(
        credential_id="urn:uuid:3f1c9a52-8d2e-4c55-9a51-0c6d2d1b8e11", issuer=issuer, learner=learner,
        unit=unit_info(parse_unit(document), results, language=language), overall_score=0.9, issued=issued,
        achievement_base_url="https://mastery.example/achievements")
    view = present(credential)
    return {(s.url, s.label, s.lang) for s in [*view.skills, *(s for o in view.outcomes for s in o.skills)]}


def _translate(monkeypatch: pytest.MonkeyPatch, lang: str, uris: set[str]) -> dict[str, str]:
    """Test rows: a label in ``lang`` for each of ``uris``, served as ESCO's (none ship today)."""
    rows = {uri: f"{ENGLISH[uri]} [{lang} test row]" for uri in uris}
    with_translations(monkeypatch, {lang: rows})
    return rows


def _cited(slug: str) -> set[str]:
    return {uri for outcome in read_unit_file(UNITS / f"{slug}.yaml")["outcomes"] for uri in outcome["esco"]}


def test_a_credential_names_its_skills_in_its_language_only_when_esco_has_them_all(
        issuer: IssuerInfo, learner: LearnerInfo, issued: dt.datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    wood, monitoring = _cited("wood-chain-of-custody"), _cited("manufacturing-environmental-monitoring")
    assert monitoring - wood
    french = _translate(monkeypatch, "fr", wood)
    all_french = _signed_skills("wood-chain-of-custody", "fr", issuer, learner, issued)
    assert {uri for uri, _label, _lang in all_french} == wood
    assert all_french == {(uri, french[uri], "fr") for uri in wood}
    # A unit with one skill ESCO's data has no French label for keeps them all in ESCO's English, marked "en".
    mixed = _signed_skills("manufacturing-environmental-monitoring", "fr", issuer, learner, issued)
    assert mixed == {(uri, ENGLISH[uri], "en") for uri in monitoring}
    # A credential issued in English says what it always said.
    assert _signed_skills("wood-chain-of-custody", "en", issuer, learner, issued) == {
        (uri, ENGLISH[uri], "en") for uri in wood}


def test_with_the_shipped_labels_every_credential_names_its_skills_as_esco_does(
        issuer: IssuerInfo, learner: LearnerInfo, issued: dt.datetime) -> None:
    for lang in SUPPORTED_LOCALES:
        ours = official(lang)
        signed = _signed_skills("manufacturing-environmental-monitoring", lang, issuer, learner, issued)
        if _cited("manufacturing-environmental-monitoring") <= set(ours):
            assert signed == {(uri, ours[uri], lang) for uri, _label, _lang in signed}, lang
        else:
            assert signed == {(uri, ENGLISH[uri], "en") for uri, _label, _lang in signed}, lang


def test_how_many_units_can_name_all_their_skills_in_each_language() -> None:
    docs = [parse_unit(read_unit_file(path)) for path in sorted(UNITS.glob("*.yaml"))]
    counts = {lang: sum(skills_language(doc, lang) == lang for doc in docs) for lang in SUPPORTED_LOCALES}
    expected = {lang: sum(doc.esco_uris <= set(official(lang)) for doc in docs) for lang in SUPPORTED_LOCALES}
    assert len(docs) == 12 and counts == {**expected, "en": 12}


def test_the_europass_export_tags_the_skill_labels_with_their_language(
        issuer: IssuerInfo, learner: LearnerInfo, issued: dt.datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    french = _translate(monkeypatch, "fr", _cited("wood-chain-of-custody"))
    document = read_unit_file(UNITS / "wood-chain-of-custody.yaml")
    results = [OutcomeResult(o["id"], 0.9, True) for o in document["outcomes"]]
    elm = build_elm(credential_id="urn:uuid:3f1c9a52-8d2e-4c55-9a51-0c6d2d1b8e11", issuer=issuer, learner=learner,
                    unit=unit_info(parse_unit(document), results, language="fr"), overall_score=0.9, issued=issued,
                    verification_url="https://mastery.example/credentials/x")
    found = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if str(node.get("id", "")) in french and node.get("type") == "Concept":
                found.append((node["id"], node["prefLabel"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(elm)
    assert found and all(label == {"fr": french[uri]} for uri, label in found)
