"""Time to refuse a "poison" credential (issue 11, H1): N blank nodes that all point at each other.

    .venv/bin/python bench/poison.py [--unbudgeted-up-to 6]

Prints, per N, the median time canonicalisation takes to refuse the document under the default work budget,
and (for small N only: it grows factorially) how long pyld takes without the budget.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lti_tool.credentials.canonical import CanonicalizationBudgetError, WorkBudget, canonicalize_safe  # noqa: E402

UNBOUNDED = WorkBudget(max_blank_nodes=10**9, max_undistinguished=10**9, work_factor=64, seconds=10**9)


def poison(n: int) -> dict[str, object]:
    """A credential-shaped document with n mutually linked blank nodes."""
    nodes = [{"@id": f"_:b{i}", "https://example.org/knows": [{"@id": f"_:b{j}"} for j in range(n) if j != i]}
             for i in range(n)]
    return {"@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": "did:example:x",
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"type": ["AchievementSubject"], "https://example.org/member": nodes}}


def timed(document: dict[str, object], budget: WorkBudget, repeat: int) -> tuple[float, str]:
    """Median seconds and the outcome."""
    times, outcome = [], ""
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            canonicalize_safe(document, budget=budget)
            outcome = "canonicalised"
        except CanonicalizationBudgetError as exc:
            outcome = f"refused: {exc}"
        times.append(time.perf_counter() - started)
    return statistics.median(times), outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unbudgeted-up-to", type=int, default=6)
    args = parser.parse_args()
    canonicalize_safe(poison(1))  # load the contexts once
    for n in (3, 5, 6, 7, 8, 10, 16, 24, 32, 33, 64):
        seconds, outcome = timed(poison(n), WorkBudget(), 5)
        print(f"N={n:3d} budgeted   {seconds * 1000:9.1f} ms  {outcome}")
    for n in range(3, args.unbudgeted_up_to + 1):
        seconds, outcome = timed(poison(n), UNBOUNDED, 1)
        print(f"N={n:3d} unbudgeted {seconds * 1000:9.1f} ms  {outcome}")


if __name__ == "__main__":
    main()
