"""Practical-evidence files: size and type limits, kept by the app's `UploadStore` (outside the web root),
served only to the learner who sent them and to the teachers of that course."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import IO, BinaryIO, NamedTuple

from sqlalchemy import orm as so

from lti_tool.assessment.models import Attempt, AttemptState, Upload
from lti_tool.assessment.services import own_attempt, selected_items
from lti_tool.assessment.upload_store import StorageFailed, UploadStore
from lti_tool.errors import N_, Conflict, NotFound, ValidationFailed
from lti_tool.launch.models import LaunchSession
from lti_tool.launch.web_session import is_staff

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
                 filename: str, *, store: UploadStore, now: dt.datetime, max_bytes: int = MAX_UPLOAD_BYTES) -> Upload:
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
    store.save(attempt.id, upload.id, data)  # kept under generated ids, never the learner's file name
    db.add(upload)
    return upload


def discard_upload(upload: Upload, *, store: UploadStore) -> None:
    """Remove a kept file whose database row was not committed."""
    store.delete(upload.attempt_id, upload.id)


class EvidenceFile(NamedTuple):
    """An upload that may be read, its kept bytes (the caller closes the stream) and their length."""

    upload: Upload
    stream: BinaryIO
    size: int


def readable_upload(db: so.Session, launch: LaunchSession, upload_id: str, *, store: UploadStore) -> EvidenceFile:
    """The upload and its kept file, for its learner or a teacher of its course; anyone else: not found."""
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
    stream = store.open(attempt.id, upload.id)
    if stream is None:
        raise NotFound(N_("The file is no longer stored."))
    size = store.size(attempt.id, upload.id)
    return EvidenceFile(upload, stream, upload.size if size is None else size)


__all__ = ["EvidenceFile", "StorageFailed", "discard_upload", "display_name", "download_name", "readable_upload",
           "sniff", "store_upload"]
