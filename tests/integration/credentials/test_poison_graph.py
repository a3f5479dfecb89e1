"""Issue 11, H1: poison graphs posted to /api/verify (no login) cannot freeze the tool."""

from __future__ import annotations

import statistics
import threading
import time

import requests

from tests.conftest import LiveTool
from tests.support.poison import poison_credential

POISON_N = 8  # 62.6 s of canonicalisation per request before the work budget
ROUNDS = 10


def _units_latency(url: str, rounds: int) -> list[float]:
    timings = []
    with requests.Session() as session:
        for _ in range(rounds):
            started = time.perf_counter()
            response = session.get(url + "/api/units", timeout=30)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
    return timings


def test_a_poison_graph_is_refused_by_the_work_budget(live_tool: LiveTool) -> None:
    response = requests.post(live_tool.url + "/api/verify", json=poison_credential(POISON_N), timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    failed = {check["name"]: check["detail"] for check in body["checks"] if not check["ok"]}
    assert "work_budget" in failed and "signature" not in {c["name"] for c in body["checks"]}, failed
    assert "refused before signature check" in failed["work_budget"]


def test_four_concurrent_poison_requests_do_not_slow_a_normal_request(live_tool: LiveTool) -> None:
    _units_latency(live_tool.url, 2)  # warm up
    baseline = statistics.median(_units_latency(live_tool.url, ROUNDS))
    answers: list[int] = []
    beside: list[float] = []

    def attack() -> None:
        answer = requests.post(live_tool.url + "/api/verify", json=poison_credential(POISON_N), timeout=120)
        failed = {check["name"] for check in answer.json()["checks"] if not check["ok"]}
        answers.append(answer.status_code if "work_budget" in failed else -1)

    for _ in range(ROUNDS // 2):
        attackers = [threading.Thread(target=attack) for _ in range(4)]
        for thread in attackers:
            thread.start()
        beside += _units_latency(live_tool.url, 1)
        for thread in attackers:
            thread.join(timeout=120)
    assert answers == [200] * (4 * (ROUNDS // 2))  # each refused by the work budget, none left running
    # Unbudgeted, each poison request held a thread for a minute; budgeted, the normal request beside four of them
    # stays within a small multiple of its own latency (server, attackers and client share one Python process).
    assert max(beside) < max(10 * baseline, 2.0), (baseline, beside)
