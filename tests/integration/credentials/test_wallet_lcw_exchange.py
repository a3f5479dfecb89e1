"""Issue 14 item 2: the Learner Credential Wallet's import path, the VC-API exchange reached by the DCC deep link.

Driven by tests/js_verifier/lcw_wallet.mjs (written from the DCC's documentation, digitalbazaar libraries, no tool
code) against the live tool; the credential it receives is checked by the independent verifier.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from lti_tool.credentials.runtime import current_env
from lti_tool.db import db
from lti_tool.wallets import exchange
from tests.conftest import LiveTool
from tests.integration.credentials.conftest import World, build_world
from tests.support.js_verifier import JS_DIR, NODE, js_verify, needs_js_verifier

pytestmark = needs_js_verifier


@pytest.fixture
def live_world(live_tool: LiveTool) -> Iterator[tuple[LiveTool, World]]:
    world = build_world(live_tool.app)
    with live_tool.app.app_context():
        yield live_tool, world


def lcw(link: str, *flags: str) -> dict[str, Any]:
    done = subprocess.run([str(NODE), str(JS_DIR / "lcw_wallet.mjs"), link, *flags], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode in (0, 1), done.stderr
    return dict(json.loads(done.stdout))


def new_exchange(world: World, sub: str = "l1") -> tuple[Any, exchange.Exchange]:
    credential = world.issue(world.learner(sub))
    made = exchange.create_exchange(db.session, current_env(), credential, now=dt.datetime.now(dt.UTC))
    db.session.commit()
    return credential, made


def test_deep_link_has_the_dcc_shape(live_world: tuple[LiveTool, World]) -> None:
    tool, world = live_world
    _, made = new_exchange(world)
    parts = urlsplit(made.deep_link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "lcw.app", "/request.html")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["issuer"] == urlsplit(tool.url).netloc and query["auth_type"] == "bearer"
    assert query["vc_request_url"].startswith(tool.url + "/exchanges/") and query["challenge"] == made.transaction_id


@pytest.mark.parametrize("flow", [(), ("--two-step",)])
def test_wallet_receives_a_credential_bound_to_its_did(live_world: tuple[LiveTool, World], tmp_path: Path,
                                                        flow: tuple[str, ...]) -> None:
    tool, world = live_world
    credential, made = new_exchange(world)
    answer = lcw(made.deep_link, *flow)
    assert answer["status"] == 200, answer
    received = answer["body"]
    assert received["credentialSubject"]["id"] == answer["holder"]
    assert received["id"] == credential.document["id"]
    verified = js_verify(received, tmp_path, base_url=tool.url)
    assert verified["verified"] is True, verified
    again = lcw(made.deep_link)  # the same link once more: nothing is issued twice
    assert (again["status"], again["body"]["error"]) == (404, "invalid_exchange")


def test_bad_didauth_is_refused_and_does_not_burn_the_exchange(live_world: tuple[LiveTool, World]) -> None:
    _, world = live_world
    _, made = new_exchange(world)
    wrong = lcw(made.deep_link, "--wrong-challenge")
    assert (wrong["status"], wrong["body"]["error"]) == (400, "invalid_presentation"), wrong
    forged = lcw(made.deep_link, "--foreign-signer")
    assert (forged["status"], forged["body"]["error"]) == (400, "invalid_presentation"), forged
    assert lcw(made.deep_link)["status"] == 200  # a genuine wallet still gets it


def test_an_exchange_link_is_not_an_openid4vci_code(live_world: tuple[LiveTool, World]) -> None:
    import requests

    tool, world = live_world
    _, made = new_exchange(world)
    answer = requests.post(tool.url + "/oid4vci/token", timeout=10, data={
        "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
        "pre-authorized_code": made.transaction_id})
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")
