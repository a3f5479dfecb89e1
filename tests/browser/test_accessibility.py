"""The learner's pages at 360 px inside an iframe-sized viewport: axe-core WCAG 2.1 AA, keyboard only."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import LEARNER, LiveTool
from tests.lti_platform import LtiRoles, TestPlatform

UNIT = "wood-chain-of-custody"
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


def _axe_violations(page: Page) -> list[dict]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate("""async () => {
        const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}));
    }""")


@pytest.fixture
def learner_page(registered: tuple[LiveTool, TestPlatform], chromium: Browser) -> Page:
    if not AXE.exists():
        pytest.skip("axe-core not installed (npm ci in tests/browser)")
    tool, platform = registered
    # bypass_csp only so the test can inject axe-core; the pages' own CSP forbids inline scripts.
    context = chromium.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    page = context.new_page()
    # A top-level launch (same site): the platform page's iframe is tested in test_iframe_launch.py.
    params = platform.login_params(target_link_uri=tool.launch_url, user=LEARNER, roles=[LtiRoles.LEARNER],
                                   custom={"unit": UNIT})
    fields = "".join(f"<input type=hidden name='{k}' value='{v.replace(chr(39), '&#39;')}'>" for k, v in params.items())
    page.set_content(f"<form id=f method=post action='{tool.login_url}'>{fields}</form>")
    page.evaluate("document.getElementById('f').submit()")
    page.wait_for_selector(f'article.unit[data-unit="{UNIT}"]')
    yield page
    context.close()


def test_unit_page_passes_axe_and_fits_360px(learner_page: Page) -> None:
    assert _axe_violations(learner_page) == []
    assert learner_page.evaluate("document.documentElement.scrollWidth") <= 360
    # reading the first study section (in view for 5 s) is reported for the learning record
    with learner_page.expect_response(lambda r: r.url.endswith("/experienced")) as reported:
        learner_page.locator("section.study").first.scroll_into_view_if_needed()
    assert reported.value.status == 200


def test_assessment_by_keyboard_only(learner_page: Page) -> None:
    learner_page.focus("#start-assessment")
    learner_page.keyboard.press("Enter")
    learner_page.wait_for_selector("form#attempt")
    assert _axe_violations(learner_page) == []
    assert learner_page.evaluate("document.documentElement.scrollWidth") <= 360
    # Tab to the first answer control and choose with the keyboard; the autosave says so.
    first = learner_page.locator("fieldset.item").first
    control = first.locator("input, select, textarea").first
    for _ in range(60):
        learner_page.keyboard.press("Tab")
        if control.evaluate("el => el === document.activeElement"):
            break
    assert control.evaluate("el => el === document.activeElement"), "the first answer is reachable by Tab"
    kind = first.get_attribute("data-type")
    if kind in ("single_choice", "multiple_response", "true_false"):
        learner_page.keyboard.press("Space")
    elif kind in ("ordering", "matching"):
        learner_page.keyboard.press("ArrowDown")
    else:
        learner_page.keyboard.type("42")
        learner_page.keyboard.press("Tab")
    first.locator(".save-state").filter(has_text="Saved").wait_for()
    # submit by keyboard
    learner_page.focus("form#attempt button[type=submit]")
    learner_page.keyboard.press("Enter")
    # The unanswered items are listed first; confirming is one more key press.
    learner_page.locator("#confirm-submit").wait_for(state="visible")
    assert learner_page.evaluate("document.activeElement.id") == "confirm-submit"
    assert _axe_violations(learner_page) == []
    learner_page.focus("#confirm-yes")
    learner_page.keyboard.press("Enter")
    try:
        learner_page.wait_for_url("**/attempts/**")
    except Exception:
        print("STATUS", learner_page.inner_text("#attempt-status"),
              [s.inner_text() for s in learner_page.locator(".save-state").all()])
        raise
    assert learner_page.locator("table caption").first.is_visible()
    assert _axe_violations(learner_page) == []


def test_public_credential_page_passes_axe(registered: tuple[LiveTool, TestPlatform], chromium: Browser) -> None:
    from tests.integration.assessment.helpers import launch_learner
    from tests.integration.assessment.test_gradebook import UNIT as AUTO_UNIT
    from tests.integration.assessment.test_gradebook import _answer

    if not AXE.exists():
        pytest.skip("axe-core not installed (npm ci in tests/browser)")
    tool, platform = registered
    learner = launch_learner(tool, platform, AUTO_UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": AUTO_UNIT}).json()
    _answer(learner, attempt, right_first=len(attempt["items"]))
    learner.api("POST", f"/api/attempts/{attempt['id']}/submit")
    [credential] = learner.api("GET", "/api/me/credentials").json()["credentials"]
    context = chromium.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    page = context.new_page()
    page.goto(credential["url"])
    page.wait_for_selector("article.credential")
    assert _axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
