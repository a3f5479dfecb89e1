"""The pages no journey test walks through, in Chromium at 360 px: they fit, pass axe and are screenshotted.

Each page is opened as the person it is for (a teacher, a learner, a site administrator, anyone), in English and in
the two languages with the longest words of the seven (Finnish and Bulgarian).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests
from playwright.sync_api import Browser

from tests.browser.learner import (
    AXE,
    axe_violations,
    broken_table_words,
    document_fits,
    launch_in_tab,
    screenshot,
    wide_elements,
)
from tests.conftest import LiveTool
from tests.integration.assessment.helpers import launch_learner
from tests.integration.dashboard.helpers import UNIT, ids, submit_attempt
from tests.integration.test_dynamic_registration import register_url
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform

TEACHER_PAGES = {"course": "/courses/{course}", "dashboard": "/courses/{course}/dashboard",
                 "review": "/courses/{course}/review", "course-credentials": "/courses/{course}/credentials"}
LEARNER_PAGES = {"my-data": "/me/data", "my-credentials-empty": "/me/credentials"}
ADMIN_PAGES = {"xapi-admin": "/xapi/admin"}
PUBLIC_PAGES = {"issuer": "/issuer"}


@pytest.mark.browser
@pytest.mark.parametrize("locale", ["en", "fi", "bg"])
def test_every_other_page_fits_360px_and_passes_axe(
        registered: tuple[LiveTool, TestPlatform], chromium: Browser, locale: str) -> None:
    if not AXE.exists():
        pytest.skip("axe-core not installed (npm ci in tests/browser)")
    tool, platform = registered

    def person(sub: str, roles: list[str]) -> requests.Session:
        user = PlatformUser(sub=f"{sub}-{locale}", name="Kristiina Virtanen-Petrova", locale=locale)
        return launch_learner(tool, platform, UNIT, user, roles=roles).http

    learner = launch_learner(tool, platform, UNIT, PlatformUser(sub=f"lea-{locale}", name="Lea", locale=locale))
    submit_attempt(learner, {"lo1", "lo2", "lo3"})  # a credential and a gradebook row on the teacher's pages
    visits = [(person("teacher", [LtiRoles.INSTRUCTOR]), TEACHER_PAGES),
              (person("learner", [LtiRoles.LEARNER]), LEARNER_PAGES),
              (person("admin", [LtiRoles.ADMIN, LtiRoles.INSTRUCTOR]), ADMIN_PAGES),
              (requests.Session(), PUBLIC_PAGES)]
    course, _ = ids(tool)
    for http, pages in visits:
        context = chromium.new_context(viewport={"width": 360, "height": 800}, bypass_csp=True, locale=locale)
        context.add_cookies([{"name": c.name, "value": c.value or "", "url": tool.url} for c in http.cookies])
        page = context.new_page()
        for name, path in pages.items():
            answer = page.goto(tool.url + path.format(course=course))
            assert answer is not None and answer.status == 200, (name, answer and answer.status)
            assert document_fits(page), (name, wide_elements(page))
            assert broken_table_words(page) == {"broken": [], "slivers": []}, (name, locale)
            assert axe_violations(page) == [], (name, locale)
            screenshot(page, f"page-{name}-{locale}")
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("locale", ["en", "fi", "bg"])
def test_the_registration_pages_fit_360px_and_pass_axe(live_tool: LiveTool, platform: TestPlatform,
                                                       chromium: Browser, locale: str) -> None:
    """What an LMS administrator sees when registering the tool: refused (a forged token), then registered."""
    if not AXE.exists():
        pytest.skip("axe-core not installed (npm ci in tests/browser)")
    double = platform.dynamic_registration
    good = double.registration_url(register_url(live_tool))
    parts = urlsplit(good)
    query = {**dict(parse_qsl(parts.query)), "registration_token": "forged"}
    forged = urlunsplit(parts._replace(query=urlencode(query)))
    context = chromium.new_context(viewport={"width": 360, "height": 800}, bypass_csp=True, locale=locale)
    page = context.new_page()
    for name, url, status in (("registration-refused", forged, 400), ("registered", good, 200)):
        answer = page.goto(url)
        assert answer is not None and answer.status == status, (name, answer and answer.status)
        assert page.get_attribute("html", "lang") == locale
        assert document_fits(page), (name, wide_elements(page))
        assert axe_violations(page) == [], (name, locale)
        screenshot(page, f"page-{name}-{locale}")
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("locale", ["es", "fi", "fr", "nl"])
def test_the_learners_unit_and_assessment_fit_360px_in_the_other_languages(
        registered: tuple[LiveTool, TestPlatform], chromium: Browser, locale: str) -> None:
    """The learner journey test walks Italian and Bulgarian; these are the learner's first two pages in the rest."""
    if not AXE.exists():
        pytest.skip("axe-core not installed (npm ci in tests/browser)")
    tool, platform = registered
    context = chromium.new_context(viewport={"width": 360, "height": 800}, bypass_csp=True, locale=locale)
    user = PlatformUser(sub=f"learner-{locale}", name="Lea", locale=locale)
    page = launch_in_tab(context, tool, platform, unit="building-energy-efficient-envelope", user=user)
    for name in ("unit", "assessment"):
        if name == "assessment":
            page.click("#start-assessment")
            page.wait_for_selector("form#attempt")
        assert page.get_attribute("html", "lang") == locale
        assert document_fits(page), (name, wide_elements(page))
        assert broken_table_words(page) == {"broken": [], "slivers": []}, (name, locale)
        assert axe_violations(page) == [], (name, locale)
        screenshot(page, f"{name}-{locale}")
    context.close()
