"""Every message a person reads from a raised ToolError is a catalogue entry (``N_``), so the page translates it.

A plain string or an f-string as the message would reach the page in English whatever the launch's language:
``lti_tool.web.errors`` translates ``error.template`` through the catalogue, and only ``N_("…")`` literals are
extracted into it (``scripts/i18n.sh``). Values go in as ``%(name)s`` parameters, never formatted in beforehand.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from lti_tool.settings import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "lti_tool"
# Where the messages are for people using the pages: learners, teachers, anyone opening a credential.
CHECKED = ("assessment", "catalogue", "credentials", "dashboard", "launch", "wallets")
# and the teacher's unit picker (Deep Linking), wherever its package is
CHECKED_NAMES = "deep_linking*.py"
# Not (yet) translated, each for a reason:
NOT_CHECKED = {
    # errors about the JSON shape of an answer, for developers of a client: the page never sends such a shape
    # (its own number and empty-answer checks run before, in the learner's language)
    "assessment/responses.py",
    # the command line of the tool's administrator (mastery platform …), in English like every CLI message
    "launch/registration.py",
}


@functools.cache
def _tool_errors() -> frozenset[str]:
    """Names of ToolError and every class derived from it anywhere in the package."""
    names, trees = {"ToolError"}, [ast.parse(p.read_text(encoding="utf-8")) for p in PACKAGE.rglob("*.py")]
    grown = True
    while grown:
        grown = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and any(
                        (b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")) in names for b in node.bases):
                    names.add(node.name)
                    grown = True
    return frozenset(names)


def _checked_files() -> list[Path]:
    files: list[Path] = []
    for entry in CHECKED:
        path = PACKAGE / entry
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    files += sorted(set(PACKAGE.rglob(CHECKED_NAMES)) - set(files))
    return [f for f in files if f.relative_to(PACKAGE).as_posix() not in NOT_CHECKED]


def untranslated_raises(source: str, errors: frozenset[str] | set[str]) -> list[str]:
    """``Error("literal")`` and ``Error(f"…")`` calls: messages that never reach the catalogue."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        first = node.args[0]
        literal = isinstance(first, ast.JoinedStr) or (isinstance(first, ast.Constant) and isinstance(first.value, str))
        if name in errors and literal:
            found.append(f"line {node.lineno}: {ast.unparse(first)[:80]}")
    return found


def test_the_check_sees_plain_and_formatted_messages() -> None:
    source = 'raise NotFound("No.")\nraise Conflict(f"{x} twice")\nraise NotFound(N_("Fine."))\nraise NotFound(text)\n'
    assert untranslated_raises(source, {"NotFound", "Conflict"}) == ["line 1: 'No.'", "line 2: f'{x} twice'"]


@pytest.mark.parametrize("path", _checked_files(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_every_raised_message_is_a_catalogue_entry(path: Path) -> None:
    assert untranslated_raises(path.read_text(encoding="utf-8"), _tool_errors()) == []
