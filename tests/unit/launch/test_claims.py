"""Role mapping and the claim checks pylti1p3next leaves out."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.errors import LaunchError
from lti_tool.http_url import origin, same_origin
from lti_tool.launch.claims import Claim, LtiLaunch, Role, check_lti_claims, map_roles

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


@pytest.mark.parametrize(("uris", "expected"), [
    ([LIS + "membership#Learner"], {Role.LEARNER}),
    ([LIS + "membership#Instructor"], {Role.INSTRUCTOR}),
    # Moodle site admin: context role plus institution and system administrator
    ([LIS + "membership#Instructor", LIS + "institution/person#Administrator", LIS + "system/person#Administrator"],
     {Role.INSTRUCTOR, Role.ADMINISTRATOR}),
    # Open edX learners also carry the "None" roles: ignored, not rejected
    ([LIS + "membership#Learner", LIS + "system/person#None", LIS + "institution/person#None"], {Role.LEARNER}),
    # deprecated short names (LTI Core §A.2.3.1) and Canvas' TA sub-role
    (["Instructor"], {Role.INSTRUCTOR}),
    (["Learner"], {Role.LEARNER}),
    ([LIS + "membership/Instructor#TeachingAssistant"], {Role.TEACHING_ASSISTANT}),
    ([LIS + "membership#ContentDeveloper"], {Role.CONTENT_DEVELOPER}),
    ([LIS + "membership#Mentor"], {Role.MENTOR}),
    (["http://example.org/unknown#Role", 42], set()),
])
def test_roles_from_moodle_canvas_open_edx(uris: list[Any], expected: set[Role]) -> None:
    assert map_roles(uris) == frozenset(expected)


@given(st.lists(st.text(max_size=40), max_size=8))
def test_role_mapping_never_fails_on_unknown_strings(uris: list[str]) -> None:
    assert map_roles(uris) <= frozenset(Role)


def _claims(**changes: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": "https://lms.example", "aud": "client-1", "sub": "42", "nonce": "n",
        Claim.VERSION: "1.3.0", Claim.DEPLOYMENT_ID: "1", Claim.MESSAGE_TYPE: "LtiResourceLinkRequest",
        Claim.ROLES: [LIS + "membership#Learner"], Claim.TARGET_LINK_URI: "https://tool.example/lti/launch",
        Claim.RESOURCE_LINK: {"id": "rl"}, Claim.CONTEXT: {"id": "c1"},
    }
    claims.update(changes)
    return claims


def test_valid_claims_pass() -> None:
    check_lti_claims(_claims(), client_id="client-1", expected_target="https://tool.example/lti/launch")


@pytest.mark.parametrize(("changes", "code"), [
    ({"aud": ["client-1", "other"]}, "wrong_azp"),
    ({"aud": ["client-1", "other"], "azp": "other"}, "wrong_azp"),
    ({"aud": ["other"]}, "wrong_audience"),
    ({"azp": "other"}, "wrong_azp"),
    ({Claim.VERSION: "1.1"}, "wrong_version"),
    ({"sub": ""}, "missing_sub"),
    ({Claim.DEPLOYMENT_ID: ""}, "missing_deployment"),
    ({Claim.MESSAGE_TYPE: "LtiSubmissionReviewRequest"}, "unsupported_message"),
    ({Claim.ROLES: "Learner"}, "missing_roles"),
    ({Claim.TARGET_LINK_URI: "https://tool.example/other"}, "target_mismatch"),
    ({Claim.RESOURCE_LINK: {}}, "missing_resource_link"),
    ({Claim.CONTEXT: {"title": "no id"}}, "bad_context"),
])
def test_each_claim_check_refuses(changes: dict[str, Any], code: str) -> None:
    with pytest.raises(LaunchError) as error:
        check_lti_claims(_claims(**changes), client_id="client-1", expected_target="https://tool.example/lti/launch")
    assert error.value.code == code


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1f", "\x7f"], ids=["NUL", "BEL", "US", "DEL"])
@pytest.mark.parametrize("where", ["sub", "deployment", "context", "resource link"])
def test_identifiers_with_control_characters_are_refused(control: str, where: str) -> None:
    value = f"id{control}42"
    changes = {"sub": {"sub": value}, "deployment": {Claim.DEPLOYMENT_ID: value},
               "context": {Claim.CONTEXT: {"id": value}}, "resource link": {Claim.RESOURCE_LINK: {"id": value}}}
    with pytest.raises(LaunchError) as error:
        check_lti_claims(_claims(**changes[where]), client_id="client-1", expected_target=None)
    assert error.value.code == "bad_claim"


def test_printable_identifiers_pass() -> None:
    check_lti_claims(_claims(sub="Ünïcode 42 ~ \u00a0\u2028", **{Claim.CONTEXT: {"id": "c 1"}}), client_id="client-1",
                     expected_target=None)


def test_several_audiences_with_azp_pass() -> None:
    check_lti_claims(_claims(aud=["other", "client-1"], azp="client-1"), client_id="client-1", expected_target=None)


def test_target_compares_scheme_host_and_path_not_query() -> None:
    check_lti_claims(_claims(**{Claim.TARGET_LINK_URI: "HTTPS://Tool.Example/lti/launch?x=1"}),
                     client_id="client-1", expected_target="https://tool.example/lti/launch")


def test_launch_reads_only_our_custom_unit() -> None:
    launch = LtiLaunch(_claims(**{Claim.CUSTOM: {"unit": " wood-chain-of-custody ", "context_memberships_url": "x",
                                                 "link_setting_url": "{link_id}"}}))
    assert launch.unit_slug == "wood-chain-of-custody"
    assert LtiLaunch(_claims(**{Claim.CUSTOM: "not a dict"})).unit_slug is None
    assert launch.client_id == "client-1" and not launch.is_staff


def test_same_origin() -> None:
    assert same_origin("http://127.0.0.1:5000/lti/launch", "http://127.0.0.1:5000")
    assert not same_origin("http://127.0.0.1:5001/lti/launch", "http://127.0.0.1:5000")
    assert not same_origin("https://127.0.0.1:5000/", "http://127.0.0.1:5000")


def test_origin_is_scheme_host_and_port_of_an_http_url_only() -> None:
    # The one origin helper: frame-ancestors, the platform-storage postMessage target, dynamic registration.
    assert origin("https://Moodle.example:8443/login/auth.php?x=1") == "https://moodle.example:8443"
    assert origin("http://lms.example") == "http://lms.example"
    assert origin("javascript:alert(1)") == ""
    assert origin("https:///no-host") == ""
    assert origin("") == ""
