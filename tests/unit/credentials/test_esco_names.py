"""A credential names its ESCO skills in its own language only where ESCO's data has them all in it."""

from __future__ import annotations

import datetime as dt

from lti_tool.catalogue.schema import read_unit_file
from lti_tool.catalogue.unit_doc import parse_unit
from lti_tool.credentials.exports.elm import build_elm
from lti_tool.credentials.exports.reader import present
from lti_tool.credentials.issuing.builder import IssuerInfo, LearnerInfo, build_credential
from lti_tool.credentials.issuing.unit_facts import OutcomeResult, skills_language, unit_info
from lti_tool.locales import SUPPORTED_LOCALES
from lti_tool.settings import PROJECT_ROOT
from tests.unit.catalogue.test_esco import ESCO, labels, official

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


def test_a_french_credential_names_its_skills_in_escos_french_when_esco_has_them_all(
        issuer: IssuerInfo, learner: LearnerInfo, issued: dt.datetime) -> None:
    french, english = official("fr"), labels(ESCO / "greenSkillsCollection_en_v1.2.0.csv")
    all_french = _signed_skills("wood-chain-of-custody", "fr", issuer, learner, issued)
    assert all_french and all_french == {(uri, french[uri], "fr") for uri, _label, _lang in all_french}
    # One of this unit's skills has no French label in ESCO's data here: the credential keeps them all English.
    mixed = _signed_skills("manufacturing-environmental-monitoring", "fr", issuer, learner, issued)
    assert mixed == {(uri, english[uri], "en") for uri, _label, _lang in mixed}
    assert {uri for uri, _label, _lang in mixed} - set(french)
    # A credential issued in English says what it always said.
    assert _signed_skills("wood-chain-of-custody", "en", issuer, learner, issued) == {
        (uri, english[uri], "en") for uri, _label, _lang in all_french}


def test_a_spanish_credential_names_every_skill_in_esco_v1_2_0s_spanish(
        issuer: IssuerInfo, learner: LearnerInfo, issued: dt.datetime) -> None:
    # The unit that stays English in French: ESCO v1.2.0's Spanish rows have all of its skills, the renamed one too.
    spanish = official("es")
    signed = _signed_skills("manufacturing-environmental-monitoring", "es", issuer, learner, issued)
    assert signed and signed == {(uri, spanish[uri], "es") for uri, _label, _lang in signed}
    # Finnish (ESCO v1.1.1) lacks the renamed skill in its new wording: that credential keeps ESCO's English.
    finnish, english = official("fi"), labels(ESCO / "greenSkillsCollection_en_v1.2.0.csv")
    assert _signed_skills("manufacturing-environmental-monitoring", "fi", issuer, learner, issued) == {
        (uri, english[uri], "en") for uri, _label, _lang in signed}
    assert {uri for uri, _label, _lang in signed} - set(finnish)
    all_finnish = _signed_skills("wood-chain-of-custody", "fi", issuer, learner, issued)
    assert all_finnish and all_finnish == {(uri, finnish[uri], "fi") for uri, _label, _lang in all_finnish}


def test_how_many_units_can_name_all_their_skills_in_each_language() -> None:
    docs = [parse_unit(read_unit_file(path)) for path in sorted(UNITS.glob("*.yaml"))]
    counts = {lang: sum(skills_language(doc, lang) == lang for doc in docs) for lang in SUPPORTED_LOCALES}
    assert len(docs) == 12
    assert counts == {"en": 12, "it": 0, "es": 12, "fi": 6, "bg": 0, "fr": 6, "nl": 0}


def test_the_europass_export_tags_the_skill_labels_with_their_language(
        issuer: IssuerInfo, learner: LearnerInfo, issued: dt.datetime) -> None:
    document = read_unit_file(UNITS / "wood-chain-of-custody.yaml")
    results = [OutcomeResult(o["id"], 0.9, True) for o in document["outcomes"]]
    elm = build_elm(credential_id="urn:uuid:3f1c9a52-8d2e-4c55-9a51-0c6d2d1b8e11", issuer=issuer, learner=learner,
                    unit=unit_info(parse_unit(document), results, language="fr"), overall_score=0.9, issued=issued,
                    verification_url="https://mastery.example/credentials/x")
    french = official("fr")
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
