"""The coordinator's pages in Chromium: sign-in by keyboard only, axe-core WCAG 2.1 AA, 360 px, 7 languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.learner import broken_table_words, screenshot
from tests.browser.test_accessibility import AXE, _axe_violations
from tests.conftest import LiveTool
from tests.integration.pilots.helpers import PASSWORD, create_pilot, launch, make_coordinator
from tests.lti_platform import PlatformUser, TestPlatform


def _reads_well(page: Page, name: str) -> None:
    """No table word broken across lines nor a column squeezed to a sliver; a screenshot named pilot-…-<width>."""
    assert broken_table_words(page) == {"broken": [], "slivers": []}, name
    screenshot(page, f"pilot-{name}")


@pytest.fixture
def tool(registered: tuple[LiveTool, TestPlatform]) -> LiveTool:
    if not AXE.exists():
        pytest.skip("axe-core not installed (npm ci in tests/browser)")
    live, platform = registered
    create_pilot(live, "it-manu-1")
    launch(live, platform, PlatformUser(sub="p1", name="P One"), custom={"pilot": "it-manu-1"})
    for lang in ("en", "it", "es", "fi", "bg", "fr", "nl"):
        make_coordinator(live, f"coord-{lang}", locale=lang)
    return live


def _sign_in_by_keyboard(page: Page, tool: LiveTool, username: str) -> None:
    page.goto(tool.url + "/pilots")  # redirected to the sign-in form
    page.wait_for_selector("#username")
    page.keyboard.type(username)  # the username field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector('table[data-table="groups"]')


@pytest.mark.parametrize("width", [360, 1280])
def test_coordinator_pages_by_keyboard_pass_axe_and_fit(tool: LiveTool, chromium: Browser, width: int) -> None:
    context = chromium.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(tool.url + "/coordinator/sign-in")
    assert _axe_violations(page) == []
    _reads_well(page, "sign-in")
    _sign_in_by_keyboard(page, tool, "coord-en")
    for path, name in (("/pilots", "overview"), ("/pilots/it-manu-1", "pilot"), ("/pilots/new", "new")):
        page.goto(tool.url + path)
        assert _axe_violations(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        _reads_well(page, name)
        if name != "new":
            _charts_drawn_for(page, width)
    context.close()


def _charts_drawn_for(page: Page, width: int) -> None:
    """A phone gets the charts drawn 360 px wide (a 640 px drawing scaled down there had 6 px text)."""
    page.wait_for_function("[...document.querySelectorAll('figure img')].every(i => i.complete)")
    charts = page.eval_on_selector_all(
        "figure img", "imgs => imgs.map(i => ({src: i.currentSrc, drawn: i.naturalWidth > 0}))")
    assert charts and all(chart["drawn"] for chart in charts), charts
    assert all(chart["src"].endswith("size=narrow") == (width == 360) for chart in charts), charts


@pytest.mark.parametrize("lang", ["it", "es", "fi", "bg", "fr", "nl"])
def test_the_overview_in_every_language(tool: LiveTool, chromium: Browser, lang: str) -> None:
    context = chromium.new_context(viewport={"width": 360, "height": 800}, bypass_csp=True)
    page = context.new_page()
    _sign_in_by_keyboard(page, tool, f"coord-{lang}")
    assert page.get_attribute("html", "lang") == lang
    assert _axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _reads_well(page, f"overview-{lang}")
    context.close()


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_questionnaire_by_keyboard_at_360px(registered: tuple[LiveTool, TestPlatform], chromium: Browser,
                                            lang: str) -> None:
    if not AXE.exists():
        pytest.skip("axe-core not installed (npm ci in tests/browser)")
    tool, platform = registered
    context = chromium.new_context(viewport={"width": 360, "height": 800}, bypass_csp=True)
    page = context.new_page()
    params = platform.login_params(target_link_uri=tool.launch_url, user=PlatformUser(sub="q1", name="Q"),
                                   roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
                                   custom={"unit": "manufacturing-circular-design"},
                                   claims_hook=lambda claims: claims.update(
                                       {"https://purl.imsglobal.org/spec/lti/claim/launch_presentation":
                                        {"locale": lang}}))
    fields = "".join(f"<input type=hidden name='{k}' value='{v.replace(chr(39), '&#39;')}'>" for k, v in params.items())
    page.set_content(f"<form id=f method=post action='{tool.login_url}'>{fields}</form>")
    page.evaluate("document.getElementById('f').submit()")
    page.wait_for_selector("article.unit")
    csrf = page.get_attribute('meta[name="csrf-token"]', "content")
    started = page.request.post(tool.url + "/api/attempts", data={"unit": "manufacturing-circular-design"},
                                headers={"X-CSRFToken": csrf})
    assert started.status == 201
    submitted = page.request.post(tool.url + f"/api/attempts/{started.json()['id']}/submit",
                                  headers={"X-CSRFToken": csrf})
    assert submitted.status == 200
    page.goto(tool.url + "/units/manufacturing-circular-design")
    page.click('[data-notice="questionnaire"] a')
    page.wait_for_selector("form#questionnaire")
    assert page.get_attribute("html", "lang") == lang
    assert _axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _reads_well(page, f"questionnaire-{lang}")
    page.focus('input[name="relevance"][value="1"]')
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # radio groups move with the arrow keys: relevance 4
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")  # clarity 2
    page.keyboard.press("Tab")
    page.keyboard.type("7,5")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # would recommend: yes
    page.keyboard.press("Tab")
    page.keyboard.type("Clear enough.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-questionnaire="done"]')
    # The learner's own data page: reachable from My credentials, by keyboard, at 360 px.
    page.goto(tool.url + "/me/credentials")
    page.focus('.my-data a')
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-download="my-data"]')
    assert _axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _reads_well(page, f"my-data-{lang}")
    with page.expect_download() as download:
        page.keyboard.press("Tab")
        page.focus('[data-download="my-data"]')
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "my-mastery-data.zip"
    context.close()
