"""ELM v3 export: conforms to the EDC SHACL shapes (pyshacl, offline) and carries every Annex I element."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
import rdflib

from lti_tool.credentials.exports.elm import ELM_CONTEXT, UNSIGNED_NOTICE, build_elm
from lti_tool.credentials.exports.elm_shacl import elm_loader, to_graph, validate_elm
from lti_tool.credentials.issuing.inputs import IssuerInfo, LearnerInfo, UnitInfo
from lti_tool.credentials.proof.canonical import expand_strict
from lti_tool.credentials.proof.contexts import UnknownContextError

from .conftest import SPEC

SHAPES = SPEC / "elm-v3" / "shacl" / "EDC-generic-no-cv.ttl"
SAMPLE = SPEC / "elm-v3" / "examples" / "Sample-MC-Annex1-unsigned.jsonld"
ELM = rdflib.Namespace("http://data.europa.eu/snb/model/elm/")
CRED = rdflib.Namespace("https://www.w3.org/2018/credentials#")
DC = rdflib.Namespace("http://purl.org/dc/terms/")
OB_ID = "urn:uuid:3f1c9a52-8d2e-4c55-9a51-0c6d2d1b8e11"


@pytest.fixture
def export(issuer: IssuerInfo, learner: LearnerInfo, unit: UnitInfo, issued: dt.datetime) -> dict[str, Any]:
    """The ELM export of the fixture learner's credential."""
    return build_elm(
        credential_id=OB_ID,
        issuer=issuer,
        learner=learner,
        unit=unit,
        overall_score=0.825,
        issued=issued,
        verification_url="https://mastery.example/credentials/3f1c9a52-8d2e-4c55-9a51-0c6d2d1b8e11",
    )


def violations(report_text: str) -> str:
    """The report, for assertion messages."""
    return report_text[:3000]


def test_export_conforms_to_the_edc_shapes(export: dict[str, Any]) -> None:
    report = validate_elm(export, SHAPES)
    assert report.conforms, violations(report.text)


def test_export_without_issuer_does_not_conform(export: dict[str, Any]) -> None:
    broken = copy.deepcopy(export)
    del broken["issuer"]
    report = validate_elm(broken, SHAPES)
    assert not report.conforms
    assert "cred:issuer" in report.text or "credentials#issuer" in report.text


def test_export_without_outcome_title_or_date_does_not_conform(export: dict[str, Any]) -> None:
    broken = copy.deepcopy(export)
    del broken["issued"]
    assert not validate_elm(broken, SHAPES).conforms
    broken = copy.deepcopy(export)
    del broken["credentialSubject"]["hasClaim"]["title"]
    assert not validate_elm(broken, SHAPES).conforms


def test_official_sample_needs_the_two_documented_fixes() -> None:
    # DESIGN.md §6: the ELM sample lacks `issued` and names its legal identifier `registration`.
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    assert not validate_elm(sample, SHAPES).conforms
    sample["issued"] = sample["validFrom"]
    sample["issuer"]["eIDASIdentifier"] = sample["issuer"].pop("registration")
    assert validate_elm(sample, SHAPES).conforms


def test_no_term_is_dropped_by_json_ld(export: dict[str, Any]) -> None:
    expand_strict(export, elm_loader())  # raises UnsafeDocumentError naming any undefined term


