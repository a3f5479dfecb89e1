"""Practical-evidence files: size and type limits, stored outside the web root, served only to the
learner who sent them and to the teachers of that course."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from pathlib import Path
from typing import IO

from sqlalchemy import orm as so

from lti_tool.assessment.models import Attempt, AttemptState, Upload
from lti_tool.assessment.selection import item_index
from lti_tool.assessment.services import own_attempt, selected_items
from lti_tool.errors import N_, Conflict, NotFound, ValidationFailed
from lti_tool.launch.models import LaunchSession
from lti_tool.launch.web_session import is_staff

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# What a workplace photo, a scan or a short report is; checked by content, not by the name the browser sent.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
_TEXT = "text/plain"


def _sniff(head: bytes) -> str | None:
    for content_type, magics in _SIGNATURES.items():
        if any(head.startswith(magic) for magic in magics):
            return content_type
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return _TEXT if b"\x00" not in head else None


def store_upload(db: so.Session, launch: LaunchSession, attempt_id: str, item_id: str, stream: IO[bytes],
                 filename: str, *, folder: Path, now: dt.datetime) -> Upload:
    """Check and store one evidence file for a practical item of the learner's open attempt."""
    attempt = own_attempt(db, launch, attempt_id)
    if attempt.state != AttemptState.IN_PROGRESS:
        raise Conflict(N_("This attempt has been submitted; evidence can no longer be added."), code="submitted")
    index = item_index(attempt.unit.document)
    if item_id not in {s.item_id for s in selected_items(attempt)} or index[item_id][1]["type"] != "practical":
        raise NotFound(N_("Item “%(item_id)s” is not a practical task of this attempt."), item_id=item_id)
    data = stream.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(N_("The file is larger than 10 MB."), code="too_large")
    if not data:
        raise ValidationFailed(N_("The file is empty."))
    content_type = _sniff(data[:2048])
    if content_type is None:
        raise ValidationFailed(N_("Only PDF, PNG, JPEG or plain-text files can be sent as evidence."),
                               code="unsupported_type")
    upload = Upload(id=str(uuid.uuid4()), attempt_id=attempt.id, item_id=item_id,
                    filename=Path(filename or "evidence").name[:255], content_type=content_type, size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(), uploaded_at=now)
    target = folder / attempt.id / upload.id
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    db.add(upload)
    return upload


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


__all__ = ["readable_upload", "store_upload"]
