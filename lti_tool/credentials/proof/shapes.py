"""The RDF reading of the MASTERY credential shape: per object position, its keys, predicates and datatypes.

Copied from what pyld 3.3 expands with the pinned contexts credentials-v2 + OB context-3.0.3 + the embedded one
(including their quirks: OB coerces ``awardedDate`` to the unexpanded IRI ``xsd:dateTime`` and uses
``https://www.w3.org/2001/XMLSchema#`` for anyURI, float and boolean). fast_nquads.py walks a document
against these tables; the property tests compare its output with pyld's on every field listed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from lti_tool.credentials.proof.contexts import CREDENTIAL_CONTEXT

OB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
SCHEMA = "https://schema.org/"
CRED = "https://www.w3.org/2018/credentials#"
STATUS = "https://www.w3.org/ns/credentials/status#"
MASTERY = "https://w3id.org/mastery/vocab#"
ELM = "http://data.europa.eu/snb/model/elm/"
SEC = "https://w3id.org/security#"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_OB = "https://www.w3.org/2001/XMLSchema#"  # the OB 3.0 context's spelling
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


class ValueKind(Enum):
    """How a JSON value of a property becomes an RDF term."""

    NODE = "node"
    IRI = "iri"
    VOCAB = "vocab"
    STRING = "string"
    BOOLEAN = "boolean"
    NUMBER = "number"


@dataclass(frozen=True)
class Prop:
    """One JSON key: its predicate (``<…>``), value kind, datatype (``<…>`` or None) or nested shape."""

    iri: str
    kind: ValueKind = ValueKind.STRING
    datatype: str | None = None
    shape: str = ""
    vocab: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Shape:
    """An object position: allowed ``type`` values (→ class IRI) and keys."""

    name: str
    types: Mapping[str, str]
    props: Mapping[str, Prop]
    needs_id: bool = False
    root: bool = False
    context: tuple[str, ...] | list[str] | None = None


def _p(base: str, term: str, kind: ValueKind = ValueKind.STRING, datatype: str | None = None, shape: str = "") -> Prop:
    return Prop(f"<{base}{term}>", kind, f"<{datatype}>" if datatype else None, shape)


def _node(base: str, term: str, shape: str) -> Prop:
    return _p(base, term, ValueKind.NODE, shape=shape)


_S, _IRI, _BOOL, _NUM = ValueKind.STRING, ValueKind.IRI, ValueKind.BOOLEAN, ValueKind.NUMBER

PROFILE = Shape(
    "Profile",
    {"Profile": f"<{OB}Profile>"},
    {
        "name": _p(SCHEMA, "name"),
        "url": _p(SCHEMA, "url", _S, XSD_OB + "anyURI"),
        "email": _p(SCHEMA, "email"),
        "address": _node(OB, "address", "Address"),
    },
)
ADDRESS = Shape(
    "Address",
    {"Address": f"<{OB}Address>"},
    {
        "addressCountryCode": _p(OB, "CountryCode"),
        "addressCountry": _p(SCHEMA, "addressCountry"),
        "addressRegion": _p(SCHEMA, "addressRegion"),
    },
)
IDENTITY = Shape(
    "IdentityObject",
    {"IdentityObject": f"<{OB}IdentityObject>"},
    {
        "identityType": _p(OB, "identityType"),
        "hashed": _p(OB, "hashed", _BOOL, XSD_OB + "boolean"),
        "identityHash": _p(OB, "identityHash"),
        "salt": _p(OB, "salt"),
    },
)
ALIGNMENT = Shape(
    "Alignment",
    {"Alignment": f"<{SCHEMA}AlignmentObject>"},
    {
        "targetType": _p(OB, "targetType"),
        "targetFramework": _p(SCHEMA, "targetFramework"),
        "targetName": _p(SCHEMA, "targetName"),
        "targetUrl": _p(SCHEMA, "targetUrl", _S, XSD_OB + "anyURI"),
        "targetCode": _p(OB, "targetCode"),
    },
)
RESULT_DESCRIPTION = Shape(
    "ResultDescription",
    {"ResultDescription": f"<{OB}ResultDescription>"},
    {
        "name": _p(SCHEMA, "name"),
        "resultType": _p(OB, "resultType"),
        "valueMin": _p(OB, "valueMin"),
        "valueMax": _p(OB, "valueMax"),
        "requiredValue": _p(OB, "requiredValue"),
        "alignment": _node(OB, "alignment", "Alignment"),
    },
    needs_id=True,
)
CRITERIA = Shape("Criteria", {}, {"narrative": _p(OB, "narrative")})
IMAGE = Shape("Image", {"Image": f"<{OB}Image>"}, {"caption": _p(SCHEMA, "caption")}, needs_id=True)
CONCEPT = Shape("Concept", {}, {"prefLabel": _p("http://www.w3.org/2004/02/skos/core#", "prefLabel")}, needs_id=True)
ACHIEVEMENT = Shape(
    "Achievement",
    {"Achievement": f"<{OB}Achievement>"},
    {
        "achievementType": _p(OB, "achievementType"),
        "name": _p(SCHEMA, "name"),
        "description": _p(SCHEMA, "description"),
        "criteria": _node(OB, "Criteria", "Criteria"),
        "image": _node(OB, "image", "Image"),
        "creator": _node(OB, "creator", "Profile"),
        "creditsAvailable": _p(OB, "creditsAvailable", _NUM, XSD_OB + "float"),
        "inLanguage": _p(SCHEMA, "inLanguage"),
        "version": _p(OB, "version"),
        "tag": _p(SCHEMA, "keywords"),
        "alignment": _node(OB, "alignment", "Alignment"),
        "resultDescription": _node(OB, "resultDescription", "ResultDescription"),
        "creditFramework": _p(MASTERY, "creditFramework", _IRI),
        "volumeOfLearning": _p(ELM, "volumeOfLearning", _S, XSD + "duration"),
        "assessmentType": _p(MASTERY, "assessmentType"),
        "participationMode": _node(ELM, "mode", "Concept"),
        "qualityAssuranceType": _p(MASTERY, "qualityAssuranceType"),
        "qualityAssuranceBody": _p(MASTERY, "qualityAssuranceBody", _IRI),
    },
    needs_id=True,
)
RESULT = Shape(
    "Result",
    {"Result": f"<{OB}Result>"},
    {
        "resultDescription": _p(OB, "resultDescription", _S, XSD_OB + "anyURI"),
        "value": _p(SCHEMA, "value"),
        "status": _p(OB, "status"),
    },
)
SUBJECT = Shape(
    "AchievementSubject",
    {"AchievementSubject": f"<{OB}AchievementSubject>"},
    {
        "identifier": _node(OB, "identifier", "IdentityObject"),
        "achievement": _node(OB, "achievement", "Achievement"),
        "creditsEarned": _p(OB, "creditsEarned", _NUM, XSD_OB + "float"),
        "result": _node(OB, "result", "Result"),
    },
)
STATUS_ENTRY = Shape(
    "BitstringStatusListEntry",
    {"BitstringStatusListEntry": f"<{STATUS}BitstringStatusListEntry>"},
    {
        "statusPurpose": _p(STATUS, "statusPurpose"),
        "statusListIndex": _p(STATUS, "statusListIndex"),
        "statusListCredential": _p(STATUS, "statusListCredential", _IRI),
    },
    needs_id=True,
)
CREDENTIAL_SHAPE = Shape(
    "OpenBadgeCredential",
    {"VerifiableCredential": f"<{CRED}VerifiableCredential>", "OpenBadgeCredential": f"<{OB}OpenBadgeCredential>"},
    {
        "name": _p(SCHEMA, "name"),
        "description": _p(SCHEMA, "description"),
        "issuer": _node(CRED, "issuer", "Profile"),
        "validFrom": _p(CRED, "validFrom", _S, XSD + "dateTime"),
        "validUntil": _p(CRED, "validUntil", _S, XSD + "dateTime"),
        "awardedDate": _p(OB, "awardedDate", _S, "xsd:dateTime"),
        "credentialSubject": _node(CRED, "credentialSubject", "AchievementSubject"),
        "credentialStatus": _node(CRED, "credentialStatus", "BitstringStatusListEntry"),
    },
    needs_id=True,
    root=True,
    context=list(CREDENTIAL_CONTEXT),
)
PROOF_OPTIONS_SHAPE = Shape(
    "DataIntegrityProof",
    {"DataIntegrityProof": f"<{SEC}DataIntegrityProof>"},
    {
        "created": _p("http://purl.org/dc/terms/", "created", _S, XSD + "dateTime"),
        "verificationMethod": _p(SEC, "verificationMethod", _IRI),
        "cryptosuite": _p(SEC, "cryptosuite", _S, SEC + "cryptosuiteString"),
        "proofPurpose": Prop(
            f"<{SEC}proofPurpose>", ValueKind.VOCAB, vocab={"assertionMethod": f"<{SEC}assertionMethod>"}
        ),
    },
    root=True,
    context=list(CREDENTIAL_CONTEXT),
)
SHAPES: dict[str, Shape] = {
    shape.name: shape
    for shape in (PROFILE, ADDRESS, IDENTITY, ALIGNMENT, RESULT_DESCRIPTION, CRITERIA, IMAGE, CONCEPT, ACHIEVEMENT)
    + (RESULT, SUBJECT, STATUS_ENTRY)
}
