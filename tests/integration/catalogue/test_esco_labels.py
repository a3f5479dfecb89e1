"""The teacher's view of a unit names its ESCO skills in the teacher's language, from ESCO's own data."""

from __future__ import annotations

import html
import re

import requests

from lti_tool.catalogue.schema import read_unit_file
from lti_tool.settings import PROJECT_ROOT
from tests.conftest import LiveTool
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform
from tests.unit.catalogue.test_esco import ESCO, labels, official

# Its skills: some with a French ESCO label here, one ESCO renamed after the French and Finnish releases we hold
# ("monitor manufacturing impact") and three new in v1.2.0: those stay English on a French or Finnish page; the
# Spanish rows are v1.2.0's own, so a Spanish page names them all in Spanish.
UNIT = "manufacturing-environmental-monitoring"
SKILL_LINK = re.compile(r'<a href="(http://data\.europa\.eu/esco/skill/[^"]+)" lang="([^"]+)">([^<]*)</a>')


def test_the_teacher_unit_view_shows_escos_label_in_the_teachers_language_or_english_marked_en(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    english = labels(ESCO / "greenSkillsCollection_en_v1.2.0.csv")
    document = read_unit_file(PROJECT_ROOT / "content" / "units" / f"{UNIT}.yaml")
    cited = {uri for outcome in document["outcomes"] for uri in outcome["esco"]}
    shown_by_locale = {}
    for locale in ("fr", "es", "fi", "it", "bg", "nl"):
        page = platform.launch(requests.Session(), login_url=tool.login_url, target_link_uri=tool.launch_url,
                               user=PlatformUser(sub=f"teacher-{locale}", name="Tina Teacher", locale=locale),
                               roles=[LtiRoles.INSTRUCTOR], custom={"unit": UNIT})
        assert page.status_code == 200 and "teacher-view" in page.text, page.text[:300]
        shown = {(uri, lang, html.unescape(text)) for uri, lang, text in SKILL_LINK.findall(page.text)}
        ours = official(locale)
        expected = {(uri, locale, ours[uri]) if uri in ours else (uri, "en", english[uri]) for uri in cited}
        assert shown == expected, locale
        shown_by_locale[locale] = shown
    # Both cases are really on the pages: an official French label, and a skill with none kept English.
    assert {lang for _uri, lang, _text in shown_by_locale["fr"]} == {"fr", "en"}
    assert {lang for _uri, lang, _text in shown_by_locale["fi"]} == {"fi", "en"}
    assert {lang for _uri, lang, _text in shown_by_locale["es"]} == {"es"}
    assert {lang for _uri, lang, _text in shown_by_locale["nl"]} == {"en"}
