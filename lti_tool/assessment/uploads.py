"""Practical-evidence files: size and type limits, stored outside the web root, served only to the
learner who sent them and to the teachers of that course."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import uuid
from pathlib import Path
from typing import IO

from sqlalchemy import orm as so

from lti_tool.assessment.models import Attempt, AttemptState, Upload
from lti_tool.assessment.services import own_attempt, selected_items
from lti_tool.errors import N_, Conflict, NotFound, ToolError, ValidationFailed
from lti_tool.launch.models import LaunchSession
from lti_tool.launch.web_session import is_staff

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # the default of the EVIDENCE_MAX_MB setting
# What a workplace photo, a scan or a short report is; checked by content, not by the name the browser sent.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
_TEXT = "text/plain"
_WEBP = "image/webp"
# The extension a download gets for each type (a text file named "run.bat" is saved as "run.bat.txt").
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",), "image/png": (".png",), "image/jpeg": (".jpg", ".jpeg"),
    "image/webp": (".webp",), _TEXT: (".txt",),
}
# Bidirectional controls make "report\u202efdp.hta" show as "reportath.pdf"; none belongs in a file name.
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


class StorageFailed(ToolError):
    """The file could not be written (disk full, permissions): nothing was kept."""

    status = 503
    code = "storage_failed"
    title = N_("The file could not be stored")


def sniff(data: bytes) -> str | None:
    """The allowed type the content really is (PDF, PNG, JPEG, WebP, UTF-8 plain text), or None."""
    for content_type, magics in _SIGNATURES.items():
        if any(data.startswith(magic) for magic in magics):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _WEBP
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return _TEXT if not any(ord(ch) < 0x20 and ch not in "\t\r\n\f" for ch in text) else None


def display_name(sent: str) -> str:
    """The name the learner's file is shown under: no folders, no control or bidi characters, 255 at most."""
    name = sent.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ord(ch) >= 0x20 and not 0x7F <= ord(ch) <= 0x9F and ord(ch) not in _BIDI)
    return name.strip().strip(".")[:255] or "evidence"


def download_name(name: str, content_type: str) -> str:
    """The name a download is saved under: the display name, with the extension of what the file really is."""
    name = display_name(name)
    extensions = EXTENSIONS.get(content_type, (".bin",))
    if not name.lower().endswith(extensions):
        name = name[:250] + extensions[0]
    return name


def store_upload(db: so.Session, launch: LaunchSession, attempt_id: str, item_id: str, stream: IO[bytes],
                 filename: str, *, folder: Path, now: dt.datetime, max_bytes: int = MAX_UPLOAD_BYTES) -> Upload:
    """Check and store one evidence file for a practical item of the learner's open attempt."""
    attempt = own_attempt(db, launch, attempt_id)
    if attempt.state != AttemptState.IN_PROGRESS:
        raise Conflict(N_("This attempt has been submitted; evidence can no longer be added."), code="submitted")
    if item_id not in {s.item_id for s in selected_items(attempt)} or not attempt.unit.doc.item(item_id).is_practical:
        raise NotFound(N_("Item “%(item_id)s” is not a practical task of this attempt."), item_id=item_id)
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationFailed(N_("The file is larger than %(mb)s MB."), code="too_large",
                               mb=max_bytes // (1024 * 1024))
    if not data:
        raise ValidationFailed(N_("The file is empty."))
    content_type = sniff(data)
    if content_type is None:
        raise ValidationFailed(N_("Only PDF, PNG, JPEG, WebP or plain-text files can be sent as evidence."),
                               code="unsupported_type")
    upload = Upload(id=str(uuid.uuid4()), attempt_id=attempt.id, item_id=item_id, filename=display_name(filename),
                    content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                    uploaded_at=now)
    _write(folder / attempt.id / upload.id, data)  # the stored name is generated, never the learner's
    db.add(upload)
    return upload


def _write(target: Path, data: bytes) -> None:
    """Write whole or not at all: a temporary file renamed into place, removed if anything fails."""
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
        raise StorageFailed(N_("The file could not be stored on the server (its disk may be full). Nothing was "
                               "kept; please try again later or tell your teacher.")) from error


def discard_upload(upload: Upload, *, folder: Path) -> None:
    """Remove a stored file whose database row was not committed."""
    (folder / upload.attempt_id / upload.id).unlink(missing_ok=True)


def readable_upload(db: so.Session, launch: LaunchSession, upload_id: str, *, folder: Path) -> tuple[Upload, Path]:
    """The upload and its file, for its learner or a teacher of its course; anyone else: not found."""
    try:
        upload = db.get(Upload, str(uuid.UUID(upload_id)))
    except ValueError:
        upload = None
    if upload is None:
        raise NotFound(N_("There is no such file."))
    attempt = db.get(Attempt, upload.attempt_id)
    assert attempt is not None
    owner = attempt.user_pk == launch.user_pk and attempt.resource_link_pk == launch.resource_link_pk
    teacher = is_staff(launch) and launch.context_pk == attempt.context_pk
    if not (owner or teacher):
        raise NotFound(N_("There is no such file."))
    path = folder / attempt.id / upload.id
    if not path.is_file():
        raise NotFound(N_("The file is no longer stored."))
    return upload, path


__all__ = ["discard_upload", "display_name", "download_name", "readable_upload", "sniff", "store_upload"]
