"""Run the independent JavaScript verifier (tests/js_verifier/verify.mjs, digitalbazaar + DCC loader)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

JS_DIR = Path(__file__).resolve().parents[1] / "js_verifier"
NODE = shutil.which("node")

needs_js_verifier = [
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.skipif(not (JS_DIR / "node_modules").is_dir(),
                       reason="tests/js_verifier/node_modules is missing: run `npm ci` in tests/js_verifier"),
]


def js_verify(document: dict[str, Any], tmp_path: Path, base_url: str | None = None) -> dict[str, Any]:
    """The verifier's JSON answer (verified, errors, fetched URLs) plus its exit code.

    Standard contexts only; with ``base_url`` it may also fetch from that origin (the issuing tool).
    """
    path = tmp_path / "credential-for-js.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    command = [str(NODE), str(JS_DIR / "verify.mjs"), str(path)] + (["--base-url", base_url] if base_url else [])
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode in (0, 1), done.stderr
    return dict(json.loads(done.stdout)) | {"returncode": done.returncode}
