"""Serve the Ralph LRS (ralph-malph 5.1.0, `fs` backend) with the workarounds it needs.

Run by the Ralph venv's python (see install.sh/start.sh), never by the tool's venv: it imports Ralph,
uvicorn and nothing of lti_tool. This file is the one place that knows Ralph's bugs (DESIGN.md §6,
"The Ralph LRS"); `ralph runserver` cannot apply them and runs with reload + debug.

Usage: python launcher.py [--host 127.0.0.1] [--port 8100]   (defaults: LRS_HOST / LRS_PORT)
Ralph reads its own settings (RALPH_RUNSERVER_BACKEND, RALPH_AUTH_FILE, RALPH_HISTORY_FILE,
RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH) from the environment when `ralph.api` is imported.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from ralph.backends.data.base import BaseOperationType
from ralph.backends.data.mixins import HistoryMixin
from ralph.backends.lrs.fs import FSLRSBackend
from ralph.conf import settings

log = logging.getLogger("mastery.lrs")


def patch_fs_backend() -> None:
    """Apply the measured fixes to Ralph's file-system LRS backend (idempotent)."""
    # Bug 1: FSLRSBackend inherits FSDataBackend.default_operation_type = CREATE, which refuses to write
    # into an existing file, so every POST after the first answers 500 "... already exists". The LRS
    # keeps all statements in one JSONL file, so it must append.
    FSLRSBackend.default_operation_type = BaseOperationType.APPEND

    if getattr(FSLRSBackend.query_statements, "_mastery_patched", False):
        return
    original = FSLRSBackend.query_statements

    # Bug 2: the statements router turns `verb` and `activity` into pydantic `IRI` objects and the fs
    # backend compares them with `==` to the stored strings, so those filters never match anything.
    def query_statements(self: FSLRSBackend, params: Any, target: str | None = None) -> Any:
        update = {
            name: str(value)
            for name in ("verb", "activity")
            if (value := getattr(params, name, None)) is not None and not isinstance(value, str)
        }
        if update:
            params = params.model_copy(update=update)
        return original(self, params, target)

    query_statements._mastery_patched = True  # type: ignore[attr-defined]
    FSLRSBackend.query_statements = query_statements  # type: ignore[method-assign]


def patch_history() -> None:
    """Make Ralph's history file kill-safe (idempotent).

    Bug 3: `HistoryMixin.write_history` opens history.json with "w" (truncating it) and then dumps the whole
    history, on every read and write of the fs backend. A kill between the two leaves an empty file, and from
    then on every request fails to parse it and answers 500 (measured: once in 11 hard kills). Write a
    temporary file in the same folder, flush it to disk and rename it over the old one instead: a reader sees
    the old history or the new one, never a part. A history already left empty or cut short by an older
    launcher is started afresh (it only lists files the backend read; statements are not in it).
    """
    if getattr(HistoryMixin.write_history, "_mastery_patched", False):
        return

    def write_history(self: HistoryMixin, history: list[dict[str, Any]]) -> None:
        path = Path(settings.HISTORY_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding=settings.LOCALE_ENCODING) as file:
                json.dump(history, file)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._history = history

    def history(self: HistoryMixin) -> list[dict[str, Any]]:
        if not hasattr(self, "_history"):
            self._history = read_history(Path(settings.HISTORY_FILE))
        return self._history

    write_history._mastery_patched = True  # type: ignore[attr-defined]
    HistoryMixin.write_history = write_history  # type: ignore[method-assign]
    HistoryMixin.history = property(history)  # type: ignore[assignment,method-assign]


def read_history(path: Path) -> list[dict[str, Any]]:
    """The history file's entries; an empty or cut-short file (left by a kill) counts as no history."""
    try:
        text = path.read_text(encoding=settings.LOCALE_ENCODING)
    except FileNotFoundError:
        return []
    try:
        entries = json.loads(text)
    except ValueError:
        log.warning("The LRS history file %s was left unreadable (%d bytes), probably by a kill; "
                    "starting a new history.", path, len(text))
        return []
    return entries if isinstance(entries, list) else []


def repair_statement_files(directory: Path) -> list[Path]:
    """Cut a half-written last line off each statements file (a kill during an append); the cut bytes are kept
    beside it in `<file>.partial-<time>`. Returns the files repaired."""
    repaired = []
    for path in sorted(directory.glob("*")) if directory.is_dir() else []:
        if not path.is_file() or ".partial-" in path.name or path.stat().st_size == 0:
            continue
        with path.open("rb+") as file:
            file.seek(-1, os.SEEK_END)
            if file.read(1) == b"\n":
                continue
            data = path.read_bytes()
            keep = data.rfind(b"\n") + 1
            path.with_name(f"{path.name}.partial-{int(time.time())}").write_bytes(data[keep:])
            file.truncate(keep)
        log.warning("Cut a half-written statement (%d bytes) off %s, left by a kill.", len(data) - keep, path)
        repaired.append(path)
    return repaired


def main() -> None:
    """Patch the backend, then serve `ralph.api:app` with one uvicorn worker."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("LRS_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("LRS_PORT", "8100")))
    parser.add_argument("--log-level", default=os.environ.get("LRS_LOG_LEVEL", "info"))
    args = parser.parse_args()

    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s:     %(message)s")
    patch_fs_backend()
    patch_history()
    data = os.environ.get("RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH")
    if data:
        repair_statement_files(Path(data))
    # Imported only now: ralph.api builds its backend client and settings at import time.
    import uvicorn
    from ralph.api import app

    # One worker: the fs backend is a single JSONL file with no locking between processes.
    uvicorn.run(app, host=args.host, port=args.port, workers=1, log_level=args.log_level)


if __name__ == "__main__":
    main()
