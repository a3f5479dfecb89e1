"""Read what ``POST /api/verify`` was sent: a JSON credential, a VC-JWT, or either as a multipart file."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Request

from lti_tool.errors import N_, ToolError, ValidationFailed

MAX_UPLOAD_BYTES = 1024 * 1024
_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$")


class PayloadTooLarge(ToolError):
    """An upload over the verifier's size limit."""

    status = 413
    code = "payload_too_large"
    title = N_("The file is too large")


class NotJson(ToolError):
    """An upload that is neither JSON nor a VC-JWT."""

    status = 400
    code = "not_json"
    title = N_("This is not a credential file")


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(N_("A credential may be at most %(kilobytes)s KB; this upload is larger."),
                           kilobytes=MAX_UPLOAD_BYTES // 1024)


def _raw(request: Request) -> bytes:
    if request.content_length is not None and request.content_length > MAX_UPLOAD_BYTES + 64 * 1024:
        raise _too_large()  # refuse before reading (multipart adds a little framing around the file)
    if request.mimetype == "multipart/form-data":
        upload = next(iter(request.files.values()), None)
        if upload is not None:
            return upload.stream.read(MAX_UPLOAD_BYTES + 1)
        return request.form.get("credential", "").encode("utf-8")
    return request.get_data(cache=False)


def read_upload(request: Request) -> dict[str, Any] | str:
    """The credential object or VC-JWT string; 413 over 1 MB, 400 when not JSON, 422 when not a credential."""
    raw = _raw(request)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise _too_large()
    try:
        text = raw.decode("utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        raise NotJson(N_("The upload is not UTF-8 text: send the credential's JSON or its VC-JWT.")) from exc
    if _JWT.match(text):
        return text
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise NotJson(N_("The upload is neither JSON nor a VC-JWT (header.payload.signature).")) from exc
    if isinstance(value, dict) and "@context" not in value:
        # A wrapper such as {"credential": {...}} or {"jwt": "..."}.
        inner = value.get("credential", value.get("verifiableCredential", value.get("jwt")))
        value = inner if inner is not None else value
    if isinstance(value, str) and _JWT.match(value.strip()):
        return value.strip()
    if not isinstance(value, dict):
        raise ValidationFailed(N_("The JSON is not a credential: expected an object with @context, or a VC-JWT "
                                  "string."))
    return value
