"""`content load|check PATH` find the unit files in PATH or in its units/ folder, and say so when there are none.

The shipped units pass `content check --strict`: every authoring rule of docs/authoring.md holds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from lti_tool.settings import PROJECT_ROOT

CONTENT = PROJECT_ROOT / "content"
UNIT_COUNT = len(list((CONTENT / "units").glob("*.yaml")))


@pytest.mark.parametrize("path", [CONTENT, CONTENT / "units"])
def test_the_content_folder_and_its_units_folder_both_work(runner: FlaskCliRunner, path: Path) -> None:
    loaded = runner.invoke(args=["content", "load", str(path)])
    assert loaded.exit_code == 0, loaded.output
    assert f"Loaded {UNIT_COUNT} new unit version(s)" in loaded.output
    checked = runner.invoke(args=["content", "check", "--strict", str(path)])
    assert checked.exit_code == 0, checked.output
    assert f"{UNIT_COUNT} valid, 0 with errors, 0 with warnings" in checked.output


def test_one_unit_file_works(runner: FlaskCliRunner) -> None:
    one = sorted((CONTENT / "units").glob("*.yaml"))[0]
    assert "Loaded 1 new unit version(s)" in runner.invoke(args=["content", "load", str(one)]).output


@pytest.mark.parametrize("command", ["load", "check"])
def test_a_folder_without_units_is_a_one_line_error(runner: FlaskCliRunner, tmp_path: Path, command: str) -> None:
    (tmp_path / "units").mkdir()
    shutil.copy(PROJECT_ROOT / "README.md", tmp_path / "README.md")
    result = runner.invoke(args=["content", command, str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: No unit files (*.yaml) in {tmp_path} or in {tmp_path / 'units'}."
    missing = runner.invoke(args=["content", command, str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "does not exist" in missing.output and "Traceback" not in missing.output
