"""Practical evidence from the assessment page: size and type checked in the page, the file sent and listed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.learner import document_fits, launch_in_tab, screenshot, wide_elements
from tests.conftest import LiveTool
from tests.lti_platform import PlatformUser, TestPlatform

pytestmark = pytest.mark.browser
UNIT = "building-selective-demolition"  # has a practical task
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def test_a_file_is_checked_before_upload_then_sent_and_listed(registered: tuple[LiveTool, TestPlatform],
                                                               chromium: Browser) -> None:
    tool, platform = registered
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="fr")
    page = launch_in_tab(context, tool, platform, unit=UNIT, user=PlatformUser(sub="learner-fr", locale="fr"))
    page.click("#start-assessment")
    page.wait_for_selector("form#attempt")
    page.wait_for_load_state("load")
    practical = page.locator('fieldset.item[data-type="practical"]').first
    file_input = practical.locator("input.evidence-file")
    state = practical.locator(".save-state")
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if "/uploads/" in r.url else None)
    too_big = b"%PDF-" + b"0" * (11 << 20)
    file_input.set_input_files({"name": "big.pdf", "mimeType": "application/pdf", "buffer": too_big})
    assert "10 Mo" in state.inner_text()  # refused in the page, in French
    file_input.set_input_files({"name": "tool.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ"})
    assert "PDF, PNG, JPEG" in state.inner_text()
    assert uploads == []  # nothing was sent
    file_input.set_input_files({"name": "site-photo.png", "mimeType": "image/png", "buffer": PNG})
    sent = practical.locator(".evidence-sent")
    sent.filter(has_text="site-photo.png").wait_for()
    state.filter(has_text="Enregistr").wait_for()
    assert len(uploads) == 1
    assert document_fits(page), wide_elements(page)
    screenshot(page, "assessment-practical-fr")
    page.reload()
    practical = page.locator('fieldset.item[data-type="practical"]').first
    assert practical.locator(".evidence-sent").get_attribute("data-upload")  # the saved answer names the file
    assert practical.locator(".evidence-sent a").count() == 1
    context.close()
