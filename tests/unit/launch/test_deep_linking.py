"""The pure Deep Linking 2.0 pieces: settings, selection rules, content items, the signed response."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lti_tool.catalogue.picker import UnitFilter, esco_label
from lti_tool.errors import LaunchError, ValidationFailed
from lti_tool.launch.claims import Claim
from lti_tool.launch.deep_linking import (
    DeepLinkingClaim,
    PickedUnit,
    check_selection,
    content_items,
    parse_settings,
    response_claims,
    sign,
)

RETURN = "https://lms.example.org/mod/lti/contentitem_return.php?course=2&id=5"


def _claims(**settings: Any) -> dict[str, Any]:
    base = {"deep_link_return_url": RETURN, "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe"]}
    base.update(settings)
    return {Claim.DEEP_LINKING_SETTINGS: {k: v for k, v in base.items() if v is not None}}


def test_settings_defaults_and_string_flags() -> None:
    settings = parse_settings(_claims(accept_multiple="false", auto_create="true"))
    assert (settings.accept_multiple, settings.auto_create, settings.accept_lineitem) == (False, True, True)
    assert not settings.has_data
    assert parse_settings(_claims()).accept_multiple is True  # DL 2.0: absent means true


@pytest.mark.parametrize(("claims", "code"), [
    ({}, "not_deep_linking"),
    (_claims(deep_link_return_url=None), "missing_return_url"),
    (_claims(deep_link_return_url="javascript:alert(1)"), "missing_return_url"),
    (_claims(accept_types=["link", "html"]), "unsupported_accept_types"),
])
def test_unanswerable_requests(claims: dict[str, Any], code: str) -> None:
    with pytest.raises(LaunchError) as raised:
        parse_settings(claims)
    assert raised.value.code == code


def test_selection_rules() -> None:
    single = parse_settings(_claims(accept_multiple=False))
    check_selection(single, ["a"])
    for slugs, code in (([], "nothing_selected"), (["a", "b"], "multiple_not_accepted"),
                        (["a", "a"], "duplicate_selection")):
        with pytest.raises(ValidationFailed) as raised:
            check_selection(single, slugs)
        assert raised.value.code == code


def test_items_and_line_items() -> None:
    unit = PickedUnit(slug="wood-x", title="Wood X", text="About wood")
    [item] = content_items([unit], launch_url="https://tool/lti/launch", settings=parse_settings(_claims()))
    assert item == {"type": "ltiResourceLink", "title": "Wood X", "text": "About wood", "url": "https://tool/lti/launch",
                    "custom": {"unit": "wood-x"},
                    "lineItem": {"scoreMaximum": 100.0, "label": "Wood X", "resourceId": "wood-x"}}
    [bare] = content_items([unit], launch_url="https://tool/lti/launch",
                           settings=parse_settings(_claims(accept_lineitem=False)))
    assert "lineItem" not in bare


@pytest.mark.parametrize("data", [None, "", {"opaque": [1, 2]}, "csrf-abc"])
def test_response_echoes_data_exactly_when_sent(data: Any) -> None:
    sent = parse_settings(_claims(data=data) if data is not None else _claims())
    claims = response_claims(issuer="https://lms", client_id="cid", deployment_id="d1", settings=sent, items=[],
                             now=1000)
    if data is None:
        assert DeepLinkingClaim.DATA not in claims  # pylti1p3next alone would send null
    else:
        assert claims[DeepLinkingClaim.DATA] == data
    assert claims["aud"] == "https://lms" and claims["iss"] == "cid"
    assert claims[Claim.DEPLOYMENT_ID] == "d1" and claims[Claim.MESSAGE_TYPE] == "LtiDeepLinkingResponse"
    assert (claims["iat"], claims["exp"]) == (1000, 1300) and claims["nonce"]


def test_signature_carries_the_kid() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    claims = response_claims(issuer="https://lms", client_id="cid", deployment_id="d1",
                             settings=parse_settings(_claims()), items=[])
    token = sign(claims, kid="k1", private_pem=pem)
    assert jwt.get_unverified_header(token)["kid"] == "k1"
    assert jwt.decode(token, key.public_key(), algorithms=["RS256"], audience="https://lms")["iss"] == "cid"


def test_filter_reads_args_leniently() -> None:
    chosen = UnitFilter.from_args({"eqf": "five", "workload": "25", "q": "  Energy  "})
    assert (chosen.eqf_level, chosen.max_workload, chosen.query) == (None, 25, "Energy")
    entry = {"slug": "s", "title": "Energy audit", "summary": "", "sector": "building", "outcomes": [],
             "esco": [], "workload_hours": 25, "languages": ["en"], "eqf_level": 5}
    assert chosen.matches(entry)
    assert not UnitFilter(max_workload=10).matches(entry)
    wood = "http://data.europa.eu/esco/skill/6044d62b-7499-4c5d-81ae-2fea443013b2"
    assert esco_label(wood).text == "wood preservation"
