"""Independent check: the digitalbazaar JS stack verifies what we sign (tests/js_verifier)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lti_tool.credentials.proof.dataintegrity import sign
from lti_tool.credentials.proof.multibase import did_key_verification_method

JS_DIR = Path(__file__).resolve().parents[2] / "js_verifier"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.skipif(
        not (JS_DIR / "node_modules").is_dir(),
        reason="tests/js_verifier/node_modules is missing: run `npm ci` in tests/js_verifier",
    ),
]


def js_verify(document: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """Run the JS verifier on ``document``; its JSON answer plus the exit code."""
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    done = subprocess.run(
        [str(NODE), str(JS_DIR / "verify.mjs"), str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout) | {"returncode": done.returncode}


@pytest.fixture
def signed(test_key: Ed25519PrivateKey, credential: dict[str, Any]) -> dict[str, Any]:
    """Our MASTERY credential, signed by the Python code."""
    return sign(
        credential,
        test_key,
        did_key_verification_method(test_key.public_key()),
        dt.datetime(2026, 11, 20, 9, 30, 1, tzinfo=dt.UTC),
    )


def test_js_verifies_our_credential(signed: dict[str, Any], tmp_path: Path) -> None:
    answer = js_verify(signed, tmp_path)
    assert answer["verified"] is True and answer["returncode"] == 0, answer


def test_js_rejects_tampered_copies(signed: dict[str, Any], tmp_path: Path) -> None:
    renamed = json.loads(json.dumps(signed))
    renamed["credentialSubject"]["achievement"]["name"] = "Something else"
    assert js_verify(renamed, tmp_path)["verified"] is False
    extended = json.loads(json.dumps(signed))
    extended["credentialSubject"]["undefinedTerm"] = "x"  # jsonld.js safe mode refuses it, as ours does
    assert js_verify(extended, tmp_path)["verified"] is False
