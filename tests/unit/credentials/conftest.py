"""Shared fixtures for the credentials unit tests: spec paths, the public test key, a MASTERY unit."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld

from lti_tool.credentials.issuing.builder import (
    EscoSkill,
    IssuerInfo,
    LearnerInfo,
    OutcomeInfo,
    Participation,
    UnitInfo,
    build_credential,
)
from lti_tool.credentials.proof.contexts import default_loader
from lti_tool.credentials.proof.multibase import did_key
from lti_tool.credentials.proof.resolver import Resolver
from lti_tool.credentials.status.bitstring import status_entry
from tests.conftest import STANDARDS

SPEC = STANDARDS
OB_SPEC = SPEC / "openbadges-3.0"
EXAMPLES = OB_SPEC / "examples"
# The 1EdTech vectors are all signed with this key; their verification methods are https/did:web URLs.
ONE_EDTECH_KEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
STATUS_LIST_URL = "https://mastery.example/credentials/status/1"


def pyld_nquads(document: Any, loader: Any = None) -> str:
    """Plain pyld URDNA2015 N-Quads, without the tool's safe-mode check: the reference canonical form."""
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", **(loader or default_loader()).pyld_options()}
    return str(jsonld.normalize(document, options))


def load_example(name: str) -> dict[str, Any]:
    """One JSON example from standards/openbadges-3.0/examples."""
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def controller_document(controller: str, key: str = ONE_EDTECH_KEY, *, listed: bool = True) -> dict[str, Any]:
    """A controller document (as a did:web or https issuer would publish) holding ``key``."""
    method_id = f"{controller}#{key}"
    return {
        "id": controller,
        "verificationMethod": [
            {"id": method_id, "type": "Multikey", "controller": controller, "publicKeyMultibase": key}
        ],
        "assertionMethod": [method_id] if listed else [],
    }


@pytest.fixture
def vector_resolver() -> Resolver:
    """Resolves the 1EdTech vectors' issuers to controller documents listing their key (did:key locally)."""
    return Resolver(fetch_controller=controller_document)


@pytest.fixture(scope="session")
def test_key() -> Ed25519PrivateKey:
    """The public MASTERY test key (seed sha256("mastery-test-only-seed")): test data only."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"mastery-test-only-seed").digest())


@pytest.fixture
def issuer(test_key: Ed25519PrivateKey) -> IssuerInfo:
    """The test issuer, identified by the test key's did:key."""
    return IssuerInfo(
        id=did_key(test_key.public_key()),
        name="MASTERY test issuer",
        url="https://mastery.example",
        country="IT",
        region="Lombardia",
        email="credentials@mastery.example",
        country_name="Italy",
    )


@pytest.fixture
def learner() -> LearnerInfo:
    """A launched learner with name and e-mail."""
    return LearnerInfo(
        home_page="https://moodle.example", sub="1234", salt="pepper-5c1d", name="Ada Lovelace", email="Ada@Example.org"
    )


@pytest.fixture
def unit() -> UnitInfo:
    """The wood unit with two learning outcomes."""
    forest = EscoSkill(
        "http://data.europa.eu/esco/skill/41de7eb8-be07-4822-ba85-b76e9b8d6e4e", "sustainable forest management"
    )
    preservation = EscoSkill(
        "http://data.europa.eu/esco/skill/6044d62b-7499-4c5d-81ae-2fea443013b2", "wood preservation"
    )
    return UnitInfo(
        slug="wood-u1",
        version="1.0.0",
        title="Sustainable wood processing",
        summary="Green-skills unit for EQF 5 learners in the wood sector.",
        sector="wood",
        eqf_level=5,
        ects=1.0,
        workload_hours=25,
        esco=(forest, preservation),
        participation=Participation.ONLINE,
        assessment_type="testing",
        quality_assurance="internal review by the awarding body",
        outcomes=(
            OutcomeInfo("LO1", "Explain sustainable forest certification", (forest,), 0.9, True, 0.6),
            OutcomeInfo("LO2", "Choose a low-impact wood preservation method", (preservation,), 0.75, True, 0.6),
        ),
    )


@pytest.fixture
def issued() -> dt.datetime:
    """The date of issuing used by the built credentials."""
    return dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def credential(issuer: IssuerInfo, learner: LearnerInfo, unit: UnitInfo, issued: dt.datetime) -> dict[str, Any]:
    """The unsigned MASTERY credential for the fixture learner and unit."""
    return build_credential(
        credential_id="urn:uuid:3f1c9a52-8d2e-4c55-9a51-0c6d2d1b8e11",
        issuer=issuer,
        learner=learner,
        unit=unit,
        overall_score=0.825,
        issued=issued,
        achievement_base_url="https://mastery.example/achievements",
        status=status_entry(STATUS_LIST_URL, 7),
    )
