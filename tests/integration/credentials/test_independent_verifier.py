"""Credentials issued by the service verify with the independent digitalbazaar JS verifier (tests/js_verifier)."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.integration.credentials.conftest import World

JS_DIR = Path(__file__).resolve().parents[2] / "js_verifier"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.skipif(not (JS_DIR / "node_modules").is_dir(),
                       reason="tests/js_verifier/node_modules is missing: run `npm ci` in tests/js_verifier"),
]


def _js_verify(document: dict[str, Any], tmp_path: Path) -> bool:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    done = subprocess.run([str(NODE), str(JS_DIR / "verify.mjs"), str(path)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode in (0, 1), done.stderr
    return bool(json.loads(done.stdout)["verified"])


def test_issued_credentials_verify_with_the_js_suite(world: World, tmp_path: Path) -> None:
    learners = [world.learner("l1"), world.learner("l2", name="Zoë Ünïcode", email="")]
    for learner, slug in zip(learners, ("wood-chain-of-custody", "building-selective-demolition")):
        document = world.issue(learner, slug).document
        assert _js_verify(document, tmp_path), slug
        tampered = copy.deepcopy(document)
        tampered["credentialSubject"]["result"][0]["value"] = "100"
        assert not _js_verify(tampered, tmp_path)