def test_every_annex_one_element_is_in_the_graph(export: dict[str, Any], unit: UnitInfo) -> None:
    graph = to_graph(export)
    credential = rdflib.URIRef(export["id"])
    subject = graph.value(credential, CRED.credentialSubject)
    claim = graph.value(subject, ELM.hasClaim)
    spec = graph.value(claim, ELM.specifiedBy)
    issuer = graph.value(credential, CRED.issuer)
    texts = {str(o) for o in graph.objects()}
    assert "Ada Lovelace" in texts  # learner
    assert str(graph.value(claim, DC.title)) == unit.title  # title
    address = graph.value(graph.value(issuer, ELM.location), ELM.address)
    assert str(graph.value(address, ELM.countryCode)).endswith("/country/ITA")  # country
    assert "Lombardia, Italy" in texts  # region
    assert graph.value(graph.value(claim, ELM.awardedBy), ELM.awardingBody) == issuer  # awarding body
    assert graph.value(credential, CRED.issued).toPython() == dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)  # issued
    outcomes = list(graph.objects(spec, ELM.learningOutcome))
    assert len(outcomes) == len(unit.outcomes)
    skills = {str(s) for o in outcomes for s in graph.objects(o, ELM.relatedESCOSkill)}
    assert skills == {s.uri for o in unit.outcomes for s in o.esco}  # learning outcomes + ESCO
    credit = graph.value(spec, ELM.creditPoint)
    assert str(graph.value(credit, ELM.point)) == "1"  # ECTS
    assert str(graph.value(credit, ELM.framework)).endswith("6fcec5c5af")
    assert graph.value(spec, ELM.volumeOfLearning).toPython() == dt.timedelta(hours=25)  # workload
    assert str(graph.value(spec, ELM.EQFLevel)) == "http://data.europa.eu/snb/eqf/5"  # EQF
    assert len(list(graph.objects(claim, ELM.provenBy))) == 1 + len(unit.outcomes)  # assessment + grades
    assert "82.5 %" in texts and "90 % (achieved)" in texts
    assert str(graph.value(spec, ELM.mode)) == unit.participation.concept  # participation
    assert f"Quality assurance: {unit.quality_assurance}" in texts  # quality assurance
    assert f"Type of assessment: {unit.assessment_type}" in texts


def test_export_is_unsigned_and_says_so(export: dict[str, Any]) -> None:
    assert "proof" not in export
    assert export["displayParameter"]["description"]["en"] == UNSIGNED_NOTICE
    assert export["@context"] == ELM_CONTEXT
    assert export["identifier"]["notation"] == OB_ID  # points back to the signed OB 3.0 credential


def test_same_inputs_same_document(
    export: dict[str, Any], issuer: IssuerInfo, learner: LearnerInfo, unit: UnitInfo, issued: dt.datetime
) -> None:
    again = build_elm(
        credential_id=OB_ID,
        issuer=issuer,
        learner=learner,
        unit=unit,
        overall_score=0.825,
        issued=issued,
        verification_url="https://mastery.example/credentials/3f1c9a52-8d2e-4c55-9a51-0c6d2d1b8e11",
    )
    assert again == export


def test_email_only_on_request(issuer: IssuerInfo, learner: LearnerInfo, unit: UnitInfo, issued: dt.datetime) -> None:
    args: dict[str, Any] = {
        "credential_id": OB_ID,
        "issuer": issuer,
        "learner": learner,
        "unit": unit,
        "overall_score": 0.8,
        "issued": issued,
    }
    assert "Ada@Example.org" not in json.dumps(build_elm(**args))
    with_email = build_elm(**args, include_email=True)
    assert with_email["credentialSubject"]["contactPoint"]["emailAddress"]["id"] == "mailto:Ada@Example.org"
    assert validate_elm(with_email, SHAPES).conforms


def test_learner_without_name_and_expiry_still_conforms(
    issuer: IssuerInfo, learner: LearnerInfo, unit: UnitInfo, issued: dt.datetime
) -> None:
    anonymous = dataclasses.replace(learner, name=None, email=None)
    document = build_elm(
        credential_id=OB_ID,
        issuer=dataclasses.replace(issuer, region=None, email=None),
        learner=anonymous,
        unit=unit,
        overall_score=0.8,
        issued=issued,
        valid_until=issued + dt.timedelta(days=365),
    )
    assert document["expirationDate"] == "2027-11-20T09:30:00Z"
    assert validate_elm(document, SHAPES).conforms


def test_unknown_country_is_refused(
    issuer: IssuerInfo, learner: LearnerInfo, unit: UnitInfo, issued: dt.datetime
) -> None:
    with pytest.raises(ValueError, match="country"):
        build_elm(
            credential_id=OB_ID,
            issuer=dataclasses.replace(issuer, country="ZZ"),
            learner=learner,
            unit=unit,
            overall_score=0.8,
            issued=issued,
        )


def test_elm_loader_never_fetches() -> None:
    with pytest.raises(UnknownContextError):
        elm_loader().document("https://example.org/other-context")
