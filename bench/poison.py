"""Time to refuse a "poison" credential (issue 11, H1): N blank nodes that all point at each other.

    .venv/bin/python bench/poison.py [--unbudgeted-up-to 6] [--http]

Prints, per N, the median time canonicalisation takes to refuse the document under the default work budget,
and (for small N only: it grows factorially) how long pyld takes without the budget. With --http it also
serves the tool under gunicorn (SQLite, the default config) and measures, over HTTP, how long POST /api/verify
takes to refuse a poison credential (N=8, a made-up did:key) and the latency of GET /api/units alone and while
four clients post poison credentials without pause.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lti_tool.credentials.proof.canonical import CanonicalizationBudgetError, WorkBudget, canonicalize_safe  # noqa: E402

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


def _percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms"


def over_http(seconds: float = 10.0) -> None:
    """Poison requests against a real gunicorn, and a normal request's latency beside them."""
    import threading
    from types import SimpleNamespace

    import requests

    from bench.harness import tool_under_gunicorn
    from tests.support.poison import poison_credential

    platform = SimpleNamespace(issuer="https://lms.example", client_id="c", deployment_id="d",
                               auth_login_url="https://lms.example/a", auth_token_url="https://lms.example/t",
                               key_set_url="https://lms.example/k")
    with tool_under_gunicorn("sqlite", platform) as (_port, base):
        units = requests.Session()

        def normal(rounds: int) -> list[float]:
            out = []
            for _ in range(rounds):
                started = time.perf_counter()
                units.get(base + "/api/units", timeout=120).raise_for_status()
                out.append(time.perf_counter() - started)
            return out

        normal(5)
        alone = normal(50)
        # "Four such requests": 20 rounds of four poison posts at once, with one normal request beside them.
        burst_poison: list[float] = []
        burst_units: list[float] = []
        for _ in range(20):
            def one() -> None:
                started = time.perf_counter()
                requests.post(base + "/api/verify", json=poison_credential(8), timeout=120)
                burst_poison.append(time.perf_counter() - started)

            burst = [threading.Thread(target=one) for _ in range(4)]
            for thread in burst:
                thread.start()
            burst_units += normal(1)
            for thread in burst:
                thread.join()
        poison_times: list[float] = []
        stop = threading.Event()

        def attack() -> None:
            with requests.Session() as session:
                while not stop.is_set():
                    body = poison_credential(8)
                    started = time.perf_counter()
                    answer = session.post(base + "/api/verify", json=body, timeout=120)
                    poison_times.append(time.perf_counter() - started)
                    failed = {c["name"] for c in answer.json().get("checks", []) if not c["ok"]}
                    assert "work_budget" in failed, answer.text[:300]

        attackers = [threading.Thread(target=attack) for _ in range(4)]
        for thread in attackers:
            thread.start()
        beside: list[float] = []
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            beside += normal(5)
        stop.set()
        for thread in attackers:
            thread.join()
        print(f"POST /api/verify, poison N=8, refused by the work budget: {len(poison_times)} requests, "
              f"{_percentiles(poison_times)}")
        print(f"GET /api/units alone:                   {_percentiles(alone)}")
        print(f"four poison posts at once (20 rounds):  poison {_percentiles(burst_poison)}; "
              f"GET /api/units beside them {_percentiles(burst_units)}")
        print(f"GET /api/units beside 4 poison clients: {_percentiles(beside)} ({len(beside)} requests)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unbudgeted-up-to", type=int, default=6)
    parser.add_argument("--http", action="store_true", help="also measure over HTTP against gunicorn")
    args = parser.parse_args()
    canonicalize_safe(poison(1))  # load the contexts once
    for n in (3, 5, 6, 7, 8, 10, 16, 24, 32, 33, 64):
        seconds, outcome = timed(poison(n), WorkBudget(), 5)
        print(f"N={n:3d} budgeted   {seconds * 1000:9.1f} ms  {outcome}")
    for n in range(3, args.unbudgeted_up_to + 1):
        seconds, outcome = timed(poison(n), UNBOUNDED, 1)
        print(f"N={n:3d} unbudgeted {seconds * 1000:9.1f} ms  {outcome}")
    if args.http:
        over_http()


if __name__ == "__main__":
    main()
