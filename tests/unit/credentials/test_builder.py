"""The MASTERY credential: every Annex I element (per spec/mapping), OB schema, signing, JSON-LD."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lti_tool.credentials.issuing.builder import (
    ECTS_FRAMEWORK,
    IssuerInfo,
    LearnerInfo,
    Participation,
    UnitInfo,
    build_credential,
    identity_hash,
)
from lti_tool.credentials.proof.canonical import canonicalize_safe
from lti_tool.credentials.proof.contexts import MASTERY_INLINE_CONTEXT, ContextUrl
from lti_tool.credentials.proof.dataintegrity import sign, verify
from lti_tool.credentials.proof.multibase import did_key_verification_method
from lti_tool.credentials.proof.resolver import Resolver
from lti_tool.credentials.verification.schema_check import schema_errors

from .conftest import SPEC

Credential = dict[str, Any]
MAPPING = json.loads((SPEC / "mapping" / "eu-microcredential-annex1-to-ob3-and-elm.json").read_text())


def alignments(credential: Credential, target_type: str) -> list[dict[str, Any]]:
    """The achievement's alignments of one targetType."""
    return [a for a in credential["credentialSubject"]["achievement"]["alignment"] if a["targetType"] == target_type]


def check_learner(c: Credential) -> None:
    ids = {i["identityType"]: i for i in c["credentialSubject"]["identifier"]}
    email = ids["emailAddress"]
    assert email["hashed"] is True and email["salt"] == "pepper-5c1d"
    expected = "sha256$" + hashlib.sha256(b"ada@example.orgpepper-5c1d").hexdigest()
    assert email["identityHash"] == expected  # normalised to lower case before hashing
    assert ids["name"] == {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": "Ada Lovelace",
    }
    assert ids["ltiUserId"]["identityHash"] == identity_hash("1234", "pepper-5c1d")
    assert ids["ltiPlatformId"]["identityHash"] == "https://moodle.example"
    assert "Ada@Example.org" not in json.dumps(c) and "ada@example.org" not in json.dumps(c)


def check_title(c: Credential) -> None:
    assert c["credentialSubject"]["achievement"]["name"] == "Sustainable wood processing"
    assert c["name"].startswith("Sustainable wood processing")


def check_country(c: Credential) -> None:
    address = c["issuer"]["address"]
    assert address["addressCountryCode"] == "IT"
    assert address["addressRegion"] == "Lombardia"
    assert address["addressCountry"] == "Italy"


def check_awarding_body(c: Credential) -> None:
    creator = c["credentialSubject"]["achievement"]["creator"]
    assert creator["id"] == c["issuer"]["id"] and creator["name"] == c["issuer"]["name"] == "MASTERY test issuer"


def check_date(c: Credential) -> None:
    assert c["validFrom"] == c["awardedDate"] == "2026-11-20T09:30:00Z"


def check_outcomes(c: Credential) -> None:
    achievement = c["credentialSubject"]["achievement"]
    esco = {a["targetUrl"] for a in alignments(c, "ext:ESCOSkill")}
    assert esco == {
        "http://data.europa.eu/esco/skill/41de7eb8-be07-4822-ba85-b76e9b8d6e4e",
        "http://data.europa.eu/esco/skill/6044d62b-7499-4c5d-81ae-2fea443013b2",
    }
    descriptions = {d["id"]: d for d in achievement["resultDescription"]}
    lo1 = descriptions[achievement["id"] + "/results/LO1"]
    assert lo1["requiredValue"] == "60" and lo1["resultType"] == "Percent"
    assert lo1["alignment"][0]["targetUrl"].endswith("41de7eb8-be07-4822-ba85-b76e9b8d6e4e")
    results = {r["resultDescription"]: r for r in c["credentialSubject"]["result"]}
    assert set(results) == set(descriptions)  # every result points at a description in the achievement
    assert results[lo1["id"]] == {
        "type": ["Result"],
        "resultDescription": lo1["id"],
        "value": "90",
        "status": "Completed",
    }
    assert results[achievement["id"] + "/results/LO2"]["value"] == "75"
    assert results[achievement["id"] + "/results/overall"]["value"] == "82.5"


def check_workload(c: Credential) -> None:
    achievement = c["credentialSubject"]["achievement"]
    assert achievement["creditsAvailable"] == 1.0 and c["credentialSubject"]["creditsEarned"] == 1.0
    assert achievement["creditFramework"] == ECTS_FRAMEWORK
    assert achievement["volumeOfLearning"] == "PT25H"


def check_eqf(c: Credential) -> None:
    [eqf] = alignments(c, "ext:EQF")
    assert eqf["targetCode"] == "5" and eqf["targetUrl"] == "http://data.europa.eu/snb/eqf/5"


def check_assessment(c: Credential) -> None:
    assert c["credentialSubject"]["achievement"]["assessmentType"] == "testing"


def check_participation(c: Credential) -> None:
    mode = c["credentialSubject"]["achievement"]["participationMode"]
    assert mode == {"id": "http://data.europa.eu/snb/learning-assessment/920fbb3cbe", "prefLabel": "online"}


def check_quality_assurance(c: Credential) -> None:
    assert c["credentialSubject"]["achievement"]["qualityAssuranceType"] == "internal review by the awarding body"


