"""Behind a real LTI launch: a learner sees only their own credentials; only the course's teacher revokes."""

from __future__ import annotations

import re

import requests
import sqlalchemy as sa

from lti_tool.catalogue.models import Unit
from lti_tool.credentials import services
from lti_tool.credentials.models import Credential
from lti_tool.db import db
from lti_tool.launch.models import Context, User
from tests.conftest import LEARNER, TEACHER, LiveTool
from tests.integration.credentials.conftest import NOW, UNIT, mastered
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform
from tests.support.catalogue import shipped_unit

OTHER_LEARNER = PlatformUser(sub="learner-2", name="Olga Other", email="olga@example.org")


def _launch(tool: LiveTool, platform: TestPlatform, browser: requests.Session, user: PlatformUser,
            roles: list[str], **kwargs: object) -> requests.Response:
    response = platform.launch(browser, login_url=tool.login_url, target_link_uri=tool.launch_url, user=user,
                               roles=roles, **kwargs)
    assert response.status_code == 200, response.text[:300]
    return response


def _issue_for(tool: LiveTool, sub: str, context_id: str = "course-1") -> str:
    with tool.app.app_context():
        user = db.session.scalar(sa.select(User).where(User.sub == sub))
        unit = db.session.scalar(sa.select(Unit).where(Unit.slug == UNIT, Unit.is_current.is_(True)))
        context = db.session.scalar(sa.select(Context).where(Context.context_id == context_id))
        assert user is not None and unit is not None
        credential = services.issue_for_mastery(db.session, user, unit, mastered(unit), now=NOW, context=context)
        db.session.commit()
        return credential.id


def _context_pk(tool: LiveTool, context_id: str) -> int:
    with tool.app.app_context():
        pk = db.session.scalar(sa.select(Context.id).where(Context.context_id == context_id))
        assert pk is not None
        return pk


