"""Where learners' evidence files are kept: a small Protocol, and the folder that keeps them on this server.

The rules (who may send or read a file, its size and type) live in `uploads.py`; the store only keeps bytes under
the attempt's id and the upload's generated id (never a name the learner chose). ``create_app`` chooses the store
on the Runtime (`lti_tool.runtime.Runtime.upload_store`); the attempt API, the download and the data-rights
export and erasure ask it, and none of them knows where or how the files are kept.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from pathlib import Path
from typing import BinaryIO, Protocol

from lti_tool.errors import N_, ToolError

log = logging.getLogger(__name__)

__all__ = ["FolderUploadStore", "StorageFailed", "UploadStore"]


class StorageFailed(ToolError):
    """The file could not be written (disk full, permissions): nothing was kept."""

    status = 503
    code = "storage_failed"
    title = N_("The file could not be stored")


class UploadStore(Protocol):
    """Learners' evidence files, each kept under its attempt's id and its upload's id."""

    def save(self, attempt_id: str, upload_id: str, data: bytes) -> None:
        """Keep the file whole or not at all; `StorageFailed` if it cannot be kept."""

    def open(self, attempt_id: str, upload_id: str) -> BinaryIO | None:
        """The kept file, to read from the start (the caller closes it), or None if it is not kept."""

    def size(self, attempt_id: str, upload_id: str) -> int | None:
        """The kept file's size in bytes, or None if it is not kept."""

    def delete(self, attempt_id: str, upload_id: str | None = None) -> None:
        """Forget one file, or (no ``upload_id``) every file of the attempt; what is not kept is no error."""


class FolderUploadStore:
    """The files in a folder of this server (the instance folder's ``uploads/``): ``<attempt id>/<upload id>``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, attempt_id: str, upload_id: str) -> Path:
        return self.folder / attempt_id / upload_id

    def save(self, attempt_id: str, upload_id: str, data: bytes) -> None:
        """Write to a temporary file, then rename it into place; remove it if anything fails."""
        target = self._path(attempt_id, upload_id)
        partial = target.with_name(target.name + ".part")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(partial, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, target)
        except OSError as error:
            with contextlib.suppress(OSError):  # the folder itself may be what failed
                partial.unlink(missing_ok=True)
            log.error("evidence file not stored: %s", error.strerror or type(error).__name__)
            raise StorageFailed(N_("The file could not be stored on the server (its disk may be full). Nothing "
                                   "was kept; please try again later or tell your teacher.")) from error

    def open(self, attempt_id: str, upload_id: str) -> BinaryIO | None:
        try:
            return open(self._path(attempt_id, upload_id), "rb")  # noqa: SIM115 - the caller closes it
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    def size(self, attempt_id: str, upload_id: str) -> int | None:
        path = self._path(attempt_id, upload_id)
        return path.stat().st_size if path.is_file() else None

    def delete(self, attempt_id: str, upload_id: str | None = None) -> None:
        if upload_id is None:
            shutil.rmtree(self.folder / attempt_id, ignore_errors=True)
            return
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            self._path(attempt_id, upload_id).unlink()
        with contextlib.suppress(OSError):  # the attempt's folder goes with its last file
            (self.folder / attempt_id).rmdir()
