"""Every unit's study and assessment pages, rendered by the live tool in every pilot language.

A language the unit declares complete is shown whole: no fallback notice, every section title, figure and
item prompt in that language, marked with its `lang`. Any other language falls back visibly to English.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lti_tool.catalogue.schema import iter_unit_files, read_unit_file
from lti_tool.catalogue.unit_texts import PILOT_LANGUAGES, complete_languages, localized
from lti_tool.locales import translations
from lti_tool.settings import PROJECT_ROOT
from tests.conftest import LEARNER, LiveTool
from tests.integration.assessment.helpers import launch_learner
from tests.lti_platform import TestPlatform

UNIT_FILES = iter_unit_files(PROJECT_ROOT / "content" / "units")
FALLBACK_MARKER = 'class="notice lang-fallback"'


def _check_study_page(page: str, doc: dict[str, Any], lang: str) -> None:
    offered = lang in complete_languages(doc)
    text_lang = lang if offered else "en"
    assert (FALLBACK_MARKER in page) is (not offered), f"{lang}: fallback notice wrong"
    for section in doc["sections"]:
        heading = re.search(rf'id="section-{re.escape(section["id"])}-h">([^<]*)<', page)
        assert heading and html.unescape(heading.group(1)) == localized(section["title"], text_lang), section["id"]
        assert f'id="section-{section["id"]}" aria-labelledby="section-{section["id"]}-h" lang="{text_lang}"' in page
        for figure in section.get("figures", []):
            shown = re.search(rf'<figure id="figure-{re.escape(figure["id"])}"><img src="data:image/svg\+xml;base64,'
                              rf'[A-Za-z0-9+/=]+" alt="([^"]*)"><figcaption>([^<]*)</figcaption>', page)
            assert shown, figure["id"]
            assert html.unescape(shown.group(1)) == localized(figure["alt"], text_lang)
            assert html.unescape(shown.group(2)) == localized(figure["caption"], text_lang)
    assert f'<h1 lang="{text_lang}">{localized(doc["title"], text_lang)}</h1>' in html.unescape(page)
    # A study table's scrolling region is named for screen readers in the page's language.
    regions = re.findall(r'<div class="scroll" tabindex="0" role="region" aria-label="([^"]*)"><table>', page)
    tables = sum(localized(section["body"], text_lang).count("\n|---") + localized(section["body"], text_lang)
                 .count("\n| ---") + localized(section["body"], text_lang).count("\n|:--")
                 for section in doc["sections"])
    assert len(regions) >= min(tables, 1) and set(regions) <= {translations(lang).gettext("Table")}, (lang, regions)


@pytest.mark.parametrize("path", UNIT_FILES, ids=lambda p: p.stem)
def test_study_and_assessment_pages_in_every_language(registered: tuple[LiveTool, TestPlatform],
                                                      path: Path) -> None:
    tool, platform = registered
    doc = read_unit_file(path)
    prompts = {item["id"]: item["prompt"] for outcome in doc["outcomes"] for item in outcome["items"]}
    for lang in PILOT_LANGUAGES:
        user = replace(LEARNER, sub=f"pages-{doc['slug']}-{lang}", locale=lang)
        learner = launch_learner(tool, platform, doc["slug"], user)
        study = learner.http.get(f"{tool.url}/units/{doc['slug']}", timeout=10)
        assert study.status_code == 200
        _check_study_page(study.text, doc, lang)

        started = learner.api("POST", "/api/attempts", {"unit": doc["slug"]})
        assert started.status_code in (200, 201), started.text
        page = learner.http.get(f"{tool.url}/units/{doc['slug']}/assessment", timeout=10)
        assert page.status_code == 200
        text_lang = lang if lang in complete_languages(doc) else "en"
        shown = re.findall(r'<fieldset class="item" [^>]*data-item="([^"]+)"', page.text)
        assert shown, "the attempt shows items"
        readable = html.unescape(page.text)
        for item_id in shown:
            prompt = localized(prompts[item_id], text_lang)
            assert f'<span lang="{text_lang}">{prompt}</span>' in readable, (lang, item_id)
