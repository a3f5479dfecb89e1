"""The teacher's unit picker (Deep Linking) in Chromium: 360 and 1280 px, axe-core, keyboard only, three languages.

A teacher opens "add an activity" in the LMS, filters the catalogue, ticks a unit and sends it back: the independent
platform must receive a signed answer naming that unit.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.learner import AXE, axe_violations, document_fits, screenshot, wide_elements
from tests.conftest import TEACHER, LiveTool
from tests.lti_platform import Claim, LtiRoles, MessageType, PlatformUser, TestPlatform


def _open_picker(page: Page, tool: LiveTool, platform: TestPlatform, locale: str) -> None:
    teacher = PlatformUser(sub=f"{TEACHER.sub}-{locale}", name=TEACHER.name, locale=locale)
    params = platform.login_params(target_link_uri=tool.launch_url, user=teacher, roles=[LtiRoles.INSTRUCTOR],
                                   message_type=MessageType.DEEP_LINKING_REQUEST, resource_link=None)
    fields = "".join(f"<input type=hidden name='{k}' value='{v.replace(chr(39), '&#39;')}'>" for k, v in params.items())
    page.set_content(f"<form id=f method=post action='{tool.login_url}'>{fields}</form>")
    page.evaluate("document.getElementById('f').submit()")
    page.wait_for_selector("#deep-link-select", timeout=30_000)


def _tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element has the focus, as a keyboard user would."""
    target = page.locator(selector).first.element_handle()
    for _ in range(300):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => el === document.activeElement", target):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def _visible_cards(page: Page) -> int:
    return page.locator("#deep-link-select li.unit-card:visible").count()


@pytest.mark.browser
@pytest.mark.parametrize(("locale", "width"), [("en", 1280), ("bg", 360), ("nl", 360)])
def test_a_teacher_filters_picks_and_sends_a_unit_by_keyboard(
        registered: tuple[LiveTool, TestPlatform], chromium: Browser, locale: str, width: int) -> None:
    if not AXE.exists():
        pytest.skip("axe-core not installed (npm ci in tests/browser)")
    tool, platform = registered
    context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True, locale=locale)
    page = context.new_page()
    _open_picker(page, tool, platform, locale)
    assert page.get_attribute("html", "lang") == locale
    assert document_fits(page), wide_elements(page)
    assert axe_violations(page) == [], locale
    screenshot(page, f"picker-{locale}")
    everything = _visible_cards(page)
    count_text = page.text_content("#deep-link-count") or ""
    assert str(everything) in count_text

    # Narrow the list by a word typed into the search field: the count stays in the page's language.
    title = page.locator("#deep-link-select li.unit-card strong").first.text_content() or ""
    _tab_to(page, "#deep-link-filters input[name=q]")
    page.keyboard.type(title.split()[0].lower())
    shown = _visible_cards(page)
    assert 1 <= shown <= everything
    filtered_text = page.text_content("#deep-link-count") or ""
    assert str(shown) in filtered_text
    assert re.sub(r"\d+", "N", filtered_text) == re.sub(r"\d+", "N", count_text), (count_text, filtered_text)

    # Tick the first unit shown and send it; the LMS receives that unit and no other.
    first = page.locator("#deep-link-select li.unit-card:visible input[name=unit]").first
    slug = first.get_attribute("value")
    _tab_to(page, "#deep-link-select li.unit-card:visible input[name=unit]")
    page.keyboard.press("Space")
    assert first.is_checked()
    _tab_to(page, "#deep-link-select button[type=submit]")
    before = len(platform.deep_linking.deep_link_responses)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.title.includes('Deep linking done')", timeout=30_000)
    answer = platform.deep_linking.deep_link_responses[before]
    items = answer[Claim.DL_CONTENT_ITEMS]
    assert [item["custom"]["unit"] for item in items] == [slug]
    context.close()
