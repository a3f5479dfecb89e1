"""Deep Linking 2.0 end to end: the independent platform asks, a teacher picks units, the platform verifies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import jwt
import pytest
import requests
from jwt.algorithms import RSAAlgorithm

from tests.conftest import LEARNER, TEACHER, LiveTool
from tests.landing import landing_url
from tests.lti_platform import Claim, LtiRoles, MessageType, TestPlatform

UNITS = ("wood-chain-of-custody", "building-selective-demolition")


@dataclass
class Form:
    """One HTML form as a browser would submit it."""

    form_id: str
    action: str
    method: str
    hidden: dict[str, str] = field(default_factory=dict)
    checkboxes: dict[str, list[str]] = field(default_factory=dict)
    attrs: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(attr.get("id", ""), attr.get("action", ""), attr.get("method", "get").upper(),
                                   attrs=attr))
        elif tag == "input" and self.forms and attr.get("name"):
            if attr.get("type") == "checkbox":
                self.forms[-1].checkboxes.setdefault(attr["name"], []).append(attr.get("value", ""))
            elif attr.get("type") == "hidden":
                self.forms[-1].hidden[attr["name"]] = attr.get("value", "")


def form(response: requests.Response, form_id: str) -> Form:
    """The form with that id on the page (fails the test when it is missing)."""
    parser = _Forms()
    parser.feed(response.text)
    found = next((f for f in parser.forms if f.form_id == form_id), None)
    assert found is not None, f"no form #{form_id} in {response.url}: {response.text[:400]}"
    found.action = urljoin(response.url, found.action)
    return found


def deep_link_launch(tool: LiveTool, platform: TestPlatform, browser: requests.Session, *,
                     roles: list[str] | None = None,
                     settings_hook: Callable[[dict[str, Any]], None] | None = None,
                     **kwargs: Any) -> requests.Response:
    """An LtiDeepLinkingRequest from the platform, as Moodle sends it (no resource link)."""
    def hook(claims: dict[str, Any]) -> dict[str, Any]:
        if settings_hook is not None:
            settings_hook(claims[Claim.DL_SETTINGS])
        return claims

    return platform.launch(browser, login_url=tool.login_url, target_link_uri=tool.launch_url, user=TEACHER,
                           roles=roles or [LtiRoles.INSTRUCTOR], message_type=MessageType.DEEP_LINKING_REQUEST,
                           resource_link=None, claims_hook=hook, **kwargs)


def pick(browser: requests.Session, picker: requests.Response, slugs: tuple[str, ...],
         *, csrf: bool = True) -> requests.Response:
    """Tick units on the picker and submit it like a browser (with the page's CSRF token)."""
    select = form(picker, "deep-link-select")
    data: dict[str, Any] = {"unit": list(slugs)}
    if csrf:
        data["csrf_token"] = select.hidden["csrf_token"]
    return browser.post(select.action, data=data, timeout=10)


def verify_with_tool_jwks(tool: LiveTool, token: str, *, issuer: str, client_id: str) -> dict[str, Any]:
    """Our own check of the signed answer, independent of the platform's: kid in the JWKS, RS256, iss, aud."""
    header = jwt.get_unverified_header(token)
    keys = requests.get(tool.url + "/.well-known/jwks.json", timeout=5).json()["keys"]
    jwk = next(k for k in keys if k["kid"] == header["kid"])
    assert header["alg"] == "RS256"
    return jwt.decode(token, RSAAlgorithm.from_jwk(jwk), algorithms=["RS256"],  # type: ignore[arg-type]
                      audience=issuer, issuer=client_id, options={"require": ["exp", "iat", "nonce"]})


def test_teacher_picks_two_units_and_the_platform_accepts_the_signed_answer(
        registered: tuple[LiveTool, TestPlatform], browser: requests.Session) -> None:
    tool, platform = registered
    picker = deep_link_launch(tool, platform, browser)
    assert picker.status_code == 200, picker.text[:500]
    assert urlsplit(landing_url(picker)).path == "/lti/deep-linking"
    offered = form(picker, "deep-link-select").checkboxes["unit"]
    assert len(offered) == 12 and set(UNITS) <= set(offered)

    answer = pick(browser, picker, UNITS)
    assert answer.status_code == 200, answer.text[:500]
    back = form(answer, "deep-link-return")
    [request] = platform.deep_linking.sent.values()
    # The return URL keeps its query string (Moodle's has one), HTML-escaped in the page and unescaped here.
    assert back.action == request.settings["deep_link_return_url"] and "?course=1&launchid=" in back.action
    assert back.method == "POST" and set(back.hidden) == {"JWT"}
    assert 'src="/static/js/deep_linking.js"' in answer.text and "<script>" not in answer.text

    landed = browser.post(back.action, data=back.hidden, timeout=10)
    assert landed.status_code == 200, landed.text
    assert platform.deep_link_errors == []
    [claims] = platform.deep_link_responses
    assert claims == verify_with_tool_jwks(tool, back.hidden["JWT"], issuer=platform.issuer,
                                           client_id=platform.client_id)
    assert claims["aud"] == platform.issuer and claims["iss"] == platform.client_id
    assert claims[Claim.MESSAGE_TYPE] == "LtiDeepLinkingResponse"
    assert claims[Claim.DEPLOYMENT_ID] == platform.deployment_id
    assert claims[Claim.DL_DATA] == request.settings["data"]
    units = {u["slug"]: u for u in requests.get(tool.url + "/api/units", timeout=5).json()["units"]}
    items = claims[Claim.DL_CONTENT_ITEMS]
    assert [item["custom"]["unit"] for item in items] == list(UNITS)
    assert all(item["custom"]["unit_version"] for item in items)  # kept by course copies
    for item, slug in zip(items, UNITS):
        assert item["type"] == "ltiResourceLink"
        assert item["url"] == tool.launch_url
        assert item["title"] == units[slug]["title"] and item["text"] == units[slug]["summary"]
        assert item["lineItem"] == {"scoreMaximum": 100.0, "label": units[slug]["title"], "resourceId": slug}


def test_a_placed_item_launches_its_unit(registered: tuple[LiveTool, TestPlatform],
                                         browser: requests.Session) -> None:
    tool, platform = registered
    answer = pick(browser, deep_link_launch(tool, platform, browser), UNITS[:1])
    back = form(answer, "deep-link-return")
    assert browser.post(back.action, data=back.hidden, timeout=10).status_code == 200
    [item] = platform.deep_link_responses[0][Claim.DL_CONTENT_ITEMS]
    # The LMS saves the item as an activity: its custom parameters come back with every launch.
    with requests.Session() as learner:
        page = platform.launch(learner, login_url=tool.login_url, target_link_uri=item["url"], user=LEARNER,
                               roles=[LtiRoles.LEARNER], custom=item["custom"])
    assert page.status_code == 200 and urlsplit(landing_url(page)).path.endswith(f"/units/{UNITS[0]}")


def test_learner_cannot_use_the_picker(registered: tuple[LiveTool, TestPlatform], browser: requests.Session) -> None:
    tool, platform = registered
    response = deep_link_launch(tool, platform, browser, roles=[LtiRoles.LEARNER])
    assert response.status_code == 403
    assert 'data-error-code="not_teacher"' in response.text
    assert "deep-link-select" not in response.text
    # Nor can the learner's session post a selection.
    refused = browser.post(tool.url + "/lti/deep-linking/response", data={"unit": UNITS[0]}, timeout=10)
    assert refused.status_code == 403 and platform.deep_link_responses == []


def test_foreign_deployment_is_refused_at_launch(registered: tuple[LiveTool, TestPlatform],
                                                 browser: requests.Session) -> None:
    tool, platform = registered
    response = deep_link_launch(tool, platform, browser, deployment_id="someone-elses-deployment")
    assert response.status_code == 400
    assert "deep-link-select" not in response.text
    assert browser.get(tool.url + "/lti/deep-linking", timeout=5).status_code == 401  # no session was opened


def test_two_units_when_the_platform_accepts_one_is_a_clear_4xx(registered: tuple[LiveTool, TestPlatform],
                                                                browser: requests.Session) -> None:
    tool, platform = registered

    def single(settings: dict[str, Any]) -> None:
        settings["accept_multiple"] = False

    picker = deep_link_launch(tool, platform, browser, settings_hook=single)
    assert form(picker, "deep-link-select").attrs["data-accept-multiple"] == "false"
    refused = pick(browser, picker, UNITS)
    assert refused.status_code == 422
    assert 'data-error-code="multiple_not_accepted"' in refused.text and "only one" in refused.text
    one = pick(browser, picker, UNITS[:1])
    assert one.status_code == 200
    token = form(one, "deep-link-return").hidden["JWT"]
    claims = verify_with_tool_jwks(tool, token, issuer=platform.issuer, client_id=platform.client_id)
    assert len(claims[Claim.DL_CONTENT_ITEMS]) == 1


def test_request_without_return_url_is_refused(registered: tuple[LiveTool, TestPlatform],
                                               browser: requests.Session) -> None:
    tool, platform = registered

    def no_return(settings: dict[str, Any]) -> None:
        del settings["deep_link_return_url"]

    response = deep_link_launch(tool, platform, browser, settings_hook=no_return)
    assert response.status_code == 400
    assert 'data-error-code="missing_return_url"' in response.text


def test_no_data_in_the_request_means_no_data_in_the_answer(registered: tuple[LiveTool, TestPlatform],
                                                            browser: requests.Session) -> None:
    tool, platform = registered

    def no_data(settings: dict[str, Any]) -> None:
        del settings["data"]

    token = form(pick(browser, deep_link_launch(tool, platform, browser, settings_hook=no_data), UNITS),
                 "deep-link-return").hidden["JWT"]
    claims = verify_with_tool_jwks(tool, token, issuer=platform.issuer, client_id=platform.client_id)
    assert Claim.DL_DATA not in claims  # pylti1p3next alone would send "data": null


def test_selection_needs_the_csrf_token_and_known_units(registered: tuple[LiveTool, TestPlatform],
                                                        browser: requests.Session) -> None:
    tool, platform = registered
    picker = deep_link_launch(tool, platform, browser)
    assert pick(browser, picker, UNITS, csrf=False).status_code == 403
    assert pick(browser, picker, ("no-such-unit",)).status_code == 422
    assert pick(browser, picker, ()).status_code == 422


@pytest.mark.parametrize(("query", "expected"), [
    ({"sector": "wood"}, 3),
    ({"eqf": "5", "lang": "en", "workload": "25"}, 12),
    ({"workload": "10"}, 0),
    ({"q": "energy audit"}, None),
    ({"esco": "http://data.europa.eu/esco/skill/6044d62b-7499-4c5d-81ae-2fea443013b2"}, 2),
])
def test_picker_filters(registered: tuple[LiveTool, TestPlatform], browser: requests.Session,
                        query: dict[str, str], expected: int | None) -> None:
    tool, platform = registered
    deep_link_launch(tool, platform, browser)
    page = browser.get(tool.url + "/lti/deep-linking", params=query, timeout=5)
    assert page.status_code == 200
    shown = form(page, "deep-link-select").checkboxes.get("unit", [])
    if expected is None:  # free text: every hit mentions the words somewhere, and some unit does
        assert 0 < len(shown) < 12
    else:
        assert len(shown) == expected, shown
    if query.get("esco"):
        assert shown == ["wood-chain-of-custody", "wood-residues-cascading"] and "wood preservation" in page.text


def test_picker_preview_shows_outcomes_workload_and_assessment(registered: tuple[LiveTool, TestPlatform],
                                                               browser: requests.Session) -> None:
    tool, platform = registered
    page = deep_link_launch(tool, platform, browser)
    unit = next(u for u in requests.get(tool.url + "/api/units", timeout=5).json()["units"] if u["slug"] == UNITS[0])
    assert all(f'data-outcome="{o["id"]}">{o["title"]}' in page.text.replace("&#39;", "'") for o in unit["outcomes"])
    assert unit["assessment_type"] in page.text
    assert "25 hours" in page.text
    assert '<meta name="csrf-token" content="' in page.text


def test_resource_link_session_cannot_answer_deep_linking(registered: tuple[LiveTool, TestPlatform],
                                                          browser: requests.Session) -> None:
    tool, platform = registered
    platform.launch(browser, login_url=tool.login_url, target_link_uri=tool.launch_url, user=TEACHER,
                    roles=[LtiRoles.INSTRUCTOR], custom={"unit": UNITS[0]})
    response = browser.get(tool.url + "/lti/deep-linking", timeout=5)
    assert response.status_code == 400 and 'data-error-code="not_deep_linking"' in response.text


def test_json_answer_for_the_script_path(registered: tuple[LiveTool, TestPlatform], browser: requests.Session) -> None:
    """When cookies are blocked the picker's script posts with headers and builds the return form itself."""
    tool, platform = registered
    picker = deep_link_launch(tool, platform, browser)
    select = form(picker, "deep-link-select")
    answer = browser.post(select.action, data={"unit": list(UNITS)},
                          headers={"Accept": "application/json", "X-CSRFToken": select.hidden["csrf_token"]},
                          timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    [request] = platform.deep_linking.sent.values()
    assert body["return_url"] == request.settings["deep_link_return_url"]
    assert browser.post(body["return_url"], data={"JWT": body["JWT"]}, timeout=10).status_code == 200
    assert len(platform.deep_link_responses) == 1 and platform.deep_link_errors == []
    refused = browser.post(select.action, data={"unit": []}, timeout=10,
                           headers={"Accept": "application/json", "X-CSRFToken": select.hidden["csrf_token"]})
    assert refused.status_code == 422 and refused.json()["error"] == "nothing_selected"
