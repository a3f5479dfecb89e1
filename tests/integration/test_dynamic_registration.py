"""LTI Dynamic Registration 1.0 against a platform double written from the 1EdTech spec, then a real launch."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from tests.conftest import LEARNER, TEACHER, LiveTool
from tests.lti_platform import LtiRoles, TestPlatform
from tests.lti_platform.dynamic_registration import TOOL_CONFIGURATION

UNIT = "wood-chain-of-custody"
TOOL_CONFIG = TOOL_CONFIGURATION


def register_url(tool: LiveTool) -> str:
    """The URL a site admin of the tool hands to the LMS admin (with its registration key)."""
    return tool.cli("platform", "registration-url").strip().splitlines()[-1]


def nothing_stored(tool: LiveTool) -> bool:
    return "No platform registered" in tool.cli("platform", "list")


def learner_launch(tool: LiveTool, platform: TestPlatform, browser: requests.Session) -> requests.Response:
    return platform.launch(browser, login_url=tool.login_url, target_link_uri=tool.launch_url, user=LEARNER,
                           roles=[LtiRoles.LEARNER], custom={"unit": UNIT})


def test_registration_creates_a_platform_that_can_launch(live_tool: LiveTool, platform: TestPlatform,
                                                         browser: requests.Session) -> None:
    double = platform.dynamic_registration
    url = double.registration_url(register_url(live_tool))
    token = parse_qs(urlsplit(url).query)["registration_token"][0]
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text[:600]
    assert double.registration_errors == []
    # The close message comes from a static script (CSP forbids inline scripts); the LMS may frame the page.
    assert 'src="/static/js/registration_close.js"' in page.text and "<script>" not in page.text
    assert f"frame-ancestors 'self' {platform.issuer}" in page.headers["Content-Security-Policy"]
    assert f'data-deployment-id="{platform.deployment_id}"' in page.text
    assert double.configuration_requests == [{"authorization": f"Bearer {token}"}]

    [sent] = double.registrations
    base = live_tool.url
    assert sent["initiate_login_uri"] == base + "/lti/login"
    assert sent["redirect_uris"] == [base + "/lti/launch"]
    assert sent["jwks_uri"] == base + "/.well-known/jwks.json"
    assert set(sent["scope"].split()) == {
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    }
    config = sent[TOOL_CONFIG]
    assert config["target_link_uri"] == base + "/lti/launch"
    assert config["domain"] == urlsplit(base).netloc
    assert {m["type"] for m in config["messages"]} == {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
    assert {"iss", "sub", "name", "email", "locale"} <= set(config["claims"])
    assert config["custom_parameters"] == {"context_id_history": "$Context.id.history",
                                           "resource_link_id_history": "$ResourceLink.id.history"}

    listed = live_tool.cli("platform", "list")
    assert platform.issuer in listed and f"client={platform.client_id}" in listed
    assert f"deployments={platform.deployment_id}" in listed

    # The registered platform launches a learner into a unit, and a teacher into the deep-linking picker.
    response = learner_launch(live_tool, platform, browser)
    assert response.status_code == 200, response.text[:500]
    assert urlsplit(response.url).path.endswith(f"/units/{UNIT}")
    with requests.Session() as teacher:
        picker = platform.launch(teacher, login_url=live_tool.login_url, target_link_uri=live_tool.launch_url,
                                 user=TEACHER, roles=[LtiRoles.INSTRUCTOR], message_type="LtiDeepLinkingRequest",
                                 resource_link=None)
    assert picker.status_code == 200 and 'id="deep-link-select"' in picker.text

    # The admin removes it with the CLI; launches stop.
    live_tool.cli("platform", "remove", "--issuer", platform.issuer)
    assert nothing_stored(live_tool)
    with requests.Session() as again:
        assert learner_launch(live_tool, platform, again).status_code == 400


def test_registration_by_form_post(live_tool: LiveTool, platform: TestPlatform, browser: requests.Session) -> None:
    double = platform.dynamic_registration
    page = browser.post(register_url(live_tool), data={"openid_configuration": double.configuration_url,
                                                        "registration_token": double.new_registration_token()},
                        timeout=10)
    assert page.status_code == 200, page.text[:600]
    assert not nothing_stored(live_tool)


def test_issuer_on_another_host_is_refused_and_nothing_is_stored(live_tool: LiveTool, platform: TestPlatform,
                                                                 browser: requests.Session) -> None:
    double = platform.dynamic_registration
    port = urlsplit(platform.issuer).port
    double.issuer_override = f"http://localhost:{port}"  # same machine, another origin
    page = browser.get(double.registration_url(register_url(live_tool)), timeout=10)
    assert page.status_code == 400
    assert 'data-error-code="issuer_mismatch"' in page.text
    assert double.registration_requests == 0  # refused before registering anything on the platform
    assert nothing_stored(live_tool)


def test_registration_endpoint_error_is_a_4xx_and_nothing_is_stored(live_tool: LiveTool, platform: TestPlatform,
                                                                    browser: requests.Session) -> None:
    double = platform.dynamic_registration
    double.mode = "error"
    page = browser.get(double.registration_url(register_url(live_tool)), timeout=10)
    assert page.status_code == 400
    assert 'data-error-code="platform_refused"' in page.text and "HTTP 500" in page.text
    assert double.registration_requests == 1
    assert nothing_stored(live_tool)


def test_registration_endpoint_timeout_is_a_4xx_and_nothing_is_stored(live_tool: LiveTool, platform: TestPlatform,
                                                                      browser: requests.Session) -> None:
    settings = live_tool.app.extensions["mastery.settings"]
    live_tool.app.extensions["mastery.settings"] = settings.model_copy(update={"http_timeout_seconds": 0.5})
    double = platform.dynamic_registration
    double.mode, double.slow_seconds = "slow", 2.0
    page = browser.get(double.registration_url(register_url(live_tool)), timeout=10)
    assert page.status_code == 400
    assert 'data-error-code="platform_timeout"' in page.text
    assert nothing_stored(live_tool)


def test_used_registration_token_is_refused_by_the_platform(live_tool: LiveTool, platform: TestPlatform,
                                                            browser: requests.Session) -> None:
    double = platform.dynamic_registration
    url = double.registration_url(register_url(live_tool))
    assert browser.get(url, timeout=10).status_code == 200
    live_tool.cli("platform", "remove", "--issuer", platform.issuer)
    again = browser.get(url, timeout=10)  # the same token a second time
    assert again.status_code == 400 and "invalid_token" in again.text
    assert nothing_stored(live_tool)


def test_answer_without_deployment_id_stores_nothing(live_tool: LiveTool, platform: TestPlatform,
                                                     browser: requests.Session) -> None:
    double = platform.dynamic_registration
    double.mode = "no_deployment"
    page = browser.get(double.registration_url(register_url(live_tool)), timeout=10)
    assert page.status_code == 400 and 'data-error-code="no_deployment"' in page.text
    assert nothing_stored(live_tool)


def test_missing_or_unreachable_configuration(live_tool: LiveTool, browser: requests.Session) -> None:
    page = browser.get(register_url(live_tool), timeout=10)
    assert page.status_code == 400 and 'data-error-code="missing_configuration"' in page.text
    with requests.Session() as other:
        # Port 9 on loopback: nothing listens (discard), the connection is refused at once.
        page = other.get(register_url(live_tool), params={"openid_configuration": "http://127.0.0.1:9/openid"},
                         timeout=10)
    assert page.status_code == 400 and 'data-error-code="platform_unreachable"' in page.text
    assert nothing_stored(live_tool)


def test_registration_without_a_valid_key_is_refused(live_tool: LiveTool, platform: TestPlatform,
                                                     browser: requests.Session) -> None:
    double = platform.dynamic_registration
    for url in (live_tool.url + "/lti/register", live_tool.url + "/lti/register?key=forged"):
        page = browser.get(double.registration_url(url), timeout=10)
        assert page.status_code == 403 and 'data-error-code="registration_key"' in page.text
    assert nothing_stored(live_tool)
