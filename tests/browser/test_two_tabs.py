"""One session per launch: two activities in two tabs of one browser stay independent (issue 12, item 1)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page

from lti_tool.assessment.models import Attempt
from lti_tool.db import db
from lti_tool.launch.models import ResourceLink
from tests.browser.learner import document_fits, launch_in_tab, screenshot, wide_elements
from tests.conftest import LEARNER, LiveTool
from tests.lti_platform import PlatformUser, TestPlatform

pytestmark = pytest.mark.browser


def _start(page: Page) -> str:
    page.click("#start-assessment")
    page.wait_for_selector("form#attempt")
    page.wait_for_load_state("load")  # attempt.js is attached (a deferred script)
    return page.locator("form#attempt").get_attribute("data-attempt") or ""


def _submit(page: Page) -> None:
    page.click("form#attempt button[type=submit]")
    confirm = page.locator("#confirm-submit")
    # Blank items are listed before anything is submitted (an attempt is not spent by accident).
    confirm.wait_for(state="visible")
    assert page.locator("#unanswered-list li").count() >= 1
    page.click("#confirm-yes")
    try:
        page.wait_for_url("**/attempts/**")
    except Exception:
        print("STATUS", page.inner_text("#attempt-status"), page.url)
        raise


def _placements(tool: LiveTool) -> dict[str, str]:
    with tool.app.app_context():
        rows = db.session.execute(sa.select(Attempt.id, ResourceLink.resource_link_id).join(
            ResourceLink, Attempt.resource_link_pk == ResourceLink.id)).all()
        return {attempt_id: link for attempt_id, link in rows}


def test_two_units_in_two_tabs(registered: tuple[LiveTool, TestPlatform], chromium: Browser) -> None:
    tool, platform = registered
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    first = launch_in_tab(context, tool, platform, unit="manufacturing-circular-design", user=LEARNER, link_id="rl-a")
    second = launch_in_tab(context, tool, platform, unit="wood-chain-of-custody", user=LEARNER, link_id="rl-b")
    # The older tab still belongs to its own activity: its links, forms and API calls carry its launch.
    first.reload()
    assert first.locator("article.unit").get_attribute("data-unit") == "manufacturing-circular-design"
    attempt_a = _start(first)
    first.locator("fieldset.item input, fieldset.item select").first.focus()
    first.keyboard.press("Space")
    first.locator(".save-state").first.wait_for(state="visible")
    attempt_b = _start(second)
    _submit(first)
    assert first.locator("p.summary").count() == 1
    _submit(second)
    assert _placements(tool) == {attempt_a: "rl-a", attempt_b: "rl-b"}
    context.close()


def test_same_unit_placed_twice_in_two_tabs(registered: tuple[LiveTool, TestPlatform], chromium: Browser) -> None:
    tool, platform = registered
    unit = "wood-chain-of-custody"  # 60-minute cooldown after each attempt
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    first = launch_in_tab(context, tool, platform, unit=unit, user=LEARNER, link_id="rl-1")
    second = launch_in_tab(context, tool, platform, unit=unit, user=LEARNER, link_id="rl-2")
    attempt_1 = _start(first)
    _submit(first)
    # The first placement is now cooling down; the second is a separate activity with its own attempts.
    attempt_2 = _start(second)
    assert attempt_2 != attempt_1
    assert second.locator("form#attempt").get_attribute("data-attempt") == attempt_2
    assert _placements(tool) == {attempt_1: "rl-1", attempt_2: "rl-2"}
    # Back in the first tab, starting again meets its own placement's cooldown, not the other one's attempt.
    first.locator(f'a[href*="/units/{unit}?"]').first.click()  # "Back to the unit", by clicking
    first.wait_for_selector("article.unit")
    assert first.locator("article.unit").count() == 1
    assert first.locator(f'tr[data-attempt="{attempt_1}"]').count() == 1
    assert first.locator(f'tr[data-attempt="{attempt_2}"]').count() == 0
    _submit(second)
    assert _placements(tool) == {attempt_1: "rl-1", attempt_2: "rl-2"}
    context.close()


def test_cooldown_and_attempts_left_are_states_of_the_unit_page(registered: tuple[LiveTool, TestPlatform],
                                                                chromium: Browser) -> None:
    tool, platform = registered
    unit = "wood-chain-of-custody"  # three attempts, 60-minute cooldown
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="it")
    page = launch_in_tab(context, tool, platform, unit=unit, user=PlatformUser(sub="learner-cool", locale="it"))
    assert page.locator(".standing").get_attribute("data-standing") == "open"
    _start(page)
    _submit(page)
    page.locator(f'a[href*="/units/{unit}?"]').first.click()
    page.wait_for_selector("article.unit")
    standing = page.locator(".standing")
    assert standing.get_attribute("data-standing") == "cooldown"
    assert standing.get_attribute("data-attempts-left") == "2"
    assert "1 di 3" in standing.inner_text() and "2 tentativi rimasti" in standing.inner_text()
    opens = standing.locator("time[data-local-time]")
    assert opens.get_attribute("datetime").endswith("Z") and "UTC" not in opens.inner_text()  # shown in local time
    assert page.locator("#start-assessment").count() == 0  # no button that leads to an error page
    assert page.locator("[data-error-code]").count() == 0
    assert document_fits(page), wide_elements(page)
    screenshot(page, "unit-cooldown-it")
    context.close()
