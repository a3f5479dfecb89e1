"""LTI Dynamic Registration 1.0 against a platform double written from the 1EdTech spec, then a real launch."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import requests

from lti_tool.runtime import current_settings, replace_settings
from tests.conftest import LEARNER, TEACHER, LiveTool
from tests.landing import landing_url
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
    assert urlsplit(landing_url(response)).path.endswith(f"/units/{UNIT}")
    with requests.Session() as teacher:
        picker = platform.launch(teacher, login_url=live_tool.login_url, target_link_uri=live_tool.launch_url,
                                 user=TEACHER, roles=[LtiRoles.INSTRUCTOR], message_type="LtiDeepLinkingRequest",
                                 resource_link=None)
    assert picker.status_code == 200 and 'id="deep-link-select"' in picker.text

    # The admin removes it with the CLI: it is disabled, its launches stop with a page that says why.
    live_tool.cli("platform", "remove", "--issuer", platform.issuer)
    assert "DISABLED" in live_tool.cli("platform", "list")
    with requests.Session() as again:
        refused = learner_launch(live_tool, platform, again)
    assert refused.status_code == 400 and 'data-error-code="platform_disabled"' in refused.text
    assert "switched off its registration for your LMS" in refused.text


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
    settings = current_settings(live_tool.app)
    replace_settings(live_tool.app, settings.model_copy(update={"http_timeout_seconds": 0.5}))
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
    live_tool.cli("platform", "remove", "--issuer", platform.issuer, "--purge", "--yes")
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


def outcome(page: requests.Response) -> str:
    match = re.search(r'id="registration-outcome" data-outcome="(\w+)">(.*?)</p>', page.text, re.S)
    assert match, page.text[:600]
    return match.group(1) + ": " + " ".join(match.group(2).split())


def test_moodle_update_of_the_existing_tool_updates_the_registration(live_tool: LiveTool, platform: TestPlatform,
                                                                       browser: requests.Session) -> None:
    """Moodle 5.1 offers "Update" when the tool exists on the same domain: its token names that tool, a GET
    shows its registration, and the POST rewrites it in place. The tool updates its side and says so."""
    double = platform.dynamic_registration
    first = browser.get(double.registration_url(register_url(live_tool)), timeout=10)
    assert first.status_code == 200 and outcome(first).startswith("new: This is the first registration")
    live_tool.cli("platform", "remove", "--issuer", platform.issuer)  # disabled on the tool's side meanwhile

    with requests.Session() as admin:
        again = admin.get(double.registration_url(register_url(live_tool), choice="update"), timeout=10)
    assert again.status_code == 200, again.text[:600]
    said = outcome(again)
    assert said.startswith("updated: MASTERY was already registered with this LMS under this client id")
    assert "The deployment was already known." in said and "is enabled again" in said
    assert double.tools[platform.client_id]["rewrites"] == 1 and len(double.tools) == 1
    assert double.lookups == [404, 200]  # the tool asked Moodle which tool the token updates, before the POST
    assert double.registration_errors == []
    listed = live_tool.cli("platform", "list")
    assert listed.count(platform.issuer) == 1 and f"deployments={platform.deployment_id}\t" in listed
    assert "DISABLED" not in listed
    with requests.Session() as learner:
        assert learner_launch(live_tool, platform, learner).status_code == 200


def test_a_second_tool_on_the_same_site_is_added_beside_the_first(live_tool: LiveTool, platform: TestPlatform,
                                                                   browser: requests.Session) -> None:
    double = platform.dynamic_registration
    assert browser.get(double.registration_url(register_url(live_tool)), timeout=10).status_code == 200
    with requests.Session() as admin:
        second = admin.get(double.registration_url(register_url(live_tool), choice="new"), timeout=10)
    assert second.status_code == 200, second.text[:600]
    assert outcome(second).startswith("updated: MASTERY already had a registration with this LMS; this one")
    assert f'data-client-id="{platform.client_id}-2"' in second.text
    listed = live_tool.cli("platform", "list")
    assert f"client={platform.client_id}\t" in listed and f"client={platform.client_id}-2\t" in listed


def test_a_configuration_the_tool_cannot_store_is_refused_before_the_lms_is_changed(
        live_tool: LiveTool, platform: TestPlatform, browser: requests.Session) -> None:
    double = platform.dynamic_registration
    double.configuration_overrides = {"jwks_uri": platform.issuer + "/jwks?pad=" + "x" * 1100}
    page = browser.get(double.registration_url(register_url(live_tool)), timeout=10)
    assert page.status_code == 400 and 'data-error-code="bad_configuration"' in page.text
    assert "Nothing was sent to your LMS" in page.text
    assert double.registration_requests == 0 and double.tools == {}
    assert nothing_stored(live_tool)
