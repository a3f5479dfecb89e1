"""What went wrong talking to a platform's service, classified as retryable or permanent."""

from __future__ import annotations

import datetime as dt
import json

from lti_tool.errors import N_, ToolError

# Statuses a later try can cure: timeouts, rate limits, the platform's own failures (RFC 9110 §15).
_RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_MAX_MESSAGE = 500


class ServiceError(ToolError):
    """A platform service call failed; ``message`` is for a teacher, ``platform_message`` is the platform's words."""

    status = 502
    code = "platform_service_failed"
    title = N_("The LMS did not accept a request from the tool")

    def __init__(self, message: str, *, retryable: bool, http_status: int | None = None,
                 platform_message: str = "", retry_after: dt.timedelta | None = None,
                 code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retryable = retryable
        self.http_status = http_status
        self.platform_message = platform_message
        self.retry_after = retry_after


def platform_message(body: str, reason: str) -> str:
    """The platform's own explanation: a JSON message/error field, else the text body, else the reason phrase."""
    text = body.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            for key in ("message", "error_description", "reason", "error", "detail"):
                value = data.get(key)
                if isinstance(value, str) and value.strip():
                    return value.strip()[:_MAX_MESSAGE]
    if text and not text.startswith("<"):  # an HTML error page says nothing a teacher can use
        return text[:_MAX_MESSAGE]
    return reason.strip()[:_MAX_MESSAGE]


def is_retryable_status(status: int) -> bool:
    """5xx, 408, 425 and 429 may pass later; every other 4xx will not pass unchanged."""
    return status in _RETRYABLE_STATUSES or status >= 500


def from_response(what: str, status: int, body: str, reason: str, *,
                  retry_after: dt.timedelta | None = None, hint: str = "") -> ServiceError:
    """A ServiceError for an HTTP answer that is not a success; ``what`` names the call for a person."""
    said = platform_message(body, reason)
    message = f"{what}: the LMS answered HTTP {status}" + (f" ({said})" if said else "")
    if hint:
        message += f". {hint}"
    return ServiceError(message, retryable=is_retryable_status(status), http_status=status,
                        platform_message=said, retry_after=retry_after)
