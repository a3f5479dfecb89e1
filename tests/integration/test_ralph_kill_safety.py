"""The bundled Ralph LRS survives hard kills: its history file is written by rename, a history left empty by an
older launcher and a statement line cut short by a kill are repaired at start (issue 11, M5)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lti_tool.xapi.lrs_client import LrsClient, Outcome
from lti_tool.xapi.profile import Profile
from tests.integration.test_ralph_lrs import fresh_learner, payloads
from tests.lrs_fixtures import REPO, SCRIPTS, RalphLrs, free_port

pytestmark = [pytest.mark.lrs]
LRS_PYTHON = Path(os.environ.get("LRS_VENV", REPO / ".lrs-venv")) / "bin" / "python"


@pytest.fixture
def own_lrs(tmp_path: Path) -> Iterator[RalphLrs]:
    """A Ralph of this test's own, to kill."""
    subprocess.run([str(SCRIPTS / "install.sh")], check=True, cwd=REPO, timeout=600)
    lrs = RalphLrs(home=tmp_path / "lrs", port=free_port())
    lrs.home.mkdir()
    lrs.start()
    try:
        yield lrs
    finally:
        lrs.stop()


def _statements(n: int) -> list[tuple[str, bytes]]:
    return payloads(fresh_learner(Profile("http://127.0.0.1:5000"))[3][:n])


def _client(lrs: RalphLrs) -> LrsClient:
    return LrsClient(lrs.url, lrs.username, lrs.password)


def test_a_history_left_empty_and_a_half_written_line_do_not_jam_the_lrs(own_lrs: RalphLrs) -> None:
    first = _statements(2)
    with _client(own_lrs) as lrs:
        assert lrs.post_batch(first).outcome is Outcome.DELIVERED
    own_lrs.stop()
    (own_lrs.home / "history.json").write_text("")  # what a kill during the old write left (probe: 1 in 11)
    [data] = [p for p in (own_lrs.home / "data").iterdir() if p.is_file()]
    with data.open("ab") as file:
        file.write(b'{"id": "' + str(uuid.uuid4()).encode() + b'", "actor": {"mb')  # a kill mid-append
    own_lrs.start()
    second = _statements(2)
    with _client(own_lrs) as lrs:
        assert lrs.post_batch(second).outcome is Outcome.DELIVERED
        stored = {s["id"] for s in lrs.iter_statements()}
    assert {sid for sid, _ in first + second} <= stored
    assert isinstance(json.loads((own_lrs.home / "history.json").read_text()), list)
    assert list((own_lrs.home / "data").glob("*.partial-*")), "the cut bytes are kept beside the file"
    assert "left by a kill" in own_lrs.log_path.read_text()


def test_hard_kills_during_writes_leave_a_working_lrs(own_lrs: RalphLrs) -> None:
    sent: set[str] = set()
    for _ in range(2):
        stop = threading.Event()

        def post_until_stopped() -> None:
            with _client(own_lrs) as lrs:
                while not stop.is_set():
                    batch = _statements(5)
                    if lrs.post_batch(batch).outcome is Outcome.DELIVERED:
                        sent.update(sid for sid, _ in batch)

        writer = threading.Thread(target=post_until_stopped)
        writer.start()
        threading.Event().wait(1.5)
        assert own_lrs._process is not None
        os.kill(own_lrs._process.pid, signal.SIGKILL)
        own_lrs._process.wait(10)
        stop.set()
        writer.join(30)
        own_lrs.start()
        with _client(own_lrs) as lrs:
            assert lrs.post_batch(_statements(1)).outcome is Outcome.DELIVERED
    json.loads((own_lrs.home / "history.json").read_text())
    with _client(own_lrs) as lrs:
        assert sent <= {s["id"] for s in lrs.iter_statements()}


def test_the_history_is_replaced_whole_or_not_at_all(tmp_path: Path) -> None:
    """A write that dies half-way (here: the JSON encoder raises after writing a part) leaves the old history."""
    script = textwrap.dedent(f"""
        import json, os, sys
        os.environ["RALPH_HISTORY_FILE"] = {str(tmp_path / "history.json")!r}
        sys.path.insert(0, {str(SCRIPTS)!r})
        import launcher
        from ralph.backends.data.mixins import HistoryMixin
        launcher.patch_history()
        backend = HistoryMixin()
        backend.write_history([{{"id": "first"}}])
        real_dump = json.dump
        def dying_dump(obj, file, **kw):
            file.write('[{{"id": "sec')
            raise KeyboardInterrupt("killed")
        json.dump = dying_dump
        try:
            backend.write_history([{{"id": "first"}}, {{"id": "second"}}])
        except KeyboardInterrupt:
            pass
        json.dump = real_dump
        print(open(os.environ["RALPH_HISTORY_FILE"]).read())
        print(sorted(os.listdir({str(tmp_path)!r})))
    """)
    done = subprocess.run([str(LRS_PYTHON), "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    history, listing = done.stdout.strip().splitlines()
    assert json.loads(history) == [{"id": "first"}]
    assert listing == "['history.json']"  # no temporary file left behind
