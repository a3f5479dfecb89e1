"""A learner launched from the independent platform sees the tool's UI in the launch's locale.

The LMS sends the locale in the launch_presentation claim (LTI Core 1.3 5.4.4); unit content has its own
translations, and falls back to English where a unit has none.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
import requests

from tests.conftest import LEARNER, LiveTool
from tests.lti_platform import LtiRoles, TestPlatform

# Its title is translated into Italian (not Finnish), its study sections are in English only: the unit
# declares no language but English, so every learner sees it whole in English, with a visible notice.
UNIT = "agrofood-food-waste-valorisation"
TITLE_EN = "Food waste prevention and valorisation of by-products"
TITLE_IT = "Prevenzione degli sprechi alimentari e valorizzazione dei sottoprodotti"
SECTION_EN = "Why and how food waste is measured"


def launch_unit(tool: LiveTool, platform: TestPlatform, browser: requests.Session, locale: str) -> str:
    page = platform.launch(browser, login_url=tool.login_url, target_link_uri=tool.launch_url,
                           user=replace(LEARNER, locale=locale), roles=[LtiRoles.LEARNER], custom={"unit": UNIT})
    assert page.status_code == 200, page.text[:300]
    return page.text


def start_button(html: str) -> str:
    match = re.search(r'<button type="submit" class="button" id="start-assessment">([^<]+)</button>', html)
    assert match, "the learner's unit page has the start button"
    return match.group(1)


def heading(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]+)<', html)
    assert match, element_id
    return match.group(1)


@pytest.mark.parametrize(("locale", "button", "outcomes", "title"), [
    ("it", "Inizia o riprendi la valutazione", "Che cosa saprai fare", TITLE_EN),  # not complete in Italian
    ("it-IT", "Inizia o riprendi la valutazione", "Che cosa saprai fare", TITLE_EN),
    ("fi", "Aloita tai jatka arviointia", "Mitä osaat tämän jälkeen", TITLE_EN),  # no Finnish title: English
    ("en", "Start or resume the assessment", "What you will be able to do", TITLE_EN),
    ("de-DE", "Start or resume the assessment", "What you will be able to do", TITLE_EN),  # not offered: English
])
def test_the_unit_page_speaks_the_launch_locale(registered: tuple[LiveTool, TestPlatform], browser: requests.Session,
                                                locale: str, button: str, outcomes: str, title: str) -> None:
    tool, platform = registered
    html = launch_unit(tool, platform, browser, locale)
    assert start_button(html) == button
    assert heading(html, "outcomes-h") == outcomes
    assert f'<h1 lang="en">{title}</h1>' in html
    # The study text has no translation in the unit file, so it stays English under any UI language.
    assert heading(html, "section-targets-h") == SECTION_EN
    assert 'id="section-targets" aria-labelledby="section-targets-h" lang="en"' in html
    assert ('class="notice lang-fallback"' in html) is (not locale.startswith("en"))
    if not locale.startswith("en") and not locale.startswith("de"):
        assert "Start or resume the assessment" not in html and "What you will be able to do" not in html


def test_pages_after_the_launch_keep_its_locale(registered: tuple[LiveTool, TestPlatform],
                                                browser: requests.Session) -> None:
    tool, platform = registered
    html = launch_unit(tool, platform, browser, "it")
    form = re.search(r'<form method="post" action="([^"]+)">\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
                     html)
    assert form
    # A later request carries only the session cookie (no launch), and a browser asking for English.
    page = browser.post(tool.url + form.group(1), data={"csrf_token": form.group(2)},
                        headers={"Accept-Language": "en-GB,en;q=0.9"}, timeout=10)
    assert page.status_code == 200, page.text[:300]
    assert "Invia le mie risposte" in page.text and "Submit my answers" not in page.text
    assert f"Valutazione: {TITLE_IT}" in page.text