ANNEX_I_CHECKS: dict[str, Callable[[Credential], None]] = {
    "Identification of the learner": check_learner,
    "Title of the micro-credential": check_title,
    "Country(ies)/Region(s) of the issuer": check_country,
    "Awarding body(ies)": check_awarding_body,
    "Date of issuing": check_date,
    "Learning outcomes": check_outcomes,
    "Notional workload (ECTS where possible)": check_workload,
    "Level (and cycle) - EQF / NQF / QF-EHEA": check_eqf,
    "Type of assessment": check_assessment,
    "Form of participation in the learning activity": check_participation,
    "Type of quality assurance": check_quality_assurance,
}


def test_every_mandatory_mapping_element_has_a_check() -> None:
    assert {element["element"] for element in MAPPING["mandatory"]} == set(ANNEX_I_CHECKS)


@pytest.mark.parametrize("element", [e["element"] for e in MAPPING["mandatory"]])
def test_annex_i_element_is_carried(element: str, credential: Credential) -> None:
    ANNEX_I_CHECKS[element](credential)


def test_annex_i_extension_terms_are_signed_data(credential: Credential) -> None:
    quads = canonicalize_safe(credential)
    for term in ("assessmentType", "qualityAssuranceType", "creditFramework"):
        assert f"<https://w3id.org/mastery/vocab#{term}>" in quads, term
    # ELM v3's own properties where one means the same.
    assert "<http://data.europa.eu/snb/model/elm/mode> <http://data.europa.eu/snb/learning-assessment/" in quads
    assert "<http://data.europa.eu/snb/model/elm/volumeOfLearning>" in quads
    assert '"PT25H"^^<http://www.w3.org/2001/XMLSchema#duration>' in quads


def test_context_order_and_types(credential: Credential) -> None:
    # Standard contexts verifiers ship, then the embedded one: nothing to fetch (issue 14).
    assert credential["@context"] == [ContextUrl.CREDENTIALS_V2, ContextUrl.OB_303, MASTERY_INLINE_CONTEXT]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["credentialSubject"]["achievement"]["achievementType"] == "MicroCredential"
    assert credential["credentialStatus"]["statusListIndex"] == "7"


def test_signed_credential_validates_and_verifies(test_key: Ed25519PrivateKey, credential: Credential) -> None:
    signed = sign(
        credential,
        test_key,
        did_key_verification_method(test_key.public_key()),
        dt.datetime(2026, 11, 20, 9, 30, 1, tzinfo=dt.UTC),
    )
    assert schema_errors(signed) == []
    result = verify(signed, Resolver())
    assert result.ok, result.as_dict()


def test_minimal_learner_and_valid_until(issuer: IssuerInfo, unit: UnitInfo, issued: dt.datetime) -> None:
    learner = LearnerInfo(home_page="https://canvas.example", sub="u-9", salt="s")
    credential = build_credential(
        credential_id="urn:uuid:0b5d1b8e-1111-4c55-9a51-0c6d2d1b8e11",
        issuer=issuer,
        learner=learner,
        unit=unit,
        overall_score=1.0,
        issued=issued,
        achievement_base_url="https://mastery.example/achievements",
        valid_until=issued + dt.timedelta(days=365 * 5),
    )
    types = [i["identityType"] for i in credential["credentialSubject"]["identifier"]]
    assert types == ["ltiUserId", "ltiPlatformId"]
    assert credential["validUntil"] == "2031-11-19T09:30:00Z"
    assert "credentialStatus" not in credential
    canonicalize_safe(credential)
    with pytest.raises(ValueError, match="after"):
        build_credential(
            credential_id="urn:uuid:x",
            issuer=issuer,
            learner=learner,
            unit=unit,
            overall_score=1.0,
            issued=issued,
            achievement_base_url="https://m.example",
            valid_until=issued,
        )


def test_blended_and_fractional_workload(
    issuer: IssuerInfo, learner: LearnerInfo, unit: UnitInfo, issued: dt.datetime
) -> None:
    blended = UnitInfo(
        **{**unit.__dict__, "participation": Participation.BLENDED, "workload_hours": 37.5, "ects": 1.5, "eqf_level": 4}
    )
    credential = build_credential(
        credential_id="urn:uuid:x",
        issuer=issuer,
        learner=learner,
        unit=blended,
        overall_score=0.7,
        issued=issued,
        achievement_base_url="https://m.example",
    )
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["participationMode"]["id"].endswith("e92d221e4d")
    assert achievement["volumeOfLearning"] == "PT37H30M"
    assert achievement["creditsAvailable"] == 1.5
    assert alignments(credential, "ext:EQF")[0]["targetUrl"] == "http://data.europa.eu/snb/eqf/4"
    with pytest.raises(ValueError, match="EQF"):
        build_credential(
            credential_id="urn:uuid:x",
            issuer=issuer,
            learner=learner,
            unit=UnitInfo(**{**unit.__dict__, "eqf_level": 9}),
            overall_score=0.7,
            issued=issued,
            achievement_base_url="https://m.example",
        )


def test_control_characters_are_removed_from_every_text() -> None:
    from lti_tool.credentials.issuing.builder import without_control_characters

    doc = {"name": "Ann\x0b\x01a\tB\nC\x7f", "list": ["x\x00y", 3], "nested": {"k": "\x1fz"}}
    assert without_control_characters(doc) == {"name": "Anna\tB\nC", "list": ["xy", 3], "nested": {"k": "z"}}
