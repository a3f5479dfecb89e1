"""Self-tests of the test platform's services: token endpoint, AGS, NRPS, deep-linking return."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
import requests

from . import Claim, LtiRoles, MessageType, Scope, TestPlatform, new_signing_key
from .stub_tool import StubTool


# ---- token endpoint ----------------------------------------------------------------------------------
def token_request(platform: TestPlatform, assertion: str, scope: str = Scope.SCORE, **extra: str) -> requests.Response:
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
        "scope": scope,
        **extra,
    }
    return requests.post(platform.auth_token_url, data=data, timeout=5)


def test_token_endpoint_grants_requested_known_scopes(platform: TestPlatform, tool: StubTool) -> None:
    answer = token_request(platform, tool.client_assertion(), f"{Scope.SCORE} {Scope.LINEITEM} urn:unknown")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["access_token"]
    assert set(body["scope"].split()) == {Scope.SCORE, Scope.LINEITEM}


@pytest.mark.parametrize(
    "bad",
    [
        {"key": new_signing_key()},  # signed by a key the tool's JWKS does not hold
        {"aud": "http://127.0.0.1:1/token"},
        {"iss": "someone-else"},
        {"sub": "someone-else"},
        {"exp": int(time.time()) - 120},
        {"jti": None},
        {"exp": None},
    ],
)
def test_token_endpoint_refuses_bad_assertions(platform: TestPlatform, tool: StubTool, bad: dict[str, Any]) -> None:
    answer = token_request(platform, tool.client_assertion(**bad))
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


def test_token_endpoint_refuses_replay_wrong_grant_scope_and_unknown_jwks(
    platform: TestPlatform, tool: StubTool
) -> None:
    assertion = tool.client_assertion()
    assert token_request(platform, assertion).status_code == 200
    assert token_request(platform, assertion).json()["error_description"].endswith("already used")
    assert (
        token_request(platform, tool.client_assertion(), grant_type="password").json()["error"]
        == "unsupported_grant_type"
    )
    assert token_request(platform, tool.client_assertion(), "urn:nothing").json()["error"] == "invalid_scope"
    unsigned = platform.build_id_token(
        jwt.decode(tool.client_assertion(), options={"verify_signature": False}), alg="none"
    )
    assert token_request(platform, unsigned).status_code == 401
    platform.tool_jwks_url = None
    assert token_request(platform, tool.client_assertion()).status_code == 401


# ---- AGS ----------------------------------------------------------------------------------------------
def ags(token: str, content_type: str | None = None, accept: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if content_type:
        headers["Content-Type"] = content_type
    if accept:
        headers["Accept"] = accept
    return headers


def scores_url(lineitem: str) -> str:
    path, _, query = lineitem.partition("?")
    return f"{path}/scores?{query}"


def test_ags_line_items_and_scores(platform: TestPlatform, tool: StubTool) -> None:
    claim = tool.launch().json()["claims"][Claim.AGS_ENDPOINT]
    token = tool.access_token(*claim["scope"])
    lt = "application/vnd.ims.lis.v2.lineitem+json"
    for n in range(2):
        made = requests.post(
            claim["lineitems"],
            json={"label": f"Extra {n}", "scoreMaximum": 10, "tag": "x"},
            headers=ags(token, lt),
            timeout=5,
        )
        assert made.status_code == 201 and made.json()["id"].endswith("/lineitem?type_id=1")
    listed = requests.get(claim["lineitems"], params={"limit": 2}, headers=ags(token), timeout=5)
    assert len(listed.json()) == 2 and listed.links["next"]["url"].endswith("page=2")
    assert "type_id=1" in listed.links["next"]["url"]
    assert len(requests.get(listed.links["next"]["url"], headers=ags(token), timeout=5).json()) == 1
    tagged = requests.get(claim["lineitems"], params={"tag": "x"}, headers=ags(token), timeout=5).json()
    assert [i["label"] for i in tagged] == ["Extra 0", "Extra 1"]
    item = requests.get(claim["lineitem"], headers=ags(token), timeout=5).json()
    assert item["resourceLinkId"] == "rl-1"
    put = requests.put(tagged[0]["id"], json={"label": "Renamed", "scoreMaximum": 5}, headers=ags(token, lt), timeout=5)
    assert put.json()["label"] == "Renamed"
    assert requests.delete(tagged[1]["id"], headers=ags(token), timeout=5).status_code == 204
    st = "application/vnd.ims.lis.v1.score+json"
    score = {
        "userId": "2",
        "scoreGiven": 8,
        "scoreMaximum": 10,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": "2026-11-23T10:00:00.123+00:00",
    }
    posted = requests.post(scores_url(claim["lineitem"]), data=json.dumps(score), headers=ags(token, st), timeout=5)
    assert posted.status_code == 200 and posted.content == b""
    assert platform.scores[-1]["lineitem"] == claim["lineitem"] and platform.scores[-1]["scoreGiven"] == 8
    results = requests.get(claim["lineitem"].replace("?", "/results?"), headers=ags(token), timeout=5).json()
    assert results[0]["userId"] == "2" and results[0]["resultScore"] == 8
    for bad, status in [
        ({**score, "scoreGiven": 11}, 400),
        ({**score, "activityProgress": "Done"}, 400),
        ({**score, "timestamp": "2026-11-23T10:00:00"}, 400),
        ({**score, "userId": "999"}, 400),
        ({**score, "timestamp": "2026-11-23T09:00:00+00:00"}, 409),
    ]:
        answer = requests.post(scores_url(claim["lineitem"]), data=json.dumps(bad), headers=ags(token, st), timeout=5)
        assert answer.status_code == status, (bad, answer.text)
    wrong_type = requests.post(scores_url(claim["lineitem"]), json=score, headers=ags(token), timeout=5)
    assert wrong_type.status_code == 415 and len(platform.scores) == 1


def test_ags_requires_a_bearer_token_with_the_right_scope(platform: TestPlatform, tool: StubTool) -> None:
    claim = tool.launch().json()["claims"][Claim.AGS_ENDPOINT]
    assert requests.get(claim["lineitems"], timeout=5).status_code == 401
    assert requests.get(claim["lineitems"], headers=ags("forged"), timeout=5).status_code == 401
    read_only = tool.access_token(Scope.LINEITEM_READONLY)
    assert requests.get(claim["lineitems"], headers=ags(read_only), timeout=5).status_code == 200
    denied = requests.post(scores_url(claim["lineitem"]), headers=ags(read_only), timeout=5)
    assert denied.status_code == 403 and denied.json()["error"] == "insufficient_scope"
    platform.oauth.expire_access_tokens()
    assert requests.get(claim["lineitems"], headers=ags(read_only), timeout=5).status_code == 401


# ---- NRPS ---------------------------------------------------------------------------------------------
def test_nrps_members_with_paging_and_role_filter(platform: TestPlatform, tool: StubTool) -> None:
    url = tool.launch().json()["claims"][Claim.NRPS]["context_memberships_url"]
    platform.members += [{"status": "Active", "user_id": str(n), "roles": [LtiRoles.INSTRUCTOR]} for n in (3, 4)]
    token = tool.access_token(Scope.NRPS_READONLY)
    accept = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
    seen, next_url = [], url + "?limit=2"
    while next_url:
        page = requests.get(next_url, headers=ags(token, accept=accept), timeout=5)
        assert page.headers["Content-Type"] == accept and page.json()["context"]["id"] == "course-1"
        seen += [m["user_id"] for m in page.json()["members"]]
        next_url = page.links.get("next", {}).get("url")
    assert seen == ["2", "3", "4"]
    teachers = requests.get(url, params={"role": "Instructor"}, headers=ags(token, accept=accept), timeout=5)
    assert [m["user_id"] for m in teachers.json()["members"]] == ["3", "4"]
    assert requests.get(url, headers=ags(tool.access_token(Scope.SCORE)), timeout=5).status_code == 403


# ---- deep linking return ------------------------------------------------------------------------------
def dl_response(platform: TestPlatform, **overrides: Any) -> dict[str, Any]:
    settings = platform.last_id_token_claims[Claim.DL_SETTINGS]
    now = int(time.time())
    claims = {
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": now,
        "exp": now + 60,
        "nonce": "n-1",
        Claim.MESSAGE_TYPE: "LtiDeepLinkingResponse",
        Claim.VERSION: "1.3.0",
        Claim.DEPLOYMENT_ID: platform.last_id_token_claims[Claim.DEPLOYMENT_ID],
        Claim.DL_DATA: settings["data"],
        Claim.DL_CONTENT_ITEMS: [
            {
                "type": "ltiResourceLink",
                "title": "Wood 1",
                "url": "http://127.0.0.1/lti/launch",
                "custom": {"unit": "wood-1"},
            }
        ],
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def post_dl(platform: TestPlatform, jwt_value: str) -> requests.Response:
    url = platform.last_id_token_claims[Claim.DL_SETTINGS]["deep_link_return_url"]
    return requests.post(url, data={"JWT": jwt_value}, timeout=5)


@pytest.mark.parametrize(
    "bad",
    [
        {"aud": "http://127.0.0.1:1"},
        {"iss": "someone-else"},
        {"nonce": None},
        {Claim.DEPLOYMENT_ID: "deployment-2"},
        {Claim.DL_DATA: "changed"},
        {Claim.MESSAGE_TYPE: "LtiResourceLinkRequest"},
        {Claim.VERSION: "1.1"},
        {Claim.DL_CONTENT_ITEMS: [{"type": "file", "url": "http://127.0.0.1/x"}]},
    ],
)
def test_deep_link_return_checks_the_response(platform: TestPlatform, tool: StubTool, bad: dict[str, Any]) -> None:
    tool.launch(roles=[LtiRoles.INSTRUCTOR], message_type=MessageType.DEEP_LINKING_REQUEST)
    assert post_dl(platform, tool.sign(dl_response(platform))).status_code == 200
    assert platform.deep_link_responses[-1][Claim.DL_CONTENT_ITEMS][0]["custom"] == {"unit": "wood-1"}
    refused = post_dl(platform, tool.sign(dl_response(platform, **bad)))
    assert refused.status_code == 400 and len(platform.deep_link_errors) == 1
    assert len(platform.deep_link_responses) == 1


def test_deep_link_return_refuses_unknown_keys_and_algs(platform: TestPlatform, tool: StubTool) -> None:
    tool.launch(roles=[LtiRoles.INSTRUCTOR], message_type=MessageType.DEEP_LINKING_REQUEST)
    good = dl_response(platform)
    assert post_dl(platform, tool.sign(good, new_signing_key())).status_code == 400
    assert post_dl(platform, platform.build_id_token(good, alg="none")).status_code == 400
    assert post_dl(platform, platform.build_id_token(good, alg="HS256", key="x" * 32)).status_code == 400
    assert (
        requests.post(platform.issuer + "/deep_link_return", data={"JWT": tool.sign(good)}, timeout=5).status_code
        == 400
    )
    assert [e.split(" ")[0] for e in platform.deep_link_errors] == ["kid", "alg", "alg", "no"]
