"""Forged, replayed and malformed launches are refused with a 4xx page that says why, and leave nothing behind."""

from __future__ import annotations

import base64
import html
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
import sqlalchemy as sa

from lti_tool.db import db
from lti_tool.launch.models import LaunchSession, User
from tests.conftest import LEARNER, LiveTool
from tests.landing import landing_url
from tests.lti_platform import Claim, LtiRoles, TestPlatform, new_signing_key
from tests.lti_platform.browser import Hop, next_hop, send

UNIT = "wood-chain-of-custody"
Hook = Callable[[dict[str, Any]], dict[str, Any]]


def _launch(tool: LiveTool, platform: TestPlatform, browser: requests.Session, **kwargs: Any) -> requests.Response:
    kwargs.setdefault("custom", {"unit": UNIT})
    return platform.launch(browser, login_url=tool.login_url, target_link_uri=tool.launch_url, user=LEARNER,
                           roles=[LtiRoles.LEARNER], **kwargs)


def _without(*names: str) -> Hook:
    return lambda claims: {k: v for k, v in claims.items() if k not in names}


def _with(**changes: Any) -> Hook:
    def hook(claims: dict[str, Any]) -> dict[str, Any]:
        return {**claims, **{str(getattr(Claim, k, k)) if k.isupper() else k: v for k, v in changes.items()}}
    return hook


def _sessions(tool: LiveTool) -> int:
    with tool.app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(LaunchSession)) or 0


def _assert_refused(tool: LiveTool, response: requests.Response, code: str) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert f'data-error-code="{code}"' in response.text, response.text[:600]
    assert "Traceback" not in response.text
    assert _sessions(tool) == 0


def _now() -> int:
    return int(time.time())


FORGED_CLAIMS: list[tuple[str, Hook, str]] = [
    ("wrong audience", _with(aud="another-tool"), "unknown_registration"),
    ("several audiences, no azp", lambda c: {**c, "aud": [c["aud"] if isinstance(c["aud"], str) else c["aud"][0],
                                                          "another-tool"]} | {"azp": None}, "wrong_azp"),
    ("authorised party is someone else", _with(azp="another-tool"), "wrong_azp"),
    ("wrong issuer", _with(iss="https://evil.example"), "unknown_registration"),
    ("unknown deployment", _with(DEPLOYMENT_ID="not-registered"), "unknown_deployment"),
    ("missing sub", _without("sub"), "missing_sub"),
    ("missing deployment_id", _without(str(Claim.DEPLOYMENT_ID)), "missing_deployment"),
    ("missing message_type", _without(str(Claim.MESSAGE_TYPE)), "unsupported_message"),
    ("unsupported message_type", _with(MESSAGE_TYPE="LtiSubmissionReviewRequest"), "unsupported_message"),
    ("wrong LTI version", _with(VERSION="1.1.0"), "wrong_version"),
    ("expired", lambda c: {**c, "iat": _now() - 600, "exp": _now() - 300}, "expired"),
    ("no exp", _without("exp"), "bad_token"),
    ("issued in the future", lambda c: {**c, "iat": _now() + 3600, "exp": _now() + 3700}, "not_yet_valid"),
    ("nonce of another login", _with(nonce="a-nonce-this-tool-never-issued"), "invalid_nonce"),
    ("target link elsewhere", _with(TARGET_LINK_URI="http://127.0.0.1:1/elsewhere"), "target_mismatch"),
    ("missing roles", _without(str(Claim.ROLES)), "missing_roles"),
    ("resource link without id", _with(RESOURCE_LINK={"title": "no id"}), "missing_resource_link"),
]


@pytest.mark.parametrize(("hook", "code"), [(h, c) for _, h, c in FORGED_CLAIMS], ids=[n for n, _, _ in FORGED_CLAIMS])
def test_forged_claims_are_refused(registered: tuple[LiveTool, TestPlatform], browser: requests.Session,
                                   hook: Hook, code: str) -> None:
    tool, platform = registered
    # the azp=None trick above removes the claim; keep the hook's output JSON-clean
    response = _launch(tool, platform, browser,
                       claims_hook=lambda c: {k: v for k, v in hook(c).items() if v is not None})
    _assert_refused(tool, response, code)


