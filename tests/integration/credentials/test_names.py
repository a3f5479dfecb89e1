"""No credential names no one: a nameless launch ends with a credential carrying the name the learner gave."""

from __future__ import annotations

import re

import requests

from tests.conftest import TEACHER, LiveTool
from tests.integration.dashboard.helpers import UNIT, get, ids, launch, post_form, rows, submit_attempt
from tests.lti_platform import PlatformUser, TestPlatform

NAMELESS = PlatformUser(sub="private-1")  # Moodle with "show user identity" off: no name, no e-mail


def _credential(url: str) -> dict:
    return requests.get(url, headers={"Accept": "application/ld+json"}, timeout=10).json()


def test_a_nameless_learner_is_asked_once_and_the_credential_waits_for_the_name(
        registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch(tool, platform, NAMELESS)
    page = get(learner, f"/units/{UNIT}").text
    assert 'data-needs-name="yes"' in page and "did not share your name" in page  # told at launch, and why
    assert submit_attempt(learner, {"lo1", "lo2", "lo3"})["mastered"] is True
    assert learner.api("GET", "/api/me/credentials").json()["credentials"] == []  # it waits for a name
    bad = post_form(learner, "/me/name", {"name": "Ann\u202eeirtap"})  # a bidi override would make it lie
    assert bad.status_code == 422
    saved = post_form(learner, "/me/name", {"name": "  Ana   María Pérez "})
    assert saved.status_code == 303 and "name_saved=1" in saved.headers["Location"]
    [mine] = learner.api("GET", "/api/me/credentials").json()["credentials"]
    document = _credential(mine["url"])
    names = [i.get("identityHash") for i in document["credentialSubject"].get("identifier", [])
             if i.get("identityType") == "name"]
    assert names == ["Ana María Pérez"], document["credentialSubject"]
    page = get(learner, f"/units/{UNIT}").text
    assert 'data-needs-name="yes"' not in page  # asked once
    assert post_form(learner, "/me/name", {"name": "Someone Else"}).status_code == 409

    teacher = launch(tool, platform, TEACHER, teacher=True)
    context_pk, link_pk = ids(tool)
    row = rows(get(teacher, f"/courses/{context_pk}/links/{link_pk}").text)["private-1"]
    assert "name given by the learner" in row_text(get(teacher, f"/courses/{context_pk}/links/{link_pk}").text,
                                                     "private-1")
    [correct_link] = [h for h in row.links if h.split("?")[0].endswith("/name")]
    form_page = get(teacher, correct_link)
    assert form_page.status_code == 200 and "Ana María Pérez" in form_page.text
    fixed = post_form(teacher, correct_link, {"name": "Ana María Pérez Gómez"})
    assert fixed.status_code == 303 and "reissued=1" in fixed.headers["Location"]
    [fresh] = learner.api("GET", "/api/me/credentials").json()["credentials"]
    assert fresh["id"] != mine["id"]
    new_names = [i.get("identityHash") for i in _credential(fresh["url"])["credentialSubject"]["identifier"]
                 if i.get("identityType") == "name"]
    assert new_names == ["Ana María Pérez Gómez"]
    old_page = requests.get(mine["url"], timeout=10).text
    assert 'data-status="revoked"' in old_page or "revoked" in old_page.lower()
    # A learner cannot use the teacher's correction page.
    assert get(learner, correct_link.split("?")[0]).status_code == 403


def row_text(html: str, user: str) -> str:
    match = re.search(rf'<tr role="row" data-user="{re.escape(user)}".*?</tr>', html, re.S)
    assert match
    return match.group(0)
