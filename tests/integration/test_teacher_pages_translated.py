"""Every teacher page and credential page, and the errors raised in Python behind them, in the launch's language.

A learner and a teacher of one course are launched from the independent platform in each locale. The teacher walks
the unit, the dashboards, an attempt, the confirmation pages and the review queue, and meets the errors a teacher
can cause (a reset without a reason, an attempt of another course); the public credential page and its errors are
read with the browser's language. No page may contain the English source of an entry the catalogue translates
(the checks of ``test_learner_pages_translated``).
"""

from __future__ import annotations

import re

import pytest
import requests
from babel.messages.pofile import read_po

from lti_tool.errors import N_
from tests.conftest import LiveTool
from tests.integration.dashboard.helpers import UNIT, get, ids, launch, post_form, submit_attempt
from tests.integration.test_learner_pages_translated import (
    CATALOGUES,
    LOCALES,
    english_sources,
    page_text,
    untranslated,
)
from tests.lti_platform import PlatformUser, TestPlatform

ENGLISH_OR_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b(?:January|February|March|April|May|June|July|August|"
                                 r"September|October|November|December)\b")
# Messages raised in Python that these pages show: each must come out translated.
RAISED = (N_("Say why you reset this attempt (the reason is kept with the record)."),
          N_("This course has no such attempt."),
          N_("There is no credential with this address. Check the link you were given."),
          N_("Give a reason for the revocation; the learner and verifiers will see it."))


def catalogue_entry(locale: str, source: str) -> str:
    """The locale's translation of ``source`` as its catalogue file says (not through the tool)."""
    with (CATALOGUES / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return str(read_po(handle, locale=locale)[source].string)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_teacher_and_credential_page_is_in_the_launch_language(
        registered: tuple[LiveTool, TestPlatform], locale: str) -> None:
    tool, platform = registered
    learner = launch(tool, platform, PlatformUser(sub=f"learner-{locale}", name="Ana Example", locale=locale))
    attempt_id = submit_attempt(learner, {"lo1", "lo2", "lo3"})["attempt_id"]
    [credential] = learner.api("GET", "/api/me/credentials").json()["credentials"]
    teacher = launch(tool, platform, PlatformUser(sub=f"teacher-{locale}", name="Tina Teacher", locale=locale),
                     teacher=True)
    course, link = ids(tool)
    cid = credential["id"]
    pages: dict[str, requests.Response] = {
        "teacher unit page": get(teacher, f"/units/{UNIT}"),
        "course dashboard": get(teacher, f"/courses/{course}/dashboard"),
        "placed unit": get(teacher, f"/courses/{course}/links/{link}"),
        "attempt": get(teacher, f"/courses/{course}/attempts/{attempt_id}"),
        "reset confirmation": get(teacher, f"/courses/{course}/attempts/{attempt_id}/reset"),
        "course credentials": get(teacher, f"/courses/{course}/credentials"),
        "revoke confirmation": get(teacher, f"/credentials/{cid}/revoke"),
        "review queue": get(teacher, f"/courses/{course}/review"),
        "reset without a reason": post_form(teacher, f"/courses/{course}/attempts/{attempt_id}/reset", {"reason": ""}),
        "attempt of no course": get(teacher, f"/courses/{course}/attempts/no-such-attempt"),
        "revoke without a reason": post_form(teacher, f"/credentials/{cid}/revoke", {"reason": " "}),
    }
    browser = {"Accept-Language": locale}
    pages["public credential"] = requests.get(f"{tool.url}/credentials/{cid}", headers=browser, timeout=30)
    pages["no such credential"] = requests.get(f"{tool.url}/credentials/00000000-0000-4000-8000-000000000000",
                                               headers=browser, timeout=30)
    statuses = {name: answer.status_code for name, answer in pages.items()}
    assert statuses == statuses | {"reset without a reason": 422, "attempt of no course": 404,
                                   "revoke without a reason": 422, "no such credential": 404}
    assert all(status == 200 for name, status in statuses.items()
               if name not in {"reset without a reason", "attempt of no course", "revoke without a reason",
                               "no such credential"}), statuses
    found = {name: untranslated(answer.text, locale) for name, answer in pages.items()}
    assert {name: pieces for name, pieces in found.items() if pieces} == {}
    # The unit's form of participation (an enum of the unit file) is named in the catalogue's words, on the teacher's
    # unit page and the credential page; the raw value is gone (and the English word, where the language has another).
    online = catalogue_entry(locale, "Online")
    for name in ("teacher unit page", "public credential"):
        facts = re.findall(r"<dd>\s*([^<]*?)\s*</dd>", pages[name].text)
        assert online in facts and "online" not in facts, (name, facts)
        assert online == "Online" or "Online" not in facts, (name, facts)  # "Online" is Italian and Dutch too
    # Dates are written the locale's way (Babel), never as 2026-12-05 or with English month names.
    dated = ("course dashboard", "placed unit", "attempt", "course credentials", "revoke confirmation", "review queue")
    raw_dates = {name: re.findall(ENGLISH_OR_ISO_DATE, page_text(pages[name].text)[1]) for name in dated}
    assert {name: hits for name, hits in raw_dates.items() if hits} == {}
    # The raised messages are really there, in the locale's words (not an empty or generic page).
    sources = english_sources(locale)
    for message in RAISED:
        assert any(piece in message for piece in sources), f"{message!r} is not translated into {locale}"
    # A JSON caller gets the message in the launch's language too.
    refused = teacher.http.post(f"{tool.url}/courses/{course}/attempts/{attempt_id}/reset", json={"reason": ""},
                                headers={"X-CSRFToken": teacher.csrf, "Accept": "application/json"}, timeout=30)
    assert refused.status_code == 422 and refused.json()["error"] == "reason_required"
    assert not [piece for piece in sources if piece in refused.json()["message"]]
    assert re.search(r"\w", refused.json()["message"])
