"""The `mastery` console command (python -m lti_tool runs the same entry point): addresses and mistakes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lti_tool.settings import PROJECT_ROOT


def mastery(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TOOL_BASE_URL", "PORT"}}
    return subprocess.run([sys.executable, "-m", "lti_tool", *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=60, env=base | {"INSTANCE_PATH": str(tmp_path / "instance")} | env)


def test_the_entry_point_is_declared_and_lists_the_admin_commands(tmp_path: Path) -> None:
    assert 'mastery = "lti_tool.cli:main"' in (PROJECT_ROOT / "pyproject.toml").read_text()
    done = mastery(tmp_path, "--help")
    assert done.returncode == 0
    for command in ("platform", "keys", "content", "tool-config", "grades", "xapi", "credentials", "db"):
        assert f"  {command} " in done.stdout


def test_addresses_follow_port_then_the_remembered_make_run_address(tmp_path: Path) -> None:
    done = mastery(tmp_path, "tool-config", PORT="5090")
    assert "http://127.0.0.1:5090/lti/login" in done.stdout
    assert "Content Selection URL" in done.stdout and "http://127.0.0.1:5090/lti/launch" in done.stdout
    assert "mastery platform add" in done.stdout
    (tmp_path / "instance" / "run.env").write_text("PORT=5077\nTOOL_BASE_URL=http://127.0.0.1:5077\n")
    done = mastery(tmp_path, "platform", "registration-url")
    assert done.returncode == 0 and "http://127.0.0.1:5077/lti/register?key=" in done.stdout
    (tmp_path / "instance" / "run.env").write_text("PORT=5000\nTOOL_BASE_URL=https://tool.example.org\n")
    assert "https://tool.example.org/lti/register?key=" in mastery(tmp_path, "platform", "registration-url").stdout
    done = mastery(tmp_path, "platform", "registration-url", TOOL_BASE_URL="https://other.example.org")
    assert "https://other.example.org/lti/register?key=" in done.stdout


@pytest.mark.parametrize(("args", "env", "message"), [
    (("nope",), {}, "No such command 'nope'"),
    (("platform", "list"), {"TOOL_BASE_URL": "ftp://x"}, "TOOL_BASE_URL"),
    (("platform", "list"), {"PORT": "seventy"}, "PORT"),
    (("platform", "list"), {"DATABASE_URL": "postgresql+psycopg://u:p@127.0.0.1:1/db"},
     "the database cannot be reached"),
    (("platform", "list"), {}, "run `mastery db upgrade` first"),
    (("platform", "remove"), {}, "Missing option '--issuer'. (see `mastery platform remove --help`)"),
    (("content", "load", "/nonexistent-folder"), {}, "does not exist"),
])
def test_a_mistake_is_one_line_and_a_non_zero_exit(tmp_path: Path, args: tuple[str, ...], env: dict[str, str],
                                                   message: str) -> None:
    done = mastery(tmp_path, *args, **env)
    assert done.returncode != 0
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
