"""Launches inside the LMS page's iframe, in a real Chromium: same-site, cross-site with the platform's
postMessage storage, and cross-site without it (the new-window fallback)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Frame, Page, Playwright
from playwright.sync_api import Error as PlaywrightError

from lti_tool.runtime import current_settings
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PatientBrowser
from tests.conftest import LEARNER, LiveTool
from tests.lti_platform import LtiRoles, TestPlatform

UNIT = "wood-chain-of-custody"


@pytest.fixture(scope="module")
def cross_site_chromium(playwright_instance: Playwright) -> Iterator[Browser]:
    """Chromium that keeps a cross-site iframe in its page's renderer process.

    With site isolation the tool's frame moves to another process when it navigates from the platform's /auth page
    (127.0.0.1) to the tool (localhost), and a CDP client loses such a frame now and then (Puppeteer's issue 9889:
    "transitions from local to OOPIF" flaky). Seen in two CI runs here: the tool's server answered the launch and
    served the unit page and its scripts, while Playwright's frame still reported the /auth address for 60 s, on
    both chances. Cookies (SameSite) and storage partitioning are decided by site, not by process, so the tool still
    meets a cross-site frame whose state cookie is not sent.
    """
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--disable-site-isolation-trials", "--disable-features=IsolateOrigins,site-per-process"])
    yield PatientBrowser(browser)  # type: ignore[misc]
    browser.close()


def _tool_frame(page: Page) -> Frame:
    frame = page.frame(name="tool")
    assert frame is not None
    return frame


def _wait_for(page: Page, selector: str, timeout_s: float = 60.0) -> Frame:
    """Wait for the selector in the tool's frame's current document; returns that frame.

    The cross-site launch navigates the frame several times in quick succession (login page, the platform's
    storage round trip, the launch POST, the redirect), across sites, so Chromium moves the frame between
    processes. Measured on a loaded machine with Playwright 1.5x: ``wait_for_selector`` sometimes stayed bound to a
    document that had already gone, and ``locator.count()`` (which has no timeout) waited forever for the frame's
    next document (stack taken from the hung test). Every probe here has its own timeout, and the frame is looked
    up again each time.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        frame = page.frame(name="tool")
        if frame is not None:
            try:
                frame.locator(selector).first.wait_for(state="attached", timeout=2000)
                return frame
            except PlaywrightError:
                pass  # not there yet, or the document is being replaced by the next navigation
        time.sleep(0.2)
    urls = [f.url for f in page.frames]
    raise AssertionError(f"{selector!r} never appeared in the tool's frame (frames now at {urls})")


def _open_course(browser: Browser, platform: TestPlatform, tool: LiveTool, tool_host: str, **login) -> Page:
    login_url = tool.login_url.replace("127.0.0.1", tool_host)
    launch_url = tool.launch_url.replace("127.0.0.1", tool_host)
    context = browser.new_context()
    page = context.new_page()
    page.goto(platform.course_page_url(login_url=login_url, target_link_uri=launch_url, user=LEARNER,
                                       roles=[LtiRoles.LEARNER], custom={"unit": UNIT}, **login))
    return page


def test_same_site_iframe_launch_uses_the_cookie(registered: tuple[LiveTool, TestPlatform], chromium: Browser) -> None:
    tool, platform = registered
    page = _open_course(chromium, platform, tool, "127.0.0.1")
    frame = _tool_frame(page)
    frame.wait_for_selector(f'article.unit[data-unit="{UNIT}"]')
    # The launch answered with the page; js/landing.js then puts the page's address in place of the POST.
    frame.wait_for_url(lambda url: urlsplit(url).path.endswith(f"/units/{UNIT}"))
    assert frame.locator("body").get_attribute("data-role") == "learner"
    page.context.close()


def test_cross_site_iframe_launch_uses_platform_storage(live_tool: LiveTool, platform: TestPlatform,
                                                        cross_site_chromium: Browser) -> None:
    # The tool on "localhost", the LMS on "127.0.0.1": another site, so the tool's state cookie
    # (SameSite=Lax over plain http) is not sent with the platform's cross-site form POST.
    tool = _on_localhost(live_tool)
    tool.register(platform)
    for chance in (1, 2):
        page = _open_course(cross_site_chromium, platform, tool, "localhost", lti_storage_target="_parent")
        try:
            frame = _wait_for(page, f'article.unit[data-unit="{UNIT}"], .error')
            break
        except AssertionError as stalled:
            # Before cross_site_chromium, seen on loaded machines: the frame reported the platform's auth page
            # while the tool had answered (see that fixture). That stall is the browser driver's, so the course is
            # opened once more; any other failure fails.
            if chance == 2 or "/auth?" not in str(stalled):
                raise
            page.context.close()
    assert frame.locator('.error').count() == 0, frame.locator('.error').inner_text()
    assert page.evaluate("window.storageCalls") == 4  # put state, put nonce, get state, get nonce
    # cookies were blocked, so the page carries its session for the API calls
    token = frame.locator('meta[name="launch-session"]').get_attribute("content")
    assert token
    me = frame.evaluate("""async (token) => (await fetch('/api/me', {headers: {'X-Launch-Session': token},
                                                            signal: AbortSignal.timeout(60000)})).json()""", token)
    assert me["user"]["sub"] == LEARNER.sub and me["unit"] == UNIT
    # moving on to the assessment keeps the session although the cookie is still blocked
    frame.get_by_role("button", name="Start or resume the assessment").click()  # a form POST (issue 11 M1)
    frame.wait_for_selector("form#attempt")
    assert frame.locator("fieldset.item").count() > 0
    page.context.close()


def test_cross_site_without_storage_offers_a_new_window(live_tool: LiveTool, platform: TestPlatform,
                                                        cross_site_chromium: Browser) -> None:
    tool = _on_localhost(live_tool)
    tool.register(platform)
    page = _open_course(cross_site_chromium, platform, tool, "localhost")
    frame = _tool_frame(page)
    frame.wait_for_selector('[data-error-code="state_cookie_missing"]')
    link = frame.get_by_role("link", name="Open the activity in a new window")
    with page.context.expect_page() as new_window:
        link.click()
    window = new_window.value
    # First-party in its own window: the login restarts and the platform answers it (the hint was used once,
    # so a real LMS would re-authenticate; here the platform refuses the reused hint with its own page).
    window.wait_for_load_state()
    assert "lti1p3_new_window=1" in window.url or window.url.startswith(platform.issuer)
    page.context.close()


def _on_localhost(tool: LiveTool) -> LiveTool:
    """The same live tool, addressed (and configured) as http://localhost:PORT — another site than 127.0.0.1."""
    settings = current_settings(tool.app)
    settings.tool_base_url = tool.url.replace("127.0.0.1", "localhost")
    return _LocalhostTool(tool.app, tool.server)


class _LocalhostTool(LiveTool):
    @property
    def url(self) -> str:
        return self.server.url.replace("127.0.0.1", "localhost")
