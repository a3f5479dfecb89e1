"""`make run` as a user runs it: one supervisor runs the web server, both workers and the local Ralph LRS.

A learner masters a unit from the independent platform and, with no other command typed, the score reaches
the platform's AGS endpoint and the statements reach the LRS; a killed worker is restarted and logged; one
Ctrl+C (SIGINT to the supervisor) stops everything. Runs scripts/run-local.sh itself, on SQLite (its default).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from lti_tool.settings import PROJECT_ROOT
from lti_tool.xapi.lrs_client import LrsClient
from tests.conftest import LEARNER
from tests.integration.assessment.helpers import launch_learner
from tests.integration.assessment.test_gradebook import UNIT, _answer
from tests.lti_platform import TestPlatform
from tests.support.live_server import free_port

pytestmark = [pytest.mark.slow, pytest.mark.lrs]
ADL = "http://adlnet.gov/expapi/verbs/"
START_TIMEOUT_S = 90.0


@dataclass
class RunningTool:
    """`make run` in a temporary instance folder: its process, ports and log."""

    process: subprocess.Popen[bytes]
    instance: Path
    port: int
    lrs_port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def login_url(self) -> str:
        return self.url + "/lti/login"

    @property
    def launch_url(self) -> str:
        return self.url + "/lti/launch"

    @property
    def lrs_url(self) -> str:
        return f"http://127.0.0.1:{self.lrs_port}/xAPI/"

    def health(self) -> dict:
        return requests.get(self.url + "/health", timeout=5).json()

    def supervisor_log(self) -> str:
        path = self.instance / "supervisord.log"
        return path.read_text() if path.exists() else ""


def _env(instance: Path, port: int, lrs_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "TOOL_BASE_URL", "LRS_URL", "LRS_HOME", "SECRET_KEY"}}
    return env | {"INSTANCE_PATH": str(instance), "PORT": str(port), "LRS_PORT": str(lrs_port),
                  "GUNICORN_WORKERS": "1", "LRS_LOG_LEVEL": "warning"}


def _mastery(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "lti_tool", *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _wait(what: str, check, timeout: float, tool: RunningTool) -> float:  # noqa: ANN001
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        assert tool.process.poll() is None, f"make run exited:\n{tool.log.read_text()[-3000:]}"
        time.sleep(0.1)
    raise AssertionError(f"{what} not within {timeout} s:\n{tool.log.read_text()[-3000:]}")


@pytest.fixture
def make_run(tmp_path: Path, platform: TestPlatform) -> Iterator[RunningTool]:
    """scripts/run-local.sh (what `make run` runs after install, migrate and content load) with the platform
    registered, answering /health."""
    instance, port, lrs_port = tmp_path / "instance", free_port(), free_port()
    env = _env(instance, port, lrs_port)
    _mastery(env, "db", "upgrade")
    _mastery(env, "content", "load")
    _mastery(env, "platform", "add", "--issuer", platform.issuer, "--client-id", platform.client_id,
             "--deployment-id", platform.deployment_id, "--auth-login-url", platform.auth_login_url,
             "--auth-token-url", platform.auth_token_url, "--key-set-url", platform.key_set_url)
    platform.tool_jwks_url = f"http://127.0.0.1:{port}/.well-known/jwks.json"
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(["bash", "scripts/run-local.sh"], cwd=PROJECT_ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    tool = RunningTool(process, instance, port, lrs_port, log)

    def healthy() -> bool:
        try:
            body = tool.health()
        except requests.RequestException:
            return False
        seen = [box["worker_seen_seconds_ago"] for box in body["outboxes"].values()]
        return body["lrs"] == "ok" and None not in seen

    try:
        _wait("/health with the LRS and both workers", healthy, START_TIMEOUT_S, tool)
        yield tool
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # the test failed before its own Ctrl+C
            process.wait(10)


def test_make_run_delivers_score_and_statements_restarts_a_crashed_worker_and_stops_on_ctrl_c(
        make_run: RunningTool, platform: TestPlatform) -> None:
    tool = make_run
    # The remembered address is what every admin command prints from now on.
    assert f"TOOL_BASE_URL=http://127.0.0.1:{tool.port}" in (tool.instance / "run.env").read_text()
    assert f"http://127.0.0.1:{tool.port}/lti/launch" in tool.log.read_text()

    learner = launch_learner(tool, platform, UNIT, LEARNER)  # type: ignore[arg-type]
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    _answer(learner, attempt, right_first=len(attempt["items"]))
    submitted = time.monotonic()
    assert learner.api("POST", f"/api/attempts/{attempt['id']}/submit").json()["mastered"] is True

    _wait("the score at the platform", lambda: platform.scores, 30, tool)
    to_score = time.monotonic() - submitted
    agent = {"objectType": "Agent", "account": {"homePage": platform.issuer, "name": LEARNER.sub}}
    with LrsClient(tool.lrs_url, "mastery", "mastery-dev-secret") as lrs:
        _wait("the 'passed' statement in the LRS",
              lambda: list(lrs.iter_statements(agent=agent, verb=ADL + "passed")), 30, tool)
        to_statements = time.monotonic() - submitted
        _wait("an empty statement outbox", lambda: tool.health()["outboxes"]["xapi"]["pending"] == 0, 30, tool)
        verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in lrs.iter_statements(agent=agent)]
    [score] = platform.scores
    assert score["userId"] == LEARNER.sub and score["scoreGiven"] == 100
    assert {"launched", "initialized", "answered", "completed", "passed", "mastered", "earned"} <= set(verbs)
    print(f"\nmake run: submit → score at the platform {to_score:.2f} s, → statements in the LRS "
          f"{to_statements:.2f} s")
    body = tool.health()
    assert body["status"] == "ok" and body["outboxes"]["grades"]["pending"] == 0

    # A worker that dies is started again, and the supervisor's log says so.
    with_pid = (tool.instance / "supervisord.pid").read_text().strip()
    old_pid = _worker_pid(int(with_pid), "xapi deliver")
    os.kill(old_pid, signal.SIGKILL)
    _wait("the xAPI worker restarted", lambda: tool.supervisor_log().count("spawned: 'xapi'") == 2, 30, tool)
    assert "exited: xapi (terminated by SIGKILL; not expected)" in tool.supervisor_log()
    assert _worker_pid(int(with_pid), "xapi deliver") != old_pid

    # One Ctrl+C stops everything: the web server, both workers and the LRS.
    children = _children(int(with_pid))
    assert len(children) >= 4
    stopping = time.monotonic()
    tool.process.send_signal(signal.SIGINT)
    tool.process.wait(60)
    print(f"make run: Ctrl+C stopped everything in {time.monotonic() - stopping:.1f} s")
    time.sleep(0.5)
    assert [pid for pid in children if _alive(pid)] == []
    with pytest.raises(requests.ConnectionError):
        requests.get(tool.url + "/health", timeout=2)


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _worker_pid(supervisor: int, command: str) -> int:
    for pid in _children(supervisor):
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        if command in cmdline:
            return pid
    raise AssertionError(f"no {command!r} under the supervisor")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