def _csrf(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no csrf-token meta"
    return match.group(1)


def test_learner_sees_only_their_own_credentials(registered: tuple[LiveTool, TestPlatform],
                                                 browser: requests.Session) -> None:
    tool, platform = registered
    _launch(tool, platform, browser, LEARNER, [LtiRoles.LEARNER], custom={"unit": UNIT})
    with requests.Session() as other:
        _launch(tool, platform, other, OTHER_LEARNER, [LtiRoles.LEARNER], custom={"unit": UNIT})
        others = _issue_for(tool, OTHER_LEARNER.sub)
        assert [c["id"] for c in other.get(tool.url + "/api/me/credentials", timeout=5).json()["credentials"]] == [
            others]
    assert browser.get(tool.url + "/api/me/credentials", timeout=5).json() == {"credentials": []}
    mine = _issue_for(tool, LEARNER.sub)
    listed = browser.get(tool.url + "/api/me/credentials", timeout=5).json()["credentials"]
    assert listed == [{"id": mine, "unit": UNIT, "url": f"{tool.url}/credentials/{mine}",
                       "issued": listed[0]["issued"], "revoked": False}]
    page = browser.get(tool.url + "/me/credentials", timeout=5)
    assert page.status_code == 200 and mine in page.text and others not in page.text
    assert f"/credentials/{mine}.json?download=1" in page.text and f"/credentials/{mine}.jwt" in page.text
    assert f'value="{tool.url}/credentials/{mine}"' in page.text  # the share link
    assert requests.get(tool.url + "/api/me/credentials", timeout=5).status_code == 401


def test_only_a_teacher_of_the_course_revokes(registered: tuple[LiveTool, TestPlatform],
                                              browser: requests.Session) -> None:
    tool, platform = registered
    _launch(tool, platform, browser, LEARNER, [LtiRoles.LEARNER], custom={"unit": UNIT})
    credential_id = _issue_for(tool, LEARNER.sub)
    revoke_url = f"{tool.url}/credentials/{credential_id}/revoke"

    # the learner cannot revoke, even with their own CSRF token
    learner_csrf = _csrf(browser.get(tool.url + "/me/credentials", timeout=5).text)
    assert browser.post(revoke_url, data={"reason": "x", "csrf_token": learner_csrf}, timeout=5).status_code == 403

    # a teacher of another course cannot revoke it
    with requests.Session() as stranger:
        _launch(tool, platform, stranger, PlatformUser(sub="teacher-9", name="T9"),
                [LtiRoles.INSTRUCTOR], context={"id": "course-2", "title": "Other"})
        other_pk = _context_pk(tool, "course-2")
        listing = stranger.get(f"{tool.url}/courses/{other_pk}/credentials", timeout=5)
        assert listing.status_code == 200 and credential_id not in listing.text
        answer = stranger.post(revoke_url, data={"reason": "x", "csrf_token": _csrf(listing.text)}, timeout=5)
        assert answer.status_code == 403

    with requests.Session() as teacher:
        _launch(tool, platform, teacher, TEACHER, [LtiRoles.INSTRUCTOR])
        course_pk = _context_pk(tool, "course-1")
        listing = teacher.get(f"{tool.url}/courses/{course_pk}/credentials", timeout=5)
        assert listing.status_code == 200 and credential_id in listing.text and "Lea Learner" in listing.text
        assert teacher.get(f"{tool.url}/courses/{other_pk}/credentials", timeout=5).status_code == 403
        # the confirmation names the unit by its title, as the teacher knows it, not by its file name
        confirm = teacher.get(revoke_url, timeout=5).text
        unit_title = shipped_unit(UNIT)["title"]["en"]
        assert re.search(rf'<dd data-unit="{UNIT}">\s*{re.escape(unit_title)}\s*</dd>', confirm), confirm[:2000]
        # without the CSRF token: refused
        assert teacher.post(revoke_url, data={"reason": "x"}, timeout=5).status_code == 403
        # no reason: refused
        assert teacher.post(revoke_url, data={"csrf_token": _csrf(listing.text)}, timeout=5).status_code == 422
        done = teacher.post(revoke_url, data={"reason": "Copied answers", "csrf_token": _csrf(listing.text)},
                            timeout=5)
        assert done.status_code == 200 and "is revoked" in done.text and "Copied answers" in done.text
        again = teacher.post(revoke_url, json={"reason": "twice"},
                             headers={"X-CSRFToken": _csrf(listing.text)}, timeout=5)
        assert again.status_code == 200 and again.json()["changed"] is False

    page = requests.get(f"{tool.url}/credentials/{credential_id}", timeout=5).text
    assert 'data-status="revoked"' in page and "Copied answers" in page
    verdict = requests.post(tool.url + "/api/verify", json=requests.get(
        f"{tool.url}/credentials/{credential_id}.json", timeout=5).json(), timeout=10).json()
    assert verdict["ok"] is False and {c["name"]: c["ok"] for c in verdict["checks"]}["status"] is False
    assert browser.get(tool.url + "/api/me/credentials", timeout=5).json()["credentials"][0]["revoked"] is True


def test_admin_revokes_from_the_cli_idempotently(registered: tuple[LiveTool, TestPlatform],
                                                 browser: requests.Session) -> None:
    tool, platform = registered
    _launch(tool, platform, browser, LEARNER, [LtiRoles.LEARNER], custom={"unit": UNIT})
    credential_id = _issue_for(tool, LEARNER.sub)
    first = tool.cli("credentials", "revoke", credential_id, "--reason", "Issued in error", "--by", "ops")
    assert f"revoked {credential_id}" in first
    second = tool.cli("credentials", "revoke", f"{tool.url}/credentials/{credential_id}", "--reason", "again")
    assert "already revoked" in second and "Issued in error" in second
    with tool.app.app_context():
        credential = db.session.get(Credential, credential_id)
        assert credential is not None and credential.revoked_by == "admin ops"
    result = tool.app.test_cli_runner().invoke(args=["credentials", "revoke", "nope", "--reason", "x"])
    assert result.exit_code != 0 and "no credential" in result.output
    reissued = tool.cli("credentials", "reissue", credential_id)
    assert "reissued as" in reissued


def test_learner_puts_the_credential_into_a_wallet_from_the_page(registered: tuple[LiveTool, TestPlatform],
                                                                 browser: requests.Session) -> None:
    from html import unescape

    from tests.wallet.client import Wallet, WalletError

    tool, platform = registered
    _launch(tool, platform, browser, LEARNER, [LtiRoles.LEARNER], custom={"unit": UNIT})
    mine = _issue_for(tool, LEARNER.sub)
    page = browser.get(tool.url + "/me/credentials", timeout=5).text
    assert f"/me/credentials/{mine}/wallet" in page  # the "Add to my wallet" form
    assert browser.post(f"{tool.url}/me/credentials/{mine}/wallet", timeout=5).status_code == 403  # no CSRF
    offer_page = browser.post(f"{tool.url}/me/credentials/{mine}/wallet", data={"csrf_token": _csrf(page)}, timeout=5)
    assert offer_page.status_code == 200 and "<svg" in offer_page.text  # the QR code
    assert offer_page.headers["Cache-Control"] == "no-store"
    link = re.search(r'href="(openid-credential-offer://[^"]+)"', offer_page.text)
    assert link is not None
    uri = unescape(link.group(1))
    tx_code = re.search(r"data-tx-code>(\d+)<", offer_page.text).group(1)  # type: ignore[union-attr]
    assert 'href="https://lcw.app/request.html?' in offer_page.text  # and the Learner Credential Wallet link
    wallet = Wallet()
    received = wallet.receive(uri, tx_code, "OpenBadgeCredential_ldp_vc")
    assert received["credentialSubject"]["id"] == wallet.key.did
    try:  # the same offer a second time: nothing more
        Wallet().receive(uri, tx_code, "OpenBadgeCredential_ldp_vc")
        raise AssertionError("an offer was used twice")
    except WalletError as error:
        assert (error.status, error.code) == (400, "invalid_grant")
    # Another learner cannot have an offer made for this credential.
    with requests.Session() as other:
        _launch(tool, platform, other, OTHER_LEARNER, [LtiRoles.LEARNER], custom={"unit": UNIT})
        csrf = _csrf(other.get(tool.url + "/me/credentials", timeout=5).text)
        assert other.post(f"{tool.url}/me/credentials/{mine}/wallet", data={"csrf_token": csrf},
                          timeout=5).status_code == 404
