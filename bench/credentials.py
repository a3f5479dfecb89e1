"""Benchmark: eddsa-rdfc-2022 signs/s and verifies/s of the MASTERY credential (single core, run on demand).

Side by side on the same document in the same run: pyld (dataintegrity.py), the fast canonical path
(fast_proof.py) and the digitalbazaar JavaScript suite (tests/js_verifier/bench.mjs, when node and its
node_modules are there). All three must produce the same proofValue for the same key and date.

Usage: python bench/credentials.py [seconds-per-measure]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from lti_tool.credentials.issuing.builder import (  # noqa: E402
    EscoSkill,
    IssuerInfo,
    LearnerInfo,
    OutcomeInfo,
    Participation,
    UnitInfo,
    build_credential,
)
from lti_tool.credentials.proof import vcjwt  # noqa: E402
from lti_tool.credentials.proof.canonical import canonicalize_safe  # noqa: E402
from lti_tool.credentials.proof.dataintegrity import format_created, sign, verify  # noqa: E402
from lti_tool.credentials.proof.fast_nquads import canonical_nquads  # noqa: E402
from lti_tool.credentials.proof.fast_proof import sign_fast, verify_fast  # noqa: E402
from lti_tool.credentials.proof.multibase import did_key, did_key_verification_method  # noqa: E402
from lti_tool.credentials.proof.resolver import Resolver  # noqa: E402
from lti_tool.credentials.status.bitstring import status_entry  # noqa: E402

JS_DIR = ROOT / "tests" / "js_verifier"


def rate(label: str, action: Callable[[], object], seconds: float) -> float:
    """Run ``action`` for about ``seconds``; print and return operations per second."""
    action()  # warm the context caches
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        action()
        count += 1
    per_second = count / elapsed
    print(f"{label:<34} {per_second:8.1f} /s   {1000 / per_second:6.2f} ms each  ({count} runs)")
    return per_second


def credential_for(key: Ed25519PrivateKey) -> dict[str, Any]:
    """A MASTERY credential with three outcomes, e-mail and name (the usual shape)."""
    skills = tuple(
        EscoSkill(f"http://data.europa.eu/esco/skill/{i:08d}-0000-4000-8000-000000000000", f"skill {i}")
        for i in range(3)
    )
    unit = UnitInfo(
        slug="wood-u1",
        version="1.0.0",
        title="Sustainable wood processing",
        summary="Green skills.",
        sector="wood",
        eqf_level=5,
        ects=1.0,
        workload_hours=25,
        esco=skills,
        participation=Participation.ONLINE,
        assessment_type="testing",
        quality_assurance="internal review",
        outcomes=tuple(OutcomeInfo(f"LO{i}", f"Outcome {i}", (skills[i],), 0.8, True, 0.6) for i in range(3)),
    )
    return build_credential(
        credential_id="urn:uuid:3f1c9a52-8d2e-4c55-9a51-0c6d2d1b8e11",
        issuer=IssuerInfo(
            id=did_key(key.public_key()),
            name="MASTERY",
            url="https://mastery.example",
            country="IT",
            region="Lombardia",
        ),
        learner=LearnerInfo(
            home_page="https://moodle.example", sub="42", salt="salt", name="Ada", email="ada@example.org"
        ),
        unit=unit,
        overall_score=0.8,
        issued=dt.datetime.now(dt.UTC),
        achievement_base_url="https://mastery.example/achievements",
        status=status_entry("https://mastery.example/credentials/status/1", 7),
    )


def javascript(credential: dict[str, Any], seed: bytes, created: str, seconds: float) -> dict[str, Any] | None:
    """Rates of the digitalbazaar suite on the same document and key, or None when node is not set up."""
    node = shutil.which("node")
    if node is None or not (JS_DIR / "node_modules").is_dir():
        print("JavaScript suite: skipped (node or tests/js_verifier/node_modules missing; run `npm ci` there)")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "credential.json"
        path.write_text(json.dumps(credential), encoding="utf-8")
        done = subprocess.run(
            [node, str(JS_DIR / "bench.mjs"), str(path), seed.hex(), created, str(seconds)],
            capture_output=True,
            text=True,
            timeout=60 + 4 * seconds,
            check=False,
        )
    if done.returncode != 0:
        print(f"JavaScript suite failed: {done.stderr.strip()[:500]}")
        return None
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def main() -> None:
    """Build one MASTERY credential and measure sign and verify with pyld, the fast path and JavaScript."""
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    seed = os.urandom(32)
    key = Ed25519PrivateKey.from_private_bytes(seed)
    credential = credential_for(key)
    method = did_key_verification_method(key.public_key())
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    signed = sign(credential, key, method, now)
    resolver = Resolver()
    assert verify(signed, resolver).ok and verify_fast(signed, resolver).ok
    assert sign_fast(credential, key, method, now) == signed, "fast path must sign the same bytes as pyld"
    quads = canonicalize_safe(credential).count("\n")
    python = sys.version.split()[0]
    print(f"MASTERY credential: {quads} quads, {len(json.dumps(signed))} bytes signed; one core, Python {python}")
    results = {
        "pyld": (
            rate("pyld   sign (eddsa-rdfc-2022)", lambda: sign(credential, key, method, now), seconds),
            rate("pyld   verify", lambda: verify(signed, resolver), seconds),
        ),
        "fast": (
            rate("fast   sign (eddsa-rdfc-2022)", lambda: sign_fast(credential, key, method, now), seconds),
            rate("fast   verify", lambda: verify_fast(signed, resolver), seconds),
        ),
    }
    rate("pyld   canonicalise (safe mode)", lambda: canonicalize_safe(credential), seconds)
    rate("fast   canonicalise", lambda: canonical_nquads(credential), seconds)
    token = vcjwt.encode(credential, key, method)
    rate("VC-JWT EdDSA encode", lambda: vcjwt.encode(credential, key, method), seconds)
    rate("VC-JWT EdDSA decode+verify", lambda: vcjwt.decode(token, resolver), seconds)
    js = javascript(credential, seed, format_created(now), seconds)
    if js is not None:
        same = js["proof"]["proofValue"] == signed["proof"][0]["proofValue"]
        results["js"] = (js["signs_per_s"], js["verifies_per_s"])
        print(f"JS     sign (digitalbazaar, node {js['node']})  {js['signs_per_s']:8.1f} /s")
        print(f"JS     verify                      {js['verifies_per_s']:8.1f} /s")
        print(f"JS proofValue identical to Python's: {same}")
    print("\nsummary (per second)      sign    verify")
    for name, (signs, verifies) in results.items():
        print(f"  {name:<20} {signs:9.1f} {verifies:9.1f}")


if __name__ == "__main__":
    main()
