"""The fast canonical path equals pyld byte for byte on every credential shape we build, and signs the same."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lti_tool.credentials.issuing.builder import (
    EscoSkill,
    IssuerInfo,
    LearnerInfo,
    OutcomeInfo,
    Participation,
    UnitInfo,
    build_credential,
)
from lti_tool.credentials.proof.canonical import canonicalize_safe
from lti_tool.credentials.proof.dataintegrity import sign, verify
from lti_tool.credentials.proof.fast_nquads import NotOurShape, canonical_nquads, canonicalize_any, is_our_shape
from lti_tool.credentials.proof.fast_proof import sign_fast, verify_fast
from lti_tool.credentials.proof.multibase import did_key, did_key_verification_method
from lti_tool.credentials.proof.resolver import Resolver
from lti_tool.credentials.status.bitstring import status_entry

from .conftest import load_example

CREATED = dt.datetime(2026, 11, 20, 9, 30, 1, tzinfo=dt.UTC)
SKILLS = (
    EscoSkill("http://data.europa.eu/esco/skill/41de7eb8-be07-4822-ba85-b76e9b8d6e4e", "sustainable forest management"),
    EscoSkill("http://data.europa.eu/esco/skill/6044d62b-7499-4c5d-81ae-2fea443013b2", "wood preservation"),
    EscoSkill("http://data.europa.eu/esco/skill/0a0c1b1e-0000-4000-8000-000000000001", 'say "hello"\nback\\slash'),
    EscoSkill("https://skills.example/other/42", "non-ESCO skill"),
)

# Everything a person or a unit file may put in a text: quotes, backslashes, newlines, tabs, emoji, RTL.
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
scores = st.floats(min_value=0, max_value=1, allow_nan=False)
outcomes = st.builds(
    OutcomeInfo,
    id=st.from_regex(r"LO[0-9]{1,2}", fullmatch=True),
    title=texts,
    # Lists with repeats give two blank nodes with the same first-degree hash (the N-degree path).
    esco=st.lists(st.sampled_from(SKILLS), max_size=3).map(tuple),
    score=scores,
    met=st.booleans(),
    threshold=st.none() | scores,
)
units = st.builds(
    UnitInfo,
    slug=st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
    version=st.from_regex(r"[0-9]\.[0-9]\.[0-9]", fullmatch=True),
    title=texts,
    summary=texts,
    sector=st.sampled_from(["wood", "agrofood", "building", "manufacturing"]),
    eqf_level=st.integers(1, 8),
    ects=st.sampled_from([0.5, 1.0, 2, 2.25, 3.0]) | st.floats(0.1, 60, allow_nan=False),
    workload_hours=st.floats(0.5, 500, allow_nan=False),
    esco=st.lists(st.sampled_from(SKILLS), min_size=1, max_size=4).map(tuple),
    participation=st.sampled_from(list(Participation)),
    assessment_type=texts,
    quality_assurance=texts,
    outcomes=st.lists(outcomes, min_size=3, max_size=5, unique_by=lambda o: o.id).map(tuple),
    criteria=st.none() | texts,
    quality_assurance_body=st.none() | st.just("https://qa.example/agency"),
)
learners = st.builds(
    LearnerInfo,
    home_page=st.sampled_from(["https://moodle.example", "https://canvas.example/lti"]),
    sub=st.text(alphabet="abcdef0123456789-", min_size=1, max_size=36),
    salt=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=4, max_size=16),
    name=st.none() | texts,
    email=st.none() | st.emails(),
)


def issuer_for(key: Ed25519PrivateKey, region: str | None, email: str | None, country_name: str | None) -> IssuerInfo:
    """The test issuer with the optional Annex I fields switched on or off."""
    return IssuerInfo(
        did_key(key.public_key()), 'MASTERY "test" issuer', "https://mastery.example", "IT", region, email, country_name
    )


credentials = st.builds(
    lambda key, learner, unit, region, email, country_name, overall, days, status: build_credential(
        credential_id="urn:uuid:3f1c9a52-8d2e-4c55-9a51-0c6d2d1b8e11",
        issuer=issuer_for(key, region, email, country_name),
        learner=learner,
        unit=unit,
        overall_score=overall,
        issued=dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC),
        achievement_base_url="https://mastery.example/achievements",
        status=status_entry("https://mastery.example/credentials/status/1", status) if status is not None else None,
        valid_until=dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC) + dt.timedelta(days=days) if days else None,
    ),
    key=st.just(Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)),
    learner=learners,
    unit=units,
    region=st.none() | texts,
    email=st.none() | st.just("credentials@mastery.example"),
    country_name=st.none() | st.just("Italia"),
    overall=scores,
    days=st.none() | st.integers(1, 3650),
    status=st.none() | st.integers(0, 131_071),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(credentials)
def test_fast_path_equals_pyld_on_every_credential_we_build(credential: dict[str, Any]) -> None:
    assert canonical_nquads(credential) == canonicalize_safe(credential)


@settings(max_examples=15, deadline=None)
@given(credentials, st.datetimes(timezones=st.just(dt.UTC)))
def test_fast_signature_is_the_pyld_signature(credential: dict[str, Any], created: dt.datetime) -> None:
    key = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
    method = did_key_verification_method(key.public_key())
    # Ed25519 is deterministic: same canonical bytes, same proofValue.
    assert sign_fast(credential, key, method, created) == sign(credential, key, method, created)


def test_fixture_credential_and_its_proof_options(credential: dict[str, Any], test_key: Ed25519PrivateKey) -> None:
    assert canonical_nquads(credential) == canonicalize_safe(credential)
    signed = sign_fast(credential, test_key, did_key_verification_method(test_key.public_key()), CREATED)
    options = {"@context": credential["@context"], **{k: v for k, v in signed["proof"][0].items() if k != "proofValue"}}
    assert canonical_nquads(options) == canonicalize_safe(options)


def test_same_skill_twice_takes_the_n_degree_path(unit: UnitInfo, issuer: IssuerInfo, learner: LearnerInfo) -> None:
    skill = unit.esco[0]
    twice = UnitInfo(
        **{
            **unit.__dict__,
            "esco": (skill, skill),
            "outcomes": (OutcomeInfo("LO1", "Same skill twice", (skill, skill), 0.5, False, 0.6),),
        }
    )
    document = build_credential(
        credential_id="urn:uuid:1",
        issuer=issuer,
        learner=learner,
        unit=twice,
        overall_score=0.5,
        issued=CREATED,
        achievement_base_url="https://mastery.example/a",
    )
    assert canonical_nquads(document) == canonicalize_safe(document)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["credentialSubject"].__setitem__("undefinedTerm", "x"),
        lambda d: d.__setitem__("id", "credentials/1"),  # relative IRI
        lambda d: d.__setitem__("id", "ex:1"),  # could be a compact IRI
        lambda d: d.__setitem__("name", None),
        lambda d: d["credentialSubject"].__setitem__("creditsEarned", float("inf")),
        lambda d: d["credentialSubject"].__setitem__("creditsEarned", "1"),
        lambda d: d["credentialSubject"]["identifier"][0].__setitem__("hashed", "true"),
        lambda d: d.__setitem__("@context", d["@context"][:2]),
        lambda d: d.__setitem__("type", ["VerifiableCredential", "AchievementCredential"]),
        lambda d: d["credentialSubject"]["achievement"].__setitem__("participationMode", "_:b0"),
    ],
)
def test_anything_else_is_not_our_shape(credential: dict[str, Any], change: Any) -> None:
    document = copy.deepcopy(credential)
    change(document)
    with pytest.raises(NotOurShape):
        canonical_nquads(document)
    assert not is_our_shape(document)


def test_canonicalize_any_falls_back_to_pyld() -> None:
    foreign = load_example("basic-openbadgecredential.unsigned.json")
    assert not is_our_shape(foreign)
    assert canonicalize_any(foreign) == canonicalize_safe(foreign)


def test_verify_fast_accepts_ours_and_names_the_failures(
    credential: dict[str, Any], test_key: Ed25519PrivateKey
) -> None:
    signed = sign_fast(credential, test_key, did_key_verification_method(test_key.public_key()), CREATED)
    resolver = Resolver()
    fast, slow = verify_fast(signed, resolver), verify(signed, resolver)
    assert fast.ok and fast.as_dict() == slow.as_dict()
    renamed = copy.deepcopy(signed)
    renamed["credentialSubject"]["achievement"]["name"] = "Something else"
    assert {c.name for c in verify_fast(renamed, resolver).checks if not c.ok} == {"signature"}
    extended = copy.deepcopy(signed)
    extended["credentialSubject"]["undefinedTerm"] = "x"  # not our shape: pyld's safe mode rejects it
    assert {c.name for c in verify_fast(extended, resolver).checks if not c.ok} == {"safe_mode"}
    other_key = Ed25519PrivateKey.from_private_bytes(b"\x01" * 32)
    forged = sign_fast(credential, other_key, did_key_verification_method(other_key.public_key()), CREATED)
    assert {c.name for c in verify_fast(forged, resolver).checks if not c.ok} == {"issuer_binding"}


def test_verify_fast_hands_foreign_credentials_to_pyld(vector_resolver: Resolver) -> None:
    vector = load_example("simple.signed-eddsa-rdfc-2022.1edtech-validator-testvector.json")
    assert verify_fast(vector, vector_resolver).as_dict() == verify(vector, vector_resolver).as_dict()
    assert verify_fast(vector, vector_resolver).ok
