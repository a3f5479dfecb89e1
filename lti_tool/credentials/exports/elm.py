"""ELM v3 export: the MASTERY micro-credential as a European Digital Credential (EDC application profile).

Built from the same inputs as the Open Badges credential (inputs.py), with the Annex I elements where
spec/mapping/eu-microcredential-annex1-to-ob3-and-elm.json puts them in ELM: learner → credentialSubject
(Person: fullName, identifiers); title → hasClaim.title and specifiedBy.title; country/region → issuer
location.address; awarding body → hasClaim.awardedBy.awardingBody; date of issuing → issued, validFrom,
awardingDate; learning outcomes → specifiedBy.learningOutcome[] with relatedESCOSkill; workload →
specifiedBy.creditPoint (ECTS) + volumeOfLearning; EQF → specifiedBy.eqfLevel; assessment → provenBy
(LearningAssessment with grade, one per outcome too); participation → specifiedBy.mode; quality assurance →
specifiedBy.additionalNote (a plain-language Note: the unit has no formal ELM Accreditation).

The export is UNSIGNED JSON-LD. An EDC is sealed with a JAdES eIDAS e-seal (the Europass tooling's
qualified seal), not a Data Integrity proof, so this document is ready to be sealed, not a sealed EDC.
It conforms to spec/elm-v3/shacl/EDC-generic-no-cv.ttl (see tests/unit/credentials/test_elm.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

from lti_tool.credentials.exports.elm_vocab import EDC_SCHEMA, EdcConcept, concept, country, edc_concept, language
from lti_tool.credentials.exports.qr import qr_png
from lti_tool.credentials.issuing.builder import PARTICIPATION_WORDS, identity_hash
from lti_tool.credentials.issuing.inputs import IssuerInfo, LearnerInfo, UnitInfo
from lti_tool.locales import translations
from lti_tool.percent import percent_value

ELM_CONTEXT = ["https://www.w3.org/2018/credentials/v1", "http://data.europa.eu/snb/model/context/edc-ap"]
PNG = "http://publications.europa.eu/resource/authority/file-type/PNG"
BASE64 = "http://data.europa.eu/snb/encoding/6146cde7dd"
EQF_SCHEME = "http://data.europa.eu/snb/eqf/25831c2"
MODE_SCHEME = "http://data.europa.eu/snb/learning-assessment/25831c2"
UNSIGNED_NOTICE = (
    "Unsigned ELM v3 export of an Open Badges 3.0 micro-credential. A European Digital Credential is sealed "
    "with a JAdES eIDAS e-seal; this document is ready for that seal and carries no signature of its own."
)


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("credential dates must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _percent(score: float) -> str:
    return f"{percent_value(score):g} %"


def _duration(hours: float) -> str:
    whole, rest = divmod(round(hours * 60), 60)
    return f"PT{whole}H" + (f"{rest}M" if rest else "")


def _credits(ects: float) -> str:
    return f"{ects:g}"


class _Ids:
    """Stable ``urn:uuid`` ids for the nodes of one export (the same inputs give the same document)."""

    def __init__(self, credential_id: str) -> None:
        self._namespace = uuid.uuid5(uuid.NAMESPACE_URL, credential_id)

    def __call__(self, kind: str) -> str:
        return f"urn:uuid:{uuid.uuid5(self._namespace, kind)}"


def _note(ids: _Ids, kind: str, text: str, lang: str) -> dict[str, Any]:
    return {"id": ids(f"note:{kind}"), "type": "Note", "noteLiteral": {lang: text}}


def _organisation(issuer: IssuerInfo, legal_identifier: str | None, ids: _Ids) -> dict[str, Any]:
    address: dict[str, Any] = {"id": ids("address"), "type": "Address", "countryCode": country(issuer.country)}
    place = ", ".join(part for part in (issuer.region, issuer.country_name) if part)
    if place:
        address["fullAddress"] = {"id": ids("note:address"), "type": "Note", "noteLiteral": {"en": place}}
    organisation: dict[str, Any] = {
        "id": issuer.id,
        "type": "Organisation",
        "legalName": {"en": issuer.name},
        "location": {"id": ids("location"), "type": "Location", "address": address},
        # EDC issuers need exactly one eIDAS legal identifier; without a registration number the
        # issuer's own identifier (its DID) stands in, and Europass sealing will ask for the real one.
        "eIDASIdentifier": {
            "id": ids("legal-identifier"),
            "type": "LegalIdentifier",
            "notation": legal_identifier or issuer.id,
            "spatial": country(issuer.country),
        },
        "homepage": {"id": ids("homepage"), "type": "WebResource", "contentURL": issuer.url},
    }
    if issuer.email:
        organisation["contactPoint"] = {
            "id": ids("contact"),
            "type": "ContactPoint",
            "emailAddress": {"id": f"mailto:{issuer.email}", "type": "Mailbox"},
        }
    return organisation


def _person(learner: LearnerInfo, ids: _Ids, include_email: bool) -> dict[str, Any]:
    person: dict[str, Any] = {
        "id": ids("person"),
        "type": "Person",
        "identifier": [
            {
                "id": ids("identifier:lti"),
                "type": "Identifier",
                "schemeName": f"LTI user at {learner.home_page} (salted sha256, salt {learner.salt})",
                "notation": identity_hash(learner.sub, learner.salt),
            }
        ],
    }
    if learner.name:
        person["fullName"] = {"en": learner.name}
    if include_email and learner.email:
        person["contactPoint"] = {
            "id": ids("contact:learner"),
            "type": "ContactPoint",
            "emailAddress": {"id": f"mailto:{learner.email.strip()}", "type": "Mailbox"},
        }
    return person


def _display(unit: UnitInfo, image_png: bytes, ids: _Ids) -> dict[str, Any]:
    image = {
        "id": ids("display:image"),
        "type": "MediaObject",
        "content": base64.b64encode(image_png).decode("ascii"),
        "contentEncoding": concept(BASE64, "base64", "http://data.europa.eu/snb/encoding/25831c2"),
        "contentType": concept(PNG, "PNG", "http://publications.europa.eu/resource/authority/file-type", "file-type"),
    }
    return {
        "id": ids("display"),
        "type": "DisplayParameter",
        "title": {unit.language: unit.title},
        "description": {"en": UNSIGNED_NOTICE},
        "primaryLanguage": language(unit.language),
        "language": language(unit.language),
        "individualDisplay": {
            "id": ids("display:individual"),
            "type": "IndividualDisplay",
            "language": language(unit.language),
            "displayDetail": {"id": ids("display:detail"), "type": "DisplayDetail", "image": image, "page": 1},
        },
    }


def _qualification(unit: UnitInfo, ids: _Ids) -> dict[str, Any]:
    lang = unit.language
    _ = translations(lang).gettext  # the notes' fixed words, in the language their text is tagged with
    outcomes = [
        {
            "id": ids(f"outcome:{o.id}"),
            "type": "LearningOutcome",
            "title": {lang: f"{o.id}: {o.title}"},
            **({"relatedESCOSkill": [concept(s.uri, s.label, lang=s.lang) for s in o.esco]} if o.esco else {}),
        }
        for o in unit.outcomes
    ]
    return {
        "id": ids("qualification"),
        "type": "Qualification",
        "title": {lang: unit.title},
        "description": {lang: unit.summary},
        "dcType": edc_concept(EdcConcept.SHORT_PROGRAMME),
        "eqfLevel": concept(f"http://data.europa.eu/snb/eqf/{unit.eqf_level}", f"Level {unit.eqf_level}", EQF_SCHEME),
        "creditPoint": {
            "id": ids("credit-point"),
            "type": "CreditPoint",
            "framework": edc_concept(EdcConcept.ECTS),
            "point": _credits(unit.ects),
        },
        "volumeOfLearning": _duration(unit.workload_hours),
        "mode": concept(unit.participation.concept, unit.participation.value.capitalize(), MODE_SCHEME),
        "learningSetting": edc_concept(EdcConcept.NON_FORMAL),
        "language": language(lang),
        "learningOutcome": outcomes,
        "additionalNote": [
            _note(ids, "quality-assurance", _("Quality assurance: %(text)s") % {"text": unit.quality_assurance}, lang),
            _note(ids, "assessment-type", _("Type of assessment: %(text)s") % {"text": unit.assessment_type}, lang),
            _note(ids, "participation", _("Form of participation: %(mode)s") % {
                "mode": _(PARTICIPATION_WORDS[unit.participation.value])}, lang),
        ],
    }


def _assessments(unit: UnitInfo, overall_score: float, awarding: dict[str, Any], ids: _Ids) -> list[dict[str, Any]]:
    lang = unit.language
    _ = translations(lang).gettext
    overall = {
        "id": ids("assessment:overall"),
        "type": "LearningAssessment",
        "title": {lang: f"{unit.title}: {unit.assessment_type}"},
        "grade": _note(ids, "grade:overall", _percent(overall_score), lang),
        "awardedBy": awarding,
        "specifiedBy": {
            "id": ids("assessment-spec"),
            "type": "LearningAssessmentSpecification",
            "title": {lang: unit.assessment_type},
            "mode": concept(unit.participation.concept, unit.participation.value.capitalize(), MODE_SCHEME),
        },
    }
    per_outcome = [
        {
            "id": ids(f"assessment:{o.id}"),
            "type": "LearningAssessment",
            "title": {lang: _("Learning outcome %(id)s: %(title)s") % {"id": o.id, "title": o.title}},
            "grade": _note(ids, f"grade:{o.id}", (_("%(score)s (achieved)") if o.met else _("%(score)s (not achieved)"))
                           % {"score": _percent(o.score)}, lang),
            "awardedBy": awarding,
        }
        for o in unit.outcomes
    ]
    return [overall, *per_outcome]


def build_elm(
    *,
    credential_id: str,
    issuer: IssuerInfo,
    learner: LearnerInfo,
    unit: UnitInfo,
    overall_score: float,
    issued: dt.datetime,
    valid_until: dt.datetime | None = None,
    legal_identifier: str | None = None,
    include_email: bool = False,
    verification_url: str | None = None,
    display_png: bytes | None = None,
) -> dict[str, Any]:
    """The unsigned ELM v3 / EDC JSON-LD micro-credential matching the OB credential ``credential_id``."""
    ids = _Ids(credential_id)
    when = _iso(issued)
    organisation = _organisation(issuer, legal_identifier, ids)
    awarding = {"id": ids("awarding"), "type": "AwardingProcess", "awardingBody": organisation, "awardingDate": when}
    achievement = {
        "id": ids("achievement"),
        "type": "LearningAchievement",
        "title": {unit.language: unit.title},
        "description": {unit.language: unit.summary},
        "awardedBy": awarding,
        "provenBy": _assessments(unit, overall_score, awarding, ids),
        "specifiedBy": _qualification(unit, ids),
    }
    credential: dict[str, Any] = {
        "@context": list(ELM_CONTEXT),
        "id": ids("credential"),
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialProfiles": edc_concept(EdcConcept.GENERIC_PROFILE),
        "credentialSchema": {"id": EDC_SCHEMA, "type": "ShaclValidator2017"},
        "identifier": {
            "id": ids("identifier:ob3"),
            "type": "Identifier",
            "schemeName": "Open Badges 3.0 credential (signed, eddsa-rdfc-2022)",
            "notation": credential_id,
        },
        # The display image is the QR code of the public verification page: scanning it checks the signed original.
        "displayParameter": _display(unit, display_png or qr_png(verification_url or credential_id, scale=4), ids),
        "issuer": organisation,
        "issued": when,
        "validFrom": when,
        "credentialSubject": {**_person(learner, ids, include_email), "hasClaim": achievement},
    }
    if valid_until is not None:
        if valid_until <= issued:
            raise ValueError("the expiry date must be after the date of issuing")
        credential["expirationDate"] = _iso(valid_until)
    return credential
