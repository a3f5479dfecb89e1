"""The teacher's view of a unit names its ESCO skills in the teacher's language where ESCO's data has them, else in
ESCO's English marked lang="en"."""

from __future__ import annotations

import html
import re

import pytest
import requests

from lti_tool.catalogue.schema import read_unit_file
from lti_tool.settings import PROJECT_ROOT
from tests.conftest import LiveTool
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform
from tests.unit.catalogue.test_esco import ENGLISH, official, with_translations

UNIT = "manufacturing-environmental-monitoring"
SKILL_LINK = re.compile(r'<a href="(http://data\.europa\.eu/esco/skill/[^"]+)" lang="([^"]+)">([^<]*)</a>')


def test_the_teacher_unit_view_shows_escos_label_in_the_teachers_language_or_english_marked_en(
        registered: tuple[LiveTool, TestPlatform], monkeypatch: pytest.MonkeyPatch) -> None:
    tool, platform = registered
    document = read_unit_file(PROJECT_ROOT / "content" / "units" / f"{UNIT}.yaml")
    cited = {uri for outcome in document["outcomes"] for uri in outcome["esco"]}
    # The shipped labels (no ESCO rows in another language ship today), plus a French test row for one skill: the
    # live tool runs in this process, so the page shows exactly what the catalogue serves.
    one = sorted(cited)[0]
    french_row = {one: f"{ENGLISH[one]} [fr test row]"}
    with_translations(monkeypatch, {**{lang: official(lang) for lang in ("it", "es", "fi", "bg", "nl")},
                                    "fr": {**official("fr"), **french_row}})
    shown_by_locale = {}
    for locale in ("fr", "es", "fi", "it", "bg", "nl"):
        page = platform.launch(requests.Session(), login_url=tool.login_url, target_link_uri=tool.launch_url,
                               user=PlatformUser(sub=f"teacher-{locale}", name="Tina Teacher", locale=locale),
                               roles=[LtiRoles.INSTRUCTOR], custom={"unit": UNIT})
        assert page.status_code == 200 and "teacher-view" in page.text, page.text[:300]
        shown = {(uri, lang, html.unescape(text)) for uri, lang, text in SKILL_LINK.findall(page.text)}
        ours = {**official(locale), **(french_row if locale == "fr" else {})}
        expected = {(uri, locale, ours[uri]) if uri in ours else (uri, "en", ENGLISH[uri].strip()) for uri in cited}
        assert shown == expected, locale
        shown_by_locale[locale] = shown
    # Both cases are really on the pages: a French label, and skills with none kept English.
    assert {lang for _uri, lang, _text in shown_by_locale["fr"]} == {"fr", "en"}
    assert {lang for _uri, lang, _text in shown_by_locale["nl"]} == {"en"}
