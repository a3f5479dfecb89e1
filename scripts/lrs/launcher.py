"""Serve the Ralph LRS (ralph-malph 5.1.0, `fs` backend) with the two workarounds it needs.

Run by the Ralph venv's python (see install.sh/start.sh), never by the tool's venv: it imports Ralph,
uvicorn and nothing of lti_tool. This file is the one place that knows Ralph's bugs (DESIGN.md §6,
"The Ralph LRS"); `ralph runserver` cannot apply them and runs with reload + debug.

Usage: python launcher.py [--host 127.0.0.1] [--port 8100]   (defaults: LRS_HOST / LRS_PORT)
Ralph reads its own settings (RALPH_RUNSERVER_BACKEND, RALPH_AUTH_FILE, RALPH_HISTORY_FILE,
RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH) from the environment when `ralph.api` is imported.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend


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


def main() -> None:
    """Patch the backend, then serve `ralph.api:app` with one uvicorn worker."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("LRS_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("LRS_PORT", "8100")))
    parser.add_argument("--log-level", default=os.environ.get("LRS_LOG_LEVEL", "info"))
    args = parser.parse_args()

    patch_fs_backend()
    # Imported only now: ralph.api builds its backend client and settings at import time.
    import uvicorn
    from ralph.api import app

    # One worker: the fs backend is a single JSONL file with no locking between processes.
    uvicorn.run(app, host=args.host, port=args.port, workers=1, log_level=args.log_level)


if __name__ == "__main__":
    main()
