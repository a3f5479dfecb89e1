"""Self-tests of the independent LTI 1.3 test platform, against a stub tool (no MASTERY Tool code involved)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import jwt
import pytest
import requests
from jwt.algorithms import RSAAlgorithm

from . import Claim, LtiRoles, MessageType, Scope, TestPlatform, new_signing_key
from .browser import next_hop
from .stub_tool import StubTool


def b64json(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


# ---- keys and tokens ----------------------------------------------------------------------------------
def test_jwks_is_a_valid_public_rsa_key_set(platform: TestPlatform) -> None:
    keys = requests.get(platform.key_set_url, timeout=5).json()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert {key["kty"], key["alg"], key["use"]} == {"RSA", "RS256", "sig"} and key["kid"] == platform.kid
    assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()  # public parts only
    assert RSAAlgorithm.from_jwk(key).key_size == 2048  # type: ignore[union-attr]


def test_rotate_key_replaces_the_key_and_kid(platform: TestPlatform) -> None:
    old_kid, old_token = platform.kid, platform.build_id_token({"sub": "1"})
    platform.rotate_key()
    kids = [k["kid"] for k in requests.get(platform.key_set_url, timeout=5).json()["keys"]]
    assert kids == [platform.kid] and platform.kid != old_kid
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(old_token, RSAAlgorithm.from_jwk(platform.public_jwks()["keys"][0]), algorithms=["RS256"])  # type: ignore[arg-type]


def test_built_tokens_rs256_none_and_hs256(platform: TestPlatform) -> None:
    claims = {"iss": platform.issuer, "sub": "7"}
    rs = platform.build_id_token(claims)
    assert jwt.get_unverified_header(rs) == {"typ": "JWT", "alg": "RS256", "kid": platform.kid}
    public = RSAAlgorithm.from_jwk(platform.public_jwks()["keys"][0])
    assert jwt.decode(rs, public, algorithms=["RS256"]) == claims  # type: ignore[arg-type]
    unsigned = platform.build_id_token(claims, alg="none")
    assert unsigned.endswith(".") and b64json(unsigned.split(".")[0])["alg"] == "none"
    assert (
        jwt.decode(
            platform.build_id_token(claims, alg="HS256", key="s3cret-s3cret-s3cret-s3cret-1234"),
            "s3cret-s3cret-s3cret-s3cret-1234",
            algorithms=["HS256"],
        )
        == claims
    )
    confused = platform.build_id_token(claims, alg="HS256")  # secret = the platform's public PEM
    head, body, sig = confused.split(".")
    expected = hmac.new(platform._key.public_pem(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)) == expected
    no_kid = platform.build_id_token(claims, headers={"kid": None, "typ": "at+jwt"})
    assert jwt.get_unverified_header(no_kid) == {"alg": "RS256", "typ": "at+jwt"}
    assert b"PRIVATE KEY" in platform.private_key_pem()


# ---- the launch ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("style", ["302", "form", "js"])
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_full_launch_through_each_redirect_style(
    platform: TestPlatform, tool: StubTool, style: str, method: str
) -> None:
    tool.redirect_style = style
    answer = tool.launch(login_method=method, custom={"unit": "wood-1"}, lti_storage_target="_parent")
    assert answer.status_code == 200, answer.text
    claims = answer.json()["claims"]
    assert claims == platform.last_id_token_claims
    login = tool.logins[-1]
    assert login["iss"] == platform.issuer and login["login_hint"] == "2" and login["client_id"] == platform.client_id
    assert login["lti_deployment_id"] == "deployment-1" and login["lti_storage_target"] == "_parent"
    assert login["target_link_uri"] == f"{tool.base_url}/lti/launch"
    assert set(json.loads(login["lti_message_hint"])) == {"cmid", "launchid"}
    assert platform.auth_requests[-1]["lti_message_hint"] == login["lti_message_hint"]
    assert claims["aud"] == claims["azp"] == platform.client_id and claims["exp"] - claims["iat"] == 60
    assert claims[Claim.VERSION] == "1.3.0" and claims[Claim.MESSAGE_TYPE] == "LtiResourceLinkRequest"
    assert claims[Claim.RESOURCE_LINK]["id"] == "rl-1" and claims[Claim.CONTEXT]["label"] == "GS101"
    assert claims[Claim.ROLES] == [LtiRoles.LEARNER] and claims[Claim.CUSTOM] == {"unit": "wood-1"}
    assert claims["name"] == "Alice Green" and claims[Claim.LAUNCH_PRESENTATION]["document_target"] == "iframe"
    ags = claims[Claim.AGS_ENDPOINT]
    assert ags["lineitems"].endswith("/lineitems?type_id=1") and ags["lineitem"].endswith("/lineitem?type_id=1")
    assert set(ags["scope"]) == {Scope.LINEITEM, Scope.LINEITEM_READONLY, Scope.RESULT_READONLY, Scope.SCORE}
    assert claims[Claim.NRPS]["service_versions"] == ["1.0", "2.0"]
    assert Claim.DL_SETTINGS not in claims


def test_deep_linking_request_claims(platform: TestPlatform, tool: StubTool) -> None:
    answer = tool.launch(roles=[LtiRoles.INSTRUCTOR], message_type=MessageType.DEEP_LINKING_REQUEST)
    claims = answer.json()["claims"]
    settings = claims[Claim.DL_SETTINGS]
    assert settings["accept_types"] == ["ltiResourceLink"] and settings["accept_multiple"] is True
    assert settings["auto_create"] is False and settings["data"]
    assert settings["deep_link_return_url"].startswith(f"{platform.issuer}/deep_link_return?")
    assert Claim.RESOURCE_LINK not in claims and "lineitem" not in claims[Claim.AGS_ENDPOINT]


def test_hooks_shape_the_token_and_a_forged_header_is_refused_by_the_tool(
    platform: TestPlatform, tool: StubTool
) -> None:
    answer = tool.launch(claims_hook=lambda c: {**c, "aud": [platform.client_id, "other"]})
    assert answer.json()["claims"]["aud"] == [platform.client_id, "other"]
    answer = tool.launch(header_hook=lambda h: {**h, "alg": "none"})
    assert answer.status_code == 400 and platform.last_id_token.endswith(".")
    answer = tool.launch(signing_key=new_signing_key().private_key)  # right kid, wrong key
    assert answer.status_code == 400 and "Signature" in answer.json()["error"]
    answer = tool.launch(signing_key=new_signing_key())  # a key with its own, unknown kid
    assert answer.status_code == 400 and "StopIteration" in answer.json()["error"]


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"redirect_uri": "http://127.0.0.1:1/evil"}, "invalid_request"),
        ({"client_id": "someone-else"}, "invalid_client"),
        ({"lti_message_hint": '{"cmid": 1, "launchid": "forged"}'}, "invalid_request"),
    ],
)
def test_auth_endpoint_never_redirects_for_bad_client_or_redirect_uri(
    platform: TestPlatform, tool: StubTool, override: dict[str, str], error: str
) -> None:
    tool.auth_overrides = override
    answer = tool.launch()
    assert answer.status_code == 400 and answer.url.startswith(platform.auth_login_url)
    assert platform.auth_errors[-1]["error"] == error and not platform.last_id_token


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"response_mode": "query"}, "invalid_request"),
        ({"response_type": "code"}, "unsupported_response_type"),
        ({"scope": "profile"}, "invalid_scope"),
        ({"prompt": None}, "invalid_request"),
        ({"nonce": None}, "invalid_request"),
        ({"login_hint": "3"}, "login_required"),
    ],
)
def test_auth_endpoint_sends_other_errors_to_the_redirect_uri(
    platform: TestPlatform, tool: StubTool, override: dict[str, str | None], error: str
) -> None:
    tool.auth_overrides = override
    answer = tool.launch()
    assert answer.status_code == 400 and answer.json()["error"] == error and not platform.last_id_token


def test_a_launch_is_used_once_and_redirect_uris_are_settable(platform: TestPlatform, tool: StubTool) -> None:
    assert tool.launch().status_code == 200
    replay = requests.get(platform.auth_login_url, params=platform.auth_requests[-1], timeout=5)
    assert replay.status_code == 400 and "already used" in platform.auth_errors[-1]["error_description"]
    platform.redirect_uris = [f"{tool.base_url}/elsewhere"]
    assert tool.launch().status_code == 400
    assert "not registered" in platform.auth_errors[-1]["error_description"]
    platform.redirect_uris = [f"{tool.base_url}/elsewhere", f"{tool.base_url}/lti/launch"]
    assert tool.launch().status_code == 200


def test_launch_return_url_records_messages(platform: TestPlatform, tool: StubTool) -> None:
    return_url = tool.launch().json()["claims"][Claim.LAUNCH_PRESENTATION]["return_url"]
    assert requests.get(return_url, params={"lti_errormsg": "No unit"}, timeout=5).status_code == 200
    assert platform.returns[-1]["lti_errormsg"] == "No unit"


def test_next_hop_parses_js_meta_and_forms() -> None:
    def page(body: str) -> requests.Response:
        response = requests.Response()
        response.status_code, response.url = 200, "http://127.0.0.1:9/a/b"
        response.headers["Content-Type"] = "text/html"
        response._content = body.encode()
        return response

    hop = next_hop(page('<script>window.location.replace("\\/x?a=1\\u0026b=2");</script>'))
    assert hop is not None and (hop.method, hop.url) == ("GET", "http://127.0.0.1:9/x?a=1&b=2")
    hop = next_hop(page('<meta http-equiv="refresh" content="0; url=/m">'))
    assert hop is not None and hop.url == "http://127.0.0.1:9/m"
    hop = next_hop(
        page(
            '<form method="post" action="c"><input type="hidden" name="k" value="a&amp;b">'
            '<textarea name="t">x</textarea></form><script>document.forms[0].submit()</script>'
        )
    )
    assert hop is not None and (hop.method, hop.url, hop.data) == (
        "POST",
        "http://127.0.0.1:9/a/c",
        {"k": "a&b", "t": "x"},
    )
    assert next_hop(page("<form action='x'><input name='q'></form><p>a form nobody submits</p>")) is None
