"""Every learner page, in every language of the tool, shows no English string the catalogue translates.

A learner is launched from the independent platform in each locale and walks the pages (unit, assessment,
results, my credentials, error pages, an API error). The page's text outside elements marked with another
``lang`` (unit content not yet translated) must not contain the English source of any translated catalogue entry.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from babel.messages.pofile import read_po

from lti_tool.settings import PROJECT_ROOT
from tests.conftest import LiveTool
from tests.integration.assessment.helpers import launch_learner
from tests.lti_platform import PlatformUser, TestPlatform
from tests.support.catalogue import shipped_unit
from tests.unit_files import item_index, key_response

UNIT = "building-energy-efficient-envelope"
LOCALES = ("it", "es", "fi", "bg", "fr", "nl")
CATALOGUES = PROJECT_ROOT / "lti_tool" / "translations"


class _PageText(HTMLParser):
    """The visible text of a page in its own language: skips script/style and elements in another language."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.page_lang = ""
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.page_lang = (values.get("lang") or "").split("-")[0]
            return
        lang = (values.get("lang") or "").split("-")[0]
        hidden = (bool(self.stack) and self.stack[-1][1]) or tag in {"script", "style", "title"} or bool(
            lang and lang != self.page_lang)
        if tag not in self.VOID:
            self.stack.append((tag, hidden))
        if not hidden:
            for name in ("alt", "aria-label", "placeholder", "title"):
                if values.get(name):
                    self.parts.append(str(values[name]))
            if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
                self.parts.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1][1]):
            self.parts.append(data)


def page_text(html: str) -> tuple[str, str]:
    """(page language, visible text in it)."""
    parser = _PageText()
    parser.feed(html)
    return parser.page_lang, re.sub(r"\s+", " ", " ".join(parser.parts))


def english_sources(locale: str) -> list[str]:
    """Pieces of English catalogue text that the locale translates differently (long enough to be telling)."""
    with (CATALOGUES / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    pieces = []
    for message in catalogue:
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        if not source or not target or source == target:
            continue
        for piece in re.split(r"%\(\w+\)s|%s", source):
            piece = piece.strip(" .,:;()")
            if len(piece) >= 14 and " " in piece and piece not in target:
                pieces.append(piece)
    return pieces


def untranslated(html: str, locale: str) -> list[str]:
    lang, text = page_text(html)
    assert lang == locale, f"the page says lang={lang!r}"
    return [piece for piece in english_sources(locale) if piece in text]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_learner_page_is_in_the_launch_language(registered: tuple[LiveTool, TestPlatform], locale: str) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, PlatformUser(sub=f"learner-{locale}", locale=locale))
    token = re.search(r'<meta name="launch-session" content="([^"]+)"', learner.http.get(
        f"{tool.url}/units/{UNIT}", timeout=10).text).group(1)
    pages: dict[str, requests.Response] = {}

    def visit(name: str, path: str, **kwargs: object) -> requests.Response:
        answer = learner.http.request(kwargs.pop("method", "GET"), tool.url + path, timeout=10,  # type: ignore[arg-type]
                                      params={"ls": token}, **kwargs)
        pages[name] = answer
        return answer

    visit("unit", f"/units/{UNIT}")
    start = visit("start", f"/units/{UNIT}/assessment", method="POST", data={"csrf_token": learner.csrf})
    assert start.status_code == 200 and 'id="attempt"' in start.text
    attempt_id = re.search(r'data-attempt="([^"]+)"', start.text).group(1)
    attempt = learner.api("GET", f"/api/attempts/{attempt_id}").json()
    index = item_index(shipped_unit(UNIT))
    for item in attempt["items"]:
        learner.api("PUT", f"/api/attempts/{attempt_id}/responses/{item['id']}",
                    {"response": key_response(index[item["id"]][1])})
    assert learner.api("POST", f"/api/attempts/{attempt_id}/submit").json()["mastered"] is True
    visit("results", f"/units/{UNIT}/attempts/{attempt_id}")
    visit("unit after mastery", f"/units/{UNIT}")
    visit("my credentials", "/me/credentials")
    visit("not found", "/no/such/page")
    visit("method not allowed", "/me/credentials", method="DELETE")
    visit("another unit", "/units/wood-chain-of-custody")
    found = {name: untranslated(answer.text, locale) for name, answer in pages.items()}
    assert {name: pieces for name, pieces in found.items() if pieces} == {}
    assert pages["not found"].status_code == 404 and pages["method not allowed"].status_code == 405
    # Unit content that is not in the page's language says which language it is in.
    results = pages["results"].text
    cells = re.findall(r'<tr data-outcome="[^"]+"[^>]*><td lang="([a-z]{2})"', results)
    assert cells and set(cells) <= {locale, "en"}, cells
    # An API error answers in the launch's language too.
    refused = learner.api("PUT", f"/api/attempts/{attempt_id}/responses/{attempt['items'][0]['id']}",
                          {"response": "x"})
    assert refused.status_code in (409, 422)
    assert not [piece for piece in english_sources(locale) if piece in refused.json()["message"]]


def test_the_page_text_reader_skips_content_in_another_language() -> None:
    html = ('<html lang="it"><title>Not me</title><body><p>Ciao <span lang="en">Hello world, English text</span>'
            '<img alt="Testo alternativo"><script>var x = "nope";</script> fine</p></body></html>')
    assert page_text(html) == ("it", "Ciao Testo alternativo fine")
    assert Path(CATALOGUES / "it" / "LC_MESSAGES" / "messages.po").exists()
