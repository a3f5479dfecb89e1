"""OB 3.0 AchievementCredential JSON Schema check (shipped copy, with format checking)."""

from __future__ import annotations

import copy

import pytest

from lti_tool.credentials.verification.schema_check import SCHEMA_DIR, schema_errors

from .conftest import EXAMPLES, OB_SPEC, load_example

OB_DOCS = sorted(
    p.name
    for p in EXAMPLES.glob("*.json")
    if "OpenBadgeCredential" in str(load_example(p.name)["type"])
    or "AchievementCredential" in str(load_example(p.name)["type"])
)
VCDM2_OB_DOCS = [n for n in OB_DOCS if "1edtech-revocationlist" not in n]


def test_shipped_schema_is_the_spec_copy() -> None:
    name = "ob_v3p0_achievementcredential_schema.json"
    assert (SCHEMA_DIR / name).read_bytes() == (OB_SPEC / "schema" / name).read_bytes()


@pytest.mark.parametrize(
    "name", [n for n in VCDM2_OB_DOCS if "impl-guide" not in n and "bitstring-status-revoked" not in n]
)
def test_vcdm2_examples_validate(name: str) -> None:
    assert schema_errors(load_example(name)) == []


@pytest.mark.parametrize(
    "name",
    [
        "impl-guide.signed-eddsa-rdfc-2022.1edtech-testvector.json",
        "bitstring-status-revoked.1edtech-validator-testvector.json",
    ],
)
def test_proof_as_an_object_fails(name: str) -> None:
    errors = schema_errors(load_example(name))
    assert any(error.startswith("proof") for error in errors), errors


def test_bad_date_time_is_caught_by_format_checking() -> None:
    document = load_example("mastery-wood-u1.signed-eddsa-rdfc-2022.TESTKEY.json")
    document["validFrom"] = "30/06/2025"
    assert any(error.startswith("validFrom") for error in schema_errors(document))


def test_context_order_and_type_arrays_are_enforced() -> None:
    document = load_example("mastery-wood-u1.signed-eddsa-rdfc-2022.TESTKEY.json")
    swapped = copy.deepcopy(document)
    swapped["@context"].reverse()
    assert any(error.startswith("@context") for error in schema_errors(swapped))
    single_type = copy.deepcopy(document)
    single_type["credentialSubject"]["type"] = "AchievementSubject"
    assert schema_errors(single_type)
