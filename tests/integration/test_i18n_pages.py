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

# The unit is complete in the seven pilot languages (machine-assisted, needs review): an Italian or Finnish
# learner reads it whole in their language; a locale the unit does not offer (German) sees it in English, marked
# with lang="en" and a visible notice.
UNIT = "agrofood-food-waste-valorisation"
TITLE_EN = "Food waste prevention and valorisation of by-products"
TITLE_IT = "Prevenzione degli sprechi alimentari e valorizzazione dei sottoprodotti"
TITLE_FI = "Ruokahävikin ehkäisy ja sivuvirtojen hyödyntäminen"
SECTION = {"en": "Why and how food waste is measured", "it": "Perché e come si misurano i rifiuti alimentari",
           "fi": "Miksi ja miten ruokajätettä mitataan"}


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


@pytest.mark.parametrize(("locale", "button", "outcomes", "text_lang", "title"), [
    ("it", "Inizia o riprendi la valutazione", "Che cosa saprai fare", "it", TITLE_IT),
    ("it-IT", "Inizia o riprendi la valutazione", "Che cosa saprai fare", "it", TITLE_IT),
    ("fi", "Aloita tai jatka arviointia", "Mitä osaat tämän jälkeen", "fi", TITLE_FI),
    ("en", "Start or resume the assessment", "What you will be able to do", "en", TITLE_EN),
    ("de-DE", "Start or resume the assessment", "What you will be able to do", "en", TITLE_EN),  # not offered
])
def test_the_unit_page_speaks_the_launch_locale(registered: tuple[LiveTool, TestPlatform], browser: requests.Session,
                                                locale: str, button: str, outcomes: str, text_lang: str,
                                                title: str) -> None:
    tool, platform = registered
    html = launch_unit(tool, platform, browser, locale)
    assert start_button(html) == button
    assert heading(html, "outcomes-h") == outcomes
    assert f'<h1 lang="{text_lang}">{title}</h1>' in html
    assert heading(html, "section-targets-h") == SECTION[text_lang]
    assert f'id="section-targets" aria-labelledby="section-targets-h" lang="{text_lang}"' in html
    # Only a locale the unit is not complete in gets the English text and the visible fallback notice.
    assert ('class="notice lang-fallback"' in html) is locale.startswith("de")
    if not locale.startswith(("en", "de")):
        assert "Start or resume the assessment" not in html and "What you will be able to do" not in html
        assert TITLE_EN not in html and SECTION["en"] not in html


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
    assert f'Valutazione: <span lang="it">{TITLE_IT}</span>' in page.text
