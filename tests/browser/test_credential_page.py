"""The public credential page in Chromium: plain verdict, 360 px without sideways scrolling, axe-clean, keyboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from lti_tool.credentials import services
from lti_tool.db import db
from tests.browser.learner import screenshot
from tests.browser.test_accessibility import AXE, _axe_violations
from tests.conftest import LiveTool
from tests.integration.credentials.conftest import World, build_world


@pytest.fixture
def live_world(live_tool: LiveTool) -> Iterator[tuple[LiveTool, World]]:
    world = build_world(live_tool.app)
    with live_tool.app.app_context():
        yield live_tool, world


def _open(chromium: Browser, url: str, width: int, language: str = "en") -> Page:
    context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True, locale=language)
    page = context.new_page()
    page.goto(url)
    return page


def _shot(page: Page, name: str) -> None:
    """Into the run's screenshot folder with every other page (the helper adds the width)."""
    screenshot(page, name)


@pytest.mark.parametrize("width", [360, 1280])
def test_genuine_and_revoked_pages_fit_and_pass_axe(
    live_world: tuple[LiveTool, World], chromium: Browser, width: int
) -> None:
    if not AXE.exists():
        pytest.skip("axe-core not installed (npm ci in tests/browser)")
    tool, world = live_world
    genuine = world.issue(world.learner("l1"))
    learner = world.learner("l2", name="Giulia Rossi")
    learner.locale = "it"
    db.session.commit()
    revoked = world.issue(learner)
    services.revoke(db.session, revoked, "Issued to the wrong learner", "teacher", now=dt.datetime.now(dt.UTC))
    db.session.commit()
    for credential, state, language in ((genuine, "genuine", "en"), (revoked, "revoked", "it")):
        page = _open(chromium, f"{tool.url}/credentials/{credential.id}", width, language)
        assert page.get_attribute("[data-verdict]", "data-verdict") == state
        wide = page.evaluate("""w => [...document.querySelectorAll("*")]
            .filter(e => e.getBoundingClientRect().right > w + 1).map(e => e.tagName + "." + e.className)""", width)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, wide
        # The technical checks are folded away; the keyboard opens them.
        assert not page.is_visible("ul.checks")
        page.focus("details.technical summary")
        page.keyboard.press("Enter")
        assert page.is_visible("ul.checks")
        assert _axe_violations(page) == []
        _shot(page, f"credential-{state}")
        page.context.close()
    issuer = _open(chromium, f"{tool.url}/issuer", width)
    assert issuer.locator("h1").inner_text() == "MASTERY Project"
    assert issuer.evaluate("document.documentElement.scrollWidth") <= width
    assert _axe_violations(issuer) == []
    _shot(issuer, "issuer")
    issuer.context.close()


def test_wallet_offer_page_fits_360px_and_passes_axe(registered: tuple[LiveTool, object], chromium: Browser) -> None:
    import sqlalchemy as sa

    from lti_tool.catalogue.models import Unit
    from lti_tool.launch.models import User
    from tests.browser.test_accessibility import UNIT
    from tests.conftest import LEARNER
    from tests.integration.credentials.conftest import mastered
    from tests.lti_platform import LtiRoles

    if not AXE.exists():
        pytest.skip("axe-core not installed (npm ci in tests/browser)")
    tool, platform = registered
    for width in (360, 1280):
        context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        page = context.new_page()
        params = platform.login_params(target_link_uri=tool.launch_url, user=LEARNER,  # type: ignore[attr-defined]
                                       roles=[LtiRoles.LEARNER], custom={"unit": UNIT})
        fields = "".join(f"<input type=hidden name='{k}' value='{v.replace(chr(39), '&#39;')}'>"
                         for k, v in params.items())
        page.set_content(f"<form id=f method=post action='{tool.login_url}'>{fields}</form>")
        page.evaluate("document.getElementById('f').submit()")
        page.wait_for_selector(f'article.unit[data-unit="{UNIT}"]')
        with tool.app.app_context():
            user = db.session.scalar(sa.select(User).where(User.sub == LEARNER.sub))
            unit = db.session.scalar(sa.select(Unit).where(Unit.slug == UNIT, Unit.is_current.is_(True)))
            assert user is not None and unit is not None
            services.issue_for_mastery(db.session, user, unit, mastered(unit), now=dt.datetime.now(dt.UTC))
            db.session.commit()
        page.goto(tool.url + "/me/credentials" + page.url[page.url.find("?"):] if "?" in page.url
                  else tool.url + "/me/credentials")
        page.click("form.wallet button")
        page.wait_for_selector("[data-offer-uri]")
        # The element is there before credentials.css (which bounds the QR codes) has loaded: a loaded CI machine
        # measured the unstyled page (412 and 439 px at 360). Measure the page as the learner sees it.
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.is_visible("[data-tx-code]") and page.is_visible("[data-lcw-link]")
        assert _axe_violations(page) == []
        _shot(page, "wallet-offer")
        context.close()