# A refused launch has no launch session, so its page speaks the browser's language (Accept-Language,
# lti_tool.web.i18n.select_locale); the message is the catalogue's, its %(name)s values filled in after translating.
REFUSED_IN_LANGUAGES: list[tuple[str, dict[str, Hook], str, str, str]] = [
    ("expired, Italian", {"claims_hook": lambda c: {**c, "iat": _now() - 600, "exp": _now() - 300}}, "it",
     "expired", "L'avvio è scaduto. Torna al corso e apri di nuovo l'attività."),
    ("unknown kid, Bulgarian", {"header_hook": lambda h: {**h, "kid": "not-a-platform-key"}}, "bg,en;q=0.5",
     "unknown_kid", "Стартирането е подписано с ключ, който платформата не публикува."),
    ("sub too long, French", {"claims_hook": _with(sub="x" * 256)}, "fr-FR",
     "claim_too_long", "La valeur sub du lancement dépasse 255 caractères."),
]


@pytest.mark.parametrize(("hooks", "language", "code", "message"), [case[1:] for case in REFUSED_IN_LANGUAGES],
                         ids=[case[0] for case in REFUSED_IN_LANGUAGES])
def test_a_refused_launch_is_explained_in_the_browsers_language(
        registered: tuple[LiveTool, TestPlatform], browser: requests.Session, hooks: dict[str, Hook],
        language: str, code: str, message: str) -> None:
    tool, platform = registered
    browser.headers["Accept-Language"] = language
    response = _launch(tool, platform, browser, **hooks)
    _assert_refused(tool, response, code)
    page = html.unescape(response.text)
    assert message in page, page[:1500]
    assert "The launch" not in page


FORGED_HEADERS: list[tuple[str, Hook, str]] = [
    ("alg none", lambda h: {**h, "alg": "none"}, "bad_alg"),
    ("HS256 signed with the platform's public key", lambda h: {**h, "alg": "HS256"}, "bad_alg"),
    ("unknown kid", lambda h: {**h, "kid": "not-a-platform-key"}, "unknown_kid"),
    ("no kid", lambda h: {k: v for k, v in h.items() if k != "kid"}, "missing_kid"),
]


@pytest.mark.parametrize(("hook", "code"), [(h, c) for _, h, c in FORGED_HEADERS],
                         ids=[n for n, _, _ in FORGED_HEADERS])
def test_forged_headers_are_refused(registered: tuple[LiveTool, TestPlatform], browser: requests.Session,
                                    hook: Hook, code: str) -> None:
    tool, platform = registered
    _assert_refused(tool, _launch(tool, platform, browser, header_hook=hook), code)


def test_signature_by_another_key_under_the_platform_kid_is_refused(
        registered: tuple[LiveTool, TestPlatform], browser: requests.Session) -> None:
    tool, platform = registered
    kid = platform.kid
    response = _launch(tool, platform, browser, signing_key=new_signing_key(),
                       header_hook=lambda h: {**h, "kid": kid})
    _assert_refused(tool, response, "bad_token")


def test_replayed_id_token_is_refused(registered: tuple[LiveTool, TestPlatform], browser: requests.Session) -> None:
    """Posted again by a browser that does not hold the session the launch opened: the clear 4xx page."""
    tool, platform = registered
    first = _launch(tool, platform, browser)
    assert first.status_code == 200
    state = platform.auth_requests[-1]["state"]
    browser.cookies.set("mastery_session", None)  # the state cookie (with the launch's mark) stays
    replay = browser.post(tool.launch_url, data={"id_token": platform.last_id_token, "state": state}, timeout=5)
    assert replay.status_code == 400
    assert 'data-error-code="unknown_state"' in replay.text
    assert _sessions(tool) == 1


def _id_token_post(tool: LiveTool, platform: TestPlatform, browser: requests.Session) -> Hop:
    """The form post of a launch's id_token as the platform answered it, not yet sent to the tool."""
    response = send(browser, Hop("POST", tool.login_url, platform.login_params(
        target_link_uri=tool.launch_url, user=LEARNER, roles=[LtiRoles.LEARNER], custom={"unit": UNIT})))
    for _ in range(5):  # the tool's redirect to the platform, then the platform's auto-submitted form
        hop = next_hop(response)
        assert hop is not None, response.text[:300]
        if hop.data and "id_token" in hop.data:
            return hop
        response = send(browser, hop)
    raise AssertionError("the platform never posted an id_token")


