"""Benchmark: eddsa-rdfc-2022 signs/s and verifies/s of the MASTERY credential (single core, run on demand).

Usage: python bench/credentials.py [seconds-per-measure]
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from lti_tool.credentials import vcjwt  # noqa: E402
from lti_tool.credentials.builder import (  # noqa: E402
    EscoSkill,
    IssuerInfo,
    LearnerInfo,
    OutcomeInfo,
    Participation,
    UnitInfo,
    build_credential,
)
from lti_tool.credentials.canonical import canonicalize_safe  # noqa: E402
from lti_tool.credentials.dataintegrity import sign, verify  # noqa: E402
from lti_tool.credentials.multibase import did_key, did_key_verification_method  # noqa: E402
from lti_tool.credentials.resolver import Resolver  # noqa: E402
from lti_tool.credentials.status_list import status_entry  # noqa: E402


def rate(label: str, action: Callable[[], object], seconds: float) -> float:
    """Run ``action`` for about ``seconds``; print and return operations per second."""
    action()  # warm the context caches
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        action()
        count += 1
    per_second = count / elapsed
    print(f"{label:<28} {per_second:8.1f} /s   {1000 / per_second:6.2f} ms each  ({count} runs)")
    return per_second


def main() -> None:
    """Build one MASTERY credential and measure sign, verify and the canonicalisation behind them."""
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    key = Ed25519PrivateKey.generate()
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
    credential = build_credential(
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
    method = did_key_verification_method(key.public_key())
    now = dt.datetime.now(dt.UTC)
    signed = sign(credential, key, method, now)
    resolver = Resolver()
    assert verify(signed, resolver).ok
    token = vcjwt.encode(credential, key, method)
    quads = canonicalize_safe(credential).count("\n")
    python = sys.version.split()[0]
    print(f"MASTERY credential: {quads} quads, {len(str(signed))} chars signed; single core, Python {python}")
    rate("sign (eddsa-rdfc-2022)", lambda: sign(credential, key, method, now), seconds)
    rate("verify (eddsa-rdfc-2022)", lambda: verify(signed, resolver), seconds)
    rate("canonicalise (safe mode)", lambda: canonicalize_safe(credential), seconds)
    rate("VC-JWT EdDSA encode", lambda: vcjwt.encode(credential, key, method), seconds)
    rate("VC-JWT EdDSA decode+verify", lambda: vcjwt.decode(token, resolver), seconds)


if __name__ == "__main__":
    main()
