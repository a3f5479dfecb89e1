"""A guided unit's study page in a real browser: figures drawn, captions and language right, WCAG AA, 360 px."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.test_accessibility import AXE, _axe_violations
from tests.conftest import LEARNER, LiveTool
from tests.lti_platform import LtiRoles, TestPlatform

UNIT = "wood-residues-cascading"


def _open(tool: LiveTool, platform: TestPlatform, chromium: Browser, locale: str, width: int) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    params = platform.login_params(target_link_uri=tool.launch_url, user=replace(LEARNER, locale=locale),
                                   roles=[LtiRoles.LEARNER], custom={"unit": UNIT})
    fields = "".join(f"<input type=hidden name='{k}' value='{v.replace(chr(39), '&#39;')}'>" for k, v in params.items())
    page.set_content(f"<form id=f method=post action='{tool.login_url}'>{fields}</form>")
    page.evaluate("document.getElementById('f').submit()")
    page.wait_for_selector(f'article.unit[data-unit="{UNIT}"]')
    yield page
    context.close()


@pytest.mark.parametrize(("locale", "width", "caption_word"),
                         [("it", 360, "cascata"), ("bg", 360, "Каскадата"), ("en", 1280, "cascade")])
def test_figures_render_in_the_learners_language(registered: tuple[LiveTool, TestPlatform], chromium: Browser,
                                                 tmp_path: Path, locale: str, width: int, caption_word: str) -> None:
    if not AXE.exists():
        pytest.skip("axe-core not installed (npm ci in tests/browser)")
    tool, platform = registered
    for page in _open(tool, platform, chromium, locale, width):
        figures = page.locator("section.study figure img")
        assert figures.count() == 2
        for index in range(2):
            figure = figures.nth(index)
            figure.scroll_into_view_if_needed()
            # The SVG decoded and drew (a data: image blocked by the CSP or broken XML has no natural size).
            assert figure.evaluate("img => img.complete && img.naturalWidth > 0")
            assert figure.evaluate("img => img.getBoundingClientRect().width") <= width
        assert caption_word in page.locator("#figure-cascade-figure figcaption").inner_text()
        assert page.locator(".lang-fallback").count() == 0
        assert _axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.locator("#figure-cascade-figure").screenshot(path=str(tmp_path / f"figure-{locale}-{width}.png"))
        page.locator("#figure-log-yield-figure").screenshot(path=str(tmp_path / f"yield-{locale}-{width}.png"))
        page.screenshot(path=str(tmp_path / f"study-{locale}-{width}.png"), full_page=False)


def test_a_language_the_unit_lacks_falls_back_visibly(registered: tuple[LiveTool, TestPlatform],
                                                      chromium: Browser) -> None:
    tool, platform = registered
    for page in _open(tool, platform, chromium, "de", 360):  # a language no unit offers
        assert page.locator(".lang-fallback").is_visible()
        assert page.locator("h1").get_attribute("lang") == "en"
        assert page.locator("section.study").first.get_attribute("lang") == "en"
