"""The learner's journey in Chromium at phone width, in Italian and Bulgarian: decimal commas, results, credential."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.learner import (
    answer_every_item,
    axe_violations,
    document_fits,
    launch_in_tab,
    screenshot,
    wide_elements,
)
from tests.conftest import LiveTool
from tests.lti_platform import PlatformUser, TestPlatform

# Two numeric items (3.5 and 50), no practical task: every answer is scored by the machine.
UNIT = "building-energy-efficient-envelope"


@pytest.mark.browser
@pytest.mark.parametrize(("locale", "ambiguous"), [("it", "1.234"), ("bg", "1.234,5")])
def test_decimal_comma_answers_are_scored_right(registered: tuple[LiveTool, TestPlatform], chromium: Browser,
                                                locale: str, ambiguous: str) -> None:
    tool, platform = registered
    # bypass_csp only so the test can inject axe-core; the pages' own CSP forbids inline scripts.
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale=locale, bypass_csp=True)
    user = PlatformUser(sub=f"learner-{locale}", name="Lea", locale=locale)
    page = launch_in_tab(context, tool, platform, unit=UNIT, user=user)
    assert page.locator("#nav-my-credentials").is_visible()  # "My credentials" from every learner page
    assert page.locator("html").get_attribute("lang") == locale
    assert document_fits(page), wide_elements(page)
    screenshot(page, f"unit-{locale}")
    page.click("#start-assessment")
    page.wait_for_selector("form#attempt")
    page.wait_for_load_state("load")
    assert document_fits(page), wide_elements(page)
    numeric = page.locator('fieldset.item[data-type="numeric"] input')
    assert numeric.count() >= 1
    # A number that could be read two ways is questioned, in the page's language, before anything is sent.
    progress = page.locator(".progress-count").first
    assert progress.inner_text().startswith("0 ")  # "0 of 21 answered", in the page's language
    numeric.first.fill(ambiguous)
    numeric.first.blur()
    state = page.locator('fieldset.item[data-type="numeric"] .save-state').first
    assert ambiguous in state.inner_text() and "1234,5" in state.inner_text()
    assert numeric.first.get_attribute("aria-invalid") == "true"
    answer_every_item(page, UNIT, locale)
    total = page.locator("fieldset.item").count()
    assert progress.inner_text().startswith(f"{total} ") and str(total) in progress.inner_text()
    typed = numeric.evaluate_all("inputs => inputs.map(i => i.value)")
    assert any("," in value for value in typed), typed  # 3,5 typed with a decimal comma
    screenshot(page, f"assessment-{locale}")
    page.click("form#attempt button[type=submit]")
    try:
        page.wait_for_url("**/attempts/**")
    except Exception:
        print("STATUS", page.inner_text("#attempt-status"), page.locator(".save-state").all_inner_texts())
        raise
    assert page.locator("p.summary").get_attribute("data-mastered") == "true"
    assert document_fits(page), wide_elements(page)
    screenshot(page, f"results-{locale}")
    # From the results to the credential, by clicking only.
    panel = page.locator("section.credential-earned")
    assert panel.count() == 1
    credential_id = panel.get_attribute("data-credential")
    with context.expect_page() as opened:
        page.click("#view-credential")
    public = opened.value
    public.wait_for_selector("article.credential")
    assert document_fits(public), wide_elements(public)
    screenshot(public, f"credential-public-{locale}")
    page.click("#all-my-credentials")
    page.wait_for_selector("ul.credential-list")
    assert page.locator(f'li[data-credential="{credential_id}"]').count() == 1
    assert axe_violations(page) == []  # WCAG 2.2 AA
    page.go_back()
    page.wait_for_selector("section.credential-earned")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, f"results-{locale}")
    page.click("#all-my-credentials")
    page.wait_for_selector("ul.credential-list")
    screenshot(page, f"my-credentials-{locale}")
    assert page.locator("#nav-my-credentials").is_visible()
    assert document_fits(page), wide_elements(page)
    screenshot(page, f"my-credentials-{locale}")
    context.close()