def _respelled(segment: str) -> str:
    """The same bytes with the last character's unused low bits set: base64's own decoder reads them alike."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    unused = {2: 4, 3: 2}[len(segment) % 4]
    return segment[:-1] + alphabet[alphabet.index(segment[-1]) | ((1 << unused) - 1)]


@pytest.mark.parametrize("spoil", [lambda s: s[:20] + "!" + s[20:], _respelled],
                         ids=["junk character", "another spelling of the same bytes"])
def test_a_signature_segment_only_a_lenient_decoder_accepts_is_refused(
        registered: tuple[LiveTool, TestPlatform], browser: requests.Session, spoil: Callable[[str], str]) -> None:
    """The segment decodes (by base64's own lenient rules) to the valid signature: the segment check refuses it,
    consuming nothing, and the platform's unspoilt token then launches."""
    tool, platform = registered
    hop = _id_token_post(tool, platform, browser)
    header, payload, signature = hop.data["id_token"].split(".")
    assert base64.urlsafe_b64decode(spoil(signature) + "==") == base64.urlsafe_b64decode(signature + "==")
    refused = browser.post(hop.url, data={**hop.data, "id_token": f"{header}.{payload}.{spoil(signature)}"},
                           allow_redirects=False, timeout=5)
    _assert_refused(tool, refused, "bad_token")
    assert send(browser, hop).status_code == 200


def test_a_reload_without_js_lands_on_the_launch_s_page_by_its_session(
        registered: tuple[LiveTool, TestPlatform], browser: requests.Session) -> None:
    """A browser without JS that reloads the launch answer posts the used id_token again: while it holds that
    launch's live session it is sent (303) to that session's landing page; the re-posted token is never read."""
    tool, platform = registered
    first = _launch(tool, platform, browser)
    assert first.status_code == 200 and "mastery_session" in browser.cookies
    landing, state = landing_url(first), platform.auth_requests[-1]["state"]
    replay = browser.post(tool.launch_url, data={"id_token": platform.last_id_token, "state": state},
                          allow_redirects=False, timeout=5)
    assert replay.status_code == 303 and replay.headers["Location"] == urlsplit(landing)._replace(
        scheme="", netloc="").geturl(), (replay.status_code, replay.headers.get("Location"))
    assert replay.headers["Cache-Control"] == "no-store"
    page = browser.get(urljoin(tool.url, replay.headers["Location"]), timeout=5)
    assert page.status_code == 200 and f'data-unit="{UNIT}"' in page.text
    # Another token under the same state (another user, another unit): the session decides, not the token.
    forged = platform.build_id_token({**platform.last_id_token_claims, "sub": "someone-else",
                                      str(Claim.CUSTOM): {"unit": "manufacturing-circular-design"}})
    again = browser.post(tool.launch_url, data={"id_token": forged, "state": state}, allow_redirects=False, timeout=5)
    assert again.status_code == 303 and again.headers["Location"] == replay.headers["Location"]
    assert _sessions(tool) == 1
    # Once the session has ended, the same reload gets the clear refusal.
    with tool.app.app_context():
        db.session.execute(sa.update(LaunchSession).values(expires_at=LaunchSession.created_at))
        db.session.commit()
    ended = browser.post(tool.launch_url, data={"id_token": platform.last_id_token, "state": state}, timeout=5)
    assert ended.status_code == 400 and 'data-error-code="unknown_state"' in ended.text


def test_a_reload_of_an_older_launch_is_not_sent_to_the_newer_one(
        registered: tuple[LiveTool, TestPlatform], browser: requests.Session) -> None:
    """The cookie holds the browser's latest launch: reloading an older launch's answer without JS is refused, not
    sent to the other activity's page."""
    tool, platform = registered
    assert _launch(tool, platform, browser).status_code == 200
    older_token, older_state = platform.last_id_token, platform.auth_requests[-1]["state"]
    assert _launch(tool, platform, browser, custom={"unit": "manufacturing-circular-design"}).status_code == 200
    replay = browser.post(tool.launch_url, data={"id_token": older_token, "state": older_state},
                          allow_redirects=False, timeout=5)
    assert replay.status_code == 400 and 'data-error-code="unknown_state"' in replay.text
    assert _sessions(tool) == 2


def test_launch_from_another_browser_is_refused(registered: tuple[LiveTool, TestPlatform],
                                                browser: requests.Session) -> None:
    """A login started in one browser and its id_token posted from another (login CSRF) is refused."""
    tool, platform = registered
    # Stop before the form_post so the id_token is unused, then post it from a browser without the state cookie.
    _launch(tool, platform, browser, follow_redirects=False, claims_hook=None)
    _ = platform.last_id_token
    with requests.Session() as attacker_victim:
        tool_answer = attacker_victim.post(tool.launch_url, timeout=5, data={
            "id_token": platform.build_id_token(platform.last_id_token_claims),
            "state": platform.auth_requests[-1]["state"],
        })
    assert tool_answer.status_code in (400, 401)
    assert 'data-error-code="unknown_state"' in tool_answer.text or "new window" in tool_answer.text


def test_state_cookie_missing_offers_a_new_window(registered: tuple[LiveTool, TestPlatform],
                                                  browser: requests.Session) -> None:
    tool, platform = registered

    def drop_state_cookie(claims: dict[str, Any]) -> dict[str, Any]:
        browser.cookies.clear()  # as a browser blocking third-party cookies in the LMS iframe
        return claims

    response = _launch(tool, platform, browser, claims_hook=drop_state_cookie)
    assert response.status_code == 401
    assert "Open the activity in a new window" in response.text
    assert "lti1p3_new_window=1" in response.text
    assert _sessions(tool) == 0


@pytest.mark.parametrize("body", [
    {"id_token": "not.a.jwt", "state": "state-x"},
    {"id_token": "", "state": ""},
    {"state": "state-unknown"},
    {"id_token": "a.b", "state": "state-unknown"},
], ids=["garbage token", "empty fields", "no token", "two-part token"])
def test_malformed_launch_posts_are_4xx(live_tool: LiveTool, body: dict[str, str]) -> None:
    response = requests.post(live_tool.launch_url, data=body, timeout=5)
    assert 400 <= response.status_code < 500
    assert "Traceback" not in response.text


def test_clock_skew_of_a_few_seconds_is_tolerated(registered: tuple[LiveTool, TestPlatform],
                                                  browser: requests.Session) -> None:
    tool, platform = registered
    response = _launch(tool, platform, browser, claims_hook=lambda c: {**c, "iat": _now() + 3, "exp": _now() + 63})
    assert response.status_code == 200, response.text[:400]


def test_rotated_platform_key_is_fetched_again(registered: tuple[LiveTool, TestPlatform],
                                               browser: requests.Session) -> None:
    tool, platform = registered
    assert _launch(tool, platform, browser).status_code == 200
    platform.rotate_key()
    with requests.Session() as second:
        assert _launch(tool, platform, second).status_code == 200


def test_login_from_an_unregistered_platform_is_refused(live_tool: LiveTool, platform: TestPlatform,
                                                        browser: requests.Session) -> None:
    response = _launch(live_tool, platform, browser)
    assert response.status_code == 400
    assert "not been registered" in response.text
    with live_tool.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_login_for_a_foreign_target_is_refused(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    response = requests.post(tool.login_url, timeout=5, data={
        "iss": platform.issuer, "login_hint": "x", "client_id": platform.client_id,
        "target_link_uri": "https://evil.example/steal"})
    assert response.status_code == 400
    assert 'data-error-code="foreign_target"' in response.text


def _storage_login(tool: LiveTool, platform: TestPlatform) -> tuple[str, str, str]:
    """Login with lti_storage_target, then the platform's answer: (id_token, state, nonce)."""
    import html
    import re

    from tests.lti_platform.browser import next_hop

    params = platform.login_params(target_link_uri=tool.launch_url, user=LEARNER, roles=[LtiRoles.LEARNER],
                                   custom={"unit": UNIT}, lti_storage_target="_parent")
    with requests.Session() as frame:
        page = frame.post(tool.login_url, data=params, timeout=5)
        assert page.status_code == 200 and 'data-mode="put"' in page.text
        auth_url = html.unescape(re.search(r'data-auth-url="([^"]+)"', page.text).group(1))
        nonce = html.unescape(re.search(r'data-nonce="([^"]+)"', page.text).group(1))
        form = next_hop(frame.get(auth_url, timeout=5))
    assert form is not None and form.data
    return form.data["id_token"], form.data["state"], nonce


def test_platform_storage_proof_must_match(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    id_token, state, nonce = _storage_login(tool, platform)
    with requests.Session() as cookieless:
        asks = cookieless.post(tool.launch_url, data={"id_token": id_token, "state": state}, timeout=5)
        assert asks.status_code == 200 and 'data-mode="get"' in asks.text  # read state+nonce from the platform
        wrong = cookieless.post(tool.launch_url, timeout=5, data={
            "id_token": id_token, "state": state, "lti_storage_state": state, "lti_storage_nonce": "forged"})
        _assert_refused(tool, wrong, "state_mismatch")
        right = cookieless.post(tool.launch_url, timeout=5, data={
            "id_token": id_token, "state": state, "lti_storage_state": state, "lti_storage_nonce": nonce})
    assert right.status_code == 200 and f'data-unit="{UNIT}"' in right.text
    assert 'name="launch-session"' in right.text
