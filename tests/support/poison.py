"""A "poison" JSON-LD credential (issue 11, H1): N blank nodes that all point at each other.

First-degree hashing cannot tell such nodes apart, so RDFC-1.0's Hash N-Degree Quads tries every
permutation: with pyld 3.3 unbounded, N=7 took 5.4 s and N=8 62.6 s.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.support.multibase_key import did_key_of, proof_value_of

CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
KNOWS = "https://example.org/knows"


def poison_credential(n: int, key: Ed25519PrivateKey | None = None) -> dict[str, Any]:
    """An OB 3.0-shaped credential carrying ``n`` mutually linked blank nodes, "signed" by a made-up did:key."""
    key = key or Ed25519PrivateKey.generate()
    did = did_key_of(key)
    nodes = [{"@id": f"_:b{i}", KNOWS: [{"@id": f"_:b{j}"} for j in range(n) if j != i]} for i in range(n)]
    return {
        "@context": CONTEXTS,
        "id": "urn:uuid:00000000-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Anyone"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"type": ["AchievementSubject"], "https://example.org/member": nodes},
        "proof": [{
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": dt.datetime(2026, 1, 1, tzinfo=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "verificationMethod": f"{did}#{did.removeprefix('did:key:')}",
            "proofPurpose": "assertionMethod",
            # A well-formed 64-byte signature over nothing: every cheap check passes, so only the budget stops it.
            "proofValue": proof_value_of(key.sign(b"poison")),
        }],
    }
