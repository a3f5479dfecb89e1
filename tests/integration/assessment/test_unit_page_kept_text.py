"""A learner's unit page is kept per process around its reader's own part (lti_tool.fragments.render_page): the kept
text never crosses a language or a unit version, and the page reads byte for byte as a whole render of its template.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import render_template

from lti_tool.assessment import unit_views
from lti_tool.fragments import fragment_cache
from lti_tool.settings import PROJECT_ROOT
from tests.conftest import LEARNER, LiveTool
from tests.integration.dashboard.helpers import UNIT, submit_attempt
from tests.integration.pilots.helpers import launch
from tests.lti_platform import TestPlatform
from tests.support.unit_copies import copy_unit

EN_TITLE = "<h1 lang=\"en\">Circular product design"
IT_TITLE = "<h1 lang=\"it\">Progettazione circolare dei prodotti"
REVISED = "Circular design, revised edition"


def _page(tool: LiveTool, learner: Any) -> str:
    answer = learner.http.get(f"{tool.url}/units/{UNIT}", timeout=30)
    assert answer.status_code == 200, answer.text[:300]
    return str(answer.text)


def _tokens_named(page: str) -> str:
    """The page with its launch's token and CSRF token written as names (two launches differ only there)."""
    for meta, name in (("launch-session", "LAUNCH"), ("csrf-token", "CSRF")):
        match = re.search(rf'<meta name="{meta}" content="([^"]+)"', page)
        assert match, meta
        page = page.replace(match.group(1), name)
    return page


def test_the_kept_page_follows_the_readers_language_and_the_placements_unit_version(
        registered: tuple[LiveTool, TestPlatform], tmp_path: Path) -> None:
    tool, platform = registered
    english, landing = launch(tool, platform, LEARNER, unit=UNIT)
    assert '<html lang="en">' in landing.text and EN_TITLE in landing.text and "Skip to content" in landing.text
    assert "3 attempts left." in landing.text  # the learner's own part: ngettext in the page's language
    # Another learner of the same placement and unit version reads Italian: nothing of the kept English page.
    italian, landing = launch(tool, platform, replace(LEARNER, sub="learner-it", locale="it"), unit=UNIT)
    for shown in (landing.text, _page(tool, italian)):
        assert '<html lang="it">' in shown and IT_TITLE in shown, shown[:600]
        assert EN_TITLE not in shown and "Skip to content" not in shown and 'lang="en"' not in shown
        assert "3 tentativi rimasti." in shown and "attempts left" not in shown
    shown = _page(tool, english)  # and the English page stays English
    assert '<html lang="en">' in shown and EN_TITLE in shown and IT_TITLE not in shown
    # A new version of the unit: a new placement shows it, the first placement keeps its own (pinned) version.
    source = yaml.safe_load((PROJECT_ROOT / "content" / "units" / f"{UNIT}.yaml").read_text(encoding="utf-8"))
    copy_unit(UNIT, tmp_path / "units", {**source, "version": "9.0.0", "title": {"en": REVISED}})
    tool.cli("content", "load", str(tmp_path / "units"))
    newer, landing = launch(tool, platform, LEARNER, unit=UNIT, resource_link={"id": "rl-newer", "title": "New"})
    assert 'data-version="9.0.0"' in landing.text and f"<title>{REVISED} · " in landing.text
    shown = _page(tool, english)
    assert f'data-version="{source["version"]}"' in shown and REVISED not in shown and EN_TITLE in shown
    assert REVISED in _page(tool, newer)


def test_a_learners_page_reads_byte_for_byte_as_the_whole_render(
        registered: tuple[LiveTool, TestPlatform], monkeypatch: pytest.MonkeyPatch) -> None:
    tool, platform = registered

    def whole(key: object, template: str, shared: dict[str, Any], per_request: object, **context: Any) -> str:
        return render_template(template, **shared, **context)  # the page rendered whole, nothing kept

    learner, kept_landing = launch(tool, platform, LEARNER, unit=UNIT)  # the launch's answer, with its landing URL
    with monkeypatch.context() as patched:
        patched.setattr(unit_views, "render_page", whole)
        _, whole_landing = launch(tool, platform, LEARNER, unit=UNIT)
    assert 'name="landing-url"' in kept_landing.text
    assert _tokens_named(whole_landing.text) == _tokens_named(kept_landing.text)

    submit_attempt(learner, {"lo1"})  # the learner's own part shows an attempt, the grade policy and the standing
    kept = _page(tool, learner)
    assert len(fragment_cache(tool.app)) == 3  # the shared parts, the kept landing page, the kept unit page
    assert _page(tool, learner) == kept and "data-attempt=" in kept
    monkeypatch.setattr(unit_views, "render_page", whole)
    assert _page(tool, learner) == kept
