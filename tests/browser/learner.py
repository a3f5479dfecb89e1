"""Driving the learner pages in Chromium: a launch in a tab, answers typed the way a person would, screenshots."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page

from lti_tool.assessment.numbers import format_number
from lti_tool.settings import PROJECT_ROOT
from tests.conftest import LiveTool
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform
from tests.support.catalogue import shipped_unit
from tests.unit_files import item_index, key_response

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
# Not committed (build/ is ignored): a reviewer opens them after a run.
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", PROJECT_ROOT / "build" / "screenshots"))


def launch_in_tab(context: BrowserContext, tool: LiveTool, platform: TestPlatform, *, unit: str,
                  user: PlatformUser, link_id: str = "rl-1", page: Page | None = None) -> Page:
    """A top-level launch from the platform into ``unit`` placed as resource link ``link_id``, in a new tab."""
    page = page or context.new_page()
    params = platform.login_params(target_link_uri=tool.launch_url, user=user, roles=[LtiRoles.LEARNER],
                                   custom={"unit": unit}, resource_link={"id": link_id, "title": f"{unit} ({link_id})"})
    fields = "".join(f"<input type=hidden name='{k}' value='{v.replace(chr(39), '&#39;')}'>" for k, v in params.items())
    page.set_content(f"<form id=f method=post action='{tool.login_url}'>{fields}</form>")
    page.evaluate("document.getElementById('f').submit()")
    page.wait_for_selector(f'article.unit[data-unit="{unit}"]')
    return page


def document_fits(page: Page) -> bool:
    """No horizontal scroll: the document is no wider than the viewport (measured once its stylesheets have
    loaded: a selector can appear before them)."""
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def wide_elements(page: Page) -> list[str]:
    """The elements that stick out to the right of the viewport (for an assertion's message)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 6)
        .map(e => `${e.tagName}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}: `
                  + (e.textContent || '').trim().slice(0, 50))""")


def axe_violations(page: Page, tags: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
                   ) -> list[dict[str, Any]]:
    """axe-core's WCAG violations on the page (the context must bypass CSP to inject it)."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate("""async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}));
    }""", list(tags))


# A unit's study text at 360 px is over 30,000 px tall; capturing all of it took more than Playwright's 30 s
# on a loaded 2-core machine. The top of the page, where the layout questions are, is what a person looks at.
SCREENSHOT_MAX_HEIGHT = 6000


def screenshot(page: Page, name: str) -> None:
    """A screenshot of the page's top (up to SCREENSHOT_MAX_HEIGHT px) into the run's screenshot folder."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    height = min(int(page.evaluate("document.documentElement.scrollHeight")), SCREENSHOT_MAX_HEIGHT)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True, timeout=120_000,
                    clip={"x": 0, "y": 0, "width": width, "height": max(height, 1)})


def answer_every_item(page: Page, unit: str, locale: str, *, right: bool = True) -> None:
    """Answer each item on the assessment page with its key (numbers typed the locale's way)."""
    index = item_index(shipped_unit(unit))
    for fieldset in page.locator("fieldset.item").all():
        item_id = fieldset.get_attribute("data-item") or ""
        kind = fieldset.get_attribute("data-type")
        key = key_response(index[item_id][1])
        if kind == "single_choice":
            fieldset.locator(f'input[value="{key}"]').check()
        elif kind == "true_false":
            fieldset.locator(f'input[value="{"true" if key else "false"}"]').check()
        elif kind == "multiple_response":
            for option in key:
                fieldset.locator(f'input[value="{option}"]').check()
        elif kind == "numeric":
            value = key if right else key + 1000
            fieldset.locator("input").fill(format_number(value, locale))
            fieldset.locator("input").blur()
        elif kind == "short_text":
            fieldset.locator("input").fill(key)
            fieldset.locator("input").blur()
        elif kind == "ordering":
            for position, option in enumerate(key, start=1):
                fieldset.locator(f'select[data-option="{option}"]').select_option(str(position))
        elif kind == "matching":
            for left, target in key.items():
                fieldset.locator(f'select[data-option="{left}"]').select_option(target)
        fieldset.locator(".save-state").filter(has_text=page.locator("form#attempt").get_attribute("data-saved")
                                               ).wait_for()


# Every word of a visible table cell on one line: a Range per word has one line box unless the word is broken
# (hyphens and slashes are break points of their own). The width check catches a column squeezed to a sliver.
# The study sections' own tables (unit content) scroll sideways in their region by design and are not checked.
_BROKEN_WORDS = """() => {
  const broken = [], slivers = [];
  for (const cell of document.querySelectorAll('table td, table th')) {
    if (cell.closest('.study')) continue;
    const box = cell.getBoundingClientRect();
    const style = getComputedStyle(cell);
    const head = cell.closest('thead');  // a card layout hides it as a screen-reader-only 1 px box
    const hiddenHead = head && head.getBoundingClientRect().width <= 1;
    if (!box.width || style.visibility === 'hidden' || hiddenHead || cell.closest('.visually-hidden')) continue;
    const text = cell.innerText.trim();
    if (text.length >= 3 && box.width < 48) slivers.push(`${Math.round(box.width)} px: ${text.slice(0, 30)}`);
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('.visually-hidden')) continue;
      for (const m of node.data.matchAll(/[^\\s\\-\\u2010/]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width).map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return {broken: broken.slice(0, 10), slivers: slivers.slice(0, 10)};
}"""


def broken_table_words(page: Page) -> dict[str, list[str]]:
    """Table words broken across lines and columns squeezed to a sliver (both empty on a page that reads well)."""
    return page.evaluate(_BROKEN_WORDS)
