"""The teacher's paths in Chromium at 1280 and 360 px: unit → learners → an attempt, grade policy, reset, names.

Each page fits the width (no sideways scroll), passes axe (WCAG 2.x AA) and is reached by keyboard alone.
"""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Browser, Page

from tests.browser.learner import AXE, axe_violations, broken_table_words, document_fits, screenshot, wide_elements
from tests.conftest import TEACHER, LiveTool
from tests.integration.dashboard.helpers import UNIT, launch, submit_attempt
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform

ANNA = PlatformUser(sub="anna", name="Anna Lind")
NAMELESS = PlatformUser(sub="private-9")


def _teacher_tab(page: Page, tool: LiveTool, platform: TestPlatform, user: PlatformUser = TEACHER) -> None:
    params = platform.login_params(target_link_uri=tool.launch_url, user=user, roles=[LtiRoles.INSTRUCTOR],
                                   custom={"unit": UNIT}, resource_link={"id": "rl-1", "title": "Circular design"})
    fields = "".join(f"<input type=hidden name='{k}' value='{v.replace(chr(39), '&#39;')}'>" for k, v in params.items())
    page.set_content(f"<form id=f method=post action='{tool.login_url}'>{fields}</form>")
    page.evaluate("document.getElementById('f').submit()")
    page.wait_for_selector(f'article.unit[data-unit="{UNIT}"]', timeout=30_000)


def _check(page: Page, name: str) -> None:
    page.wait_for_load_state("load")
    assert document_fits(page), wide_elements(page)
    assert axe_violations(page) == [], name
    screenshot(page, f"teacher-{name}")


def _commas_on_their_own_line(page: Page) -> list[str]:
    """The ESCO skill lists' commas that start a line instead of ending the skill before them."""
    return page.evaluate("""() => [...document.querySelectorAll('td[data-cell="esco"] a')]
        .filter((link) => link.nextSibling && link.nextSibling.nodeType === Node.TEXT_NODE)
        .filter((link) => {
            const comma = document.createRange();
            comma.setStart(link.nextSibling, 0);
            comma.setEnd(link.nextSibling, 1);
            const rects = link.getClientRects();
            return Math.abs(comma.getBoundingClientRect().top - rects[rects.length - 1].top) > 4;
        })
        .map((link) => link.textContent)""")


def _follow_by_keyboard(page: Page, selector: str) -> None:
    """Tab to the link (as a keyboard user would) and press Enter."""
    target = page.locator(selector).first
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => el === document.activeElement", target.element_handle()):
            break
    else:
        raise AssertionError(f"{selector} is not reachable with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 360])
def test_teacher_goes_from_the_unit_to_an_attempt_and_sets_the_policy(
        registered: tuple[LiveTool, TestPlatform], chromium: Browser, width: int) -> None:
    if not AXE.exists():
        pytest.skip("axe-core not installed (npm ci in tests/browser)")
    tool, platform = registered
    anna = launch(tool, platform, ANNA)
    submit_attempt(anna, {"lo1"})
    submit_attempt(anna, {"lo1", "lo2", "lo3"})
    nameless = launch(tool, platform, NAMELESS)
    submit_attempt(nameless, {"lo1", "lo2", "lo3"})
    post = nameless.http.post(f"{tool.url}/me/name", data={"name": "Mia Private", "csrf_token": nameless.csrf},
                              timeout=10, allow_redirects=False)
    assert post.status_code == 303
    # A unit placed in the LMS otherwise (a restored activity): the course dashboard lists it from AGS.
    platform.ags.resource_links.setdefault("course-1", set()).add("rl-restored")
    platform.ags.create_lineitem("course-1", {"label": "Chain of custody (restored)", "scoreMaximum": 100,
                                              "resourceId": "wood-chain-of-custody", "resourceLinkId": "rl-restored"})
    context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    _teacher_tab(page, tool, platform)
    _check(page, "unit")
    assert _commas_on_their_own_line(page) == []
    _follow_by_keyboard(page, "#learner-results")  # click 1
    page.wait_for_selector('tr[data-user="anna"]')
    _check(page, "learners")
    assert page.locator('tr[data-user="private-9"] [data-name-source="learner"]').count() == 1
    _follow_by_keyboard(page, 'tr[data-user="anna"] a[data-view-attempt="2"]')  # click 2
    page.wait_for_selector('dl.facts[data-attempt]')
    assert page.locator('[data-counts="yes"]').count() == 1
    assert page.locator('td[data-cell="correct"]').count() >= 3
    _check(page, "attempt")
    page.go_back()
    page.wait_for_selector('form.grade-policy')
    page.check('form.grade-policy input[value="latest"]')
    with page.expect_navigation():
        page.click('form.grade-policy button[type="submit"]')
    assert page.locator("[data-policy-saved='latest']").count() == 1
    _check(page, "policy-saved")
    with page.expect_navigation():
        page.click('tr[data-user="anna"] a[data-reset-link]')
    page.wait_for_selector('dl[data-confirm="reset"]')
    assert "Anna Lind" in page.inner_text("dl[data-confirm]")
    _check(page, "reset-confirm")
    page.go_back()
    with page.expect_navigation():
        page.click('tr[data-user="private-9"] a[href*="/name"]')
    _check(page, "learner-name")
    page.fill("#name", "Mia Private-Jones")
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert page.locator("[data-reissued='1']").count() == 1
    with page.expect_navigation():
        page.click("nav a[href*='/dashboard']")
    page.wait_for_selector("table.dashboard")
    assert page.locator('tr[data-waiting="lms"][data-unit="wood-chain-of-custody"]').count() == 1
    _check(page, "course")
    context.close()
    assert requests.get(tool.url + "/health", timeout=5).status_code in (200, 503)


def _reads_whole_words(page: Page, name: str) -> None:
    """Fits 360 px, no table word broken across lines nor a column squeezed to a sliver, axe clean."""
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, (name, wide_elements(page))
    assert broken_table_words(page) == {"broken": [], "slivers": []}, name
    assert axe_violations(page) == [], name
    screenshot(page, f"teacher-{name}")


@pytest.mark.browser
def test_teacher_tables_read_as_whole_words_at_360_in_finnish_and_bulgarian(
        registered: tuple[LiveTool, TestPlatform], chromium: Browser) -> None:
    """The unit's outcomes (long ESCO labels), the course dashboard and the learners: cards on a phone."""
    if not AXE.exists():
        pytest.skip("axe-core not installed (npm ci in tests/browser)")
    tool, platform = registered
    submit_attempt(launch(tool, platform, ANNA), {"lo1", "lo2", "lo3"})
    context = chromium.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    page = context.new_page()
    for locale in ("fi", "bg"):
        teacher = PlatformUser(sub=TEACHER.sub, name=TEACHER.name, locale=locale)
        _teacher_tab(page, tool, platform, user=teacher)
        assert page.locator("html").get_attribute("lang") == locale
        assert page.locator("table.outcome-table td[data-cell=esco] a").count() >= 3
        _reads_whole_words(page, f"unit-{locale}")
        with page.expect_navigation():
            page.click("#learner-results")
        page.wait_for_selector('tr[data-user="anna"]')
        _reads_whole_words(page, f"learners-{locale}")
        with page.expect_navigation():
            page.click("nav a[href*='/dashboard']")
        page.wait_for_selector('table.dashboard tr[data-unit] td[data-count="credentials"]')
        assert page.locator('table.dashboard td[data-count="mastered"]').first.inner_text().strip().endswith("1")
        _reads_whole_words(page, f"course-{locale}")
    context.close()
