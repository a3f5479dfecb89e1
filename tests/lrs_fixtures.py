"""Pytest plugin: a real Ralph LRS for the test session (`pytest_plugins = ["tests.lrs_fixtures"]`).

It runs the same scripts as `make run` (scripts/lrs/install.sh, start.sh) on a free loopback port with a
temporary data dir, so the tests exercise the launcher's workarounds too. Installing Ralph the first
time takes ~30 s (into LRS_VENV, default <repo>/.lrs-venv); later sessions reuse it.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts" / "lrs"
START_TIMEOUT_S = 60.0


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RalphLrs:
    """A Ralph LRS process: `.url` is the xAPI base; `.stop()`/`.start()` simulate an outage."""

    home: Path
    port: int
    username: str = "mastery-test"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    _process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The xAPI base URL (ends with a slash)."""
        return f"http://127.0.0.1:{self.port}/xAPI/"

    @property
    def log_path(self) -> Path:
        """Where the LRS writes its output."""
        return self.home / "ralph.log"

    def start(self) -> None:
        """Start the LRS (same port, same data) and wait until its heartbeat answers 200."""
        if self._process is not None and self._process.poll() is None:
            return
        env = {
            **os.environ,
            "LRS_HOME": str(self.home),
            "LRS_PORT": str(self.port),
            "LRS_USERNAME": self.username,
            "LRS_PASSWORD": self.password,
            "LRS_LOG_LEVEL": "warning",
        }
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [str(SCRIPTS / "start.sh")], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"Ralph exited with {self._process.returncode}:\n{self._log_tail()}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Ralph did not answer its heartbeat within {START_TIMEOUT_S} s:\n{self._log_tail()}")

    def stop(self) -> None:
        """Stop the LRS process (SIGTERM, then SIGKILL after 10 s); the data stay."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return "(no log)"


@pytest.fixture(scope="session")
def ralph_lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RalphLrs]:
    """A running Ralph LRS for the whole session, on a free port with a temporary data dir."""
    subprocess.run([str(SCRIPTS / "install.sh")], check=True, cwd=REPO, timeout=600)
    lrs = RalphLrs(home=tmp_path_factory.mktemp("ralph"), port=free_port())
    lrs.start()
    try:
        yield lrs
    finally:
        lrs.stop()
