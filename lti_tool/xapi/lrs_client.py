"""A thin xAPI 1.0.3 client for the statements resource (POST batches, GET with filters and paging).

Built for the outbox worker: statements are sent as the exact bytes stored in the outbox, so a resend
is byte-identical and a conforming LRS answers it as already stored. Outcomes follow what Ralph 5.1
was measured to do (DESIGN.md §6, "The Ralph LRS"):
- 200 lists only the ids it newly stored; ids already stored with identical content are silently
  accepted, so 200 and 204 both mean "every statement of the batch is in the LRS";
- 409 = one statement id is stored with different content, and the whole batch was refused;
- 400 (malformed, duplicate id in the batch) and 422 (invalid statement) will not pass by retrying;
- 5xx, timeouts and refused connections are retried later; Ralph may store a batch and then answer
  500 (unwritable history file): the retry then gets 200/204, i.e. delivered.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urljoin

import httpx

XAPI_VERSION = "1.0.3"
_STALE_CONNECTION = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
_BODY_SENT = "http11.send_request_body.complete"  # httpcore's trace event once the request body is written


class Outcome(StrEnum):
    """What happened to a batch."""

    DELIVERED = "delivered"  # every statement is stored in the LRS
    CONFLICT = "conflict"  # 409: a statement id is already stored with other content
    REJECTED = "rejected"  # 400/422: the LRS refuses the batch as it is
    AUTH_FAILED = "auth_failed"  # 401/403: fix LRS_USERNAME/LRS_PASSWORD, then it can be retried
    RETRYABLE = "retryable"  # LRS down, timeout, 5xx, other statuses: try again later


@dataclass(frozen=True, slots=True)
class BatchResult:
    """The outcome of one POST of a batch, with the LRS's answer for the log."""

    outcome: Outcome
    status_code: int | None = None
    body: str = ""
    stored_ids: tuple[str, ...] = field(default=())  # ids the LRS reports as newly stored (200 only)

    @property
    def retryable(self) -> bool:
        """True when the same bytes may be sent again later (after a fix, for AUTH_FAILED)."""
        return self.outcome in (Outcome.RETRYABLE, Outcome.AUTH_FAILED)


class LrsError(RuntimeError):
    """A read from the LRS failed (HTTP error, timeout or a malformed answer)."""


def _classify(response: httpx.Response) -> BatchResult:
    status, body = response.status_code, response.text
    if status in (200, 204):
        stored: tuple[str, ...] = ()
        if status == 200 and body:
            try:
                stored = tuple(str(i) for i in response.json())
            except (ValueError, TypeError):
                stored = ()
        return BatchResult(Outcome.DELIVERED, status, body, stored)
    if status == 409:
        return BatchResult(Outcome.CONFLICT, status, body)
    if status in (400, 422):
        return BatchResult(Outcome.REJECTED, status, body)
    if status in (401, 403):
        return BatchResult(Outcome.AUTH_FAILED, status, body)
    return BatchResult(Outcome.RETRYABLE, status, body)


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        # Ralph compares `since`/`until` with stored timestamps; a naive one makes it answer 500.
        if value.tzinfo is None:
            raise ValueError("since/until must be timezone-aware")
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, Mapping):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _call_when_sent(on_sent: Callable[[], None]) -> Callable[[str, dict[str, Any]], None]:
    """An httpcore `trace` extension calling `on_sent` when the request body has been written."""
    def trace(event: str, _info: dict[str, Any]) -> None:
        if event == _BODY_SENT:
            on_sent()
    return trace


class LrsClient:
    """xAPI statements client: one keep-alive connection pool, Basic auth, explicit timeouts."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        timeout: float = 10.0,
        connect_timeout: float = 3.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._http = httpx.Client(
            auth=httpx.BasicAuth(username, password),
            headers={"X-Experience-API-Version": XAPI_VERSION},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            transport=transport,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> LrsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def post_batch(self, statements: Sequence[tuple[str, bytes]], *,
                   on_sent: Callable[[], None] | None = None) -> BatchResult:
        """POST statements given as (id, exact JSON bytes) in one request; never raises for HTTP trouble.

        `on_sent` is called once the request body is written (the LRS is then working on it), and in any
        case before this returns; it may be called more than once (a resend on a stale connection).
        """
        if not statements:
            if on_sent is not None:
                on_sent()
            return BatchResult(Outcome.DELIVERED)
        body = b"[" + b",".join(payload for _, payload in statements) + b"]"
        url = urljoin(self.base_url, "statements")
        headers = {"Content-Type": "application/json"}
        extensions = None if on_sent is None else {"trace": _call_when_sent(on_sent)}
        try:
            try:
                response = self._http.post(url, content=body, headers=headers, extensions=extensions)
            except _STALE_CONNECTION:
                # A pooled keep-alive connection the LRS dropped (Ralph resets it after a 500). Sending
                # the same bytes again is safe: the statement ids make the POST idempotent.
                response = self._http.post(url, content=body, headers=headers, extensions=extensions)
        except httpx.TransportError as error:  # refused, reset, timeouts, DNS
            return BatchResult(Outcome.RETRYABLE, None, f"{type(error).__name__}: {error}")
        finally:
            if on_sent is not None:
                on_sent()
        return _classify(response)

    def iter_statements(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Yield the statements matching xAPI GET filters, following `more` links to the last page."""
        # Filters: agent (a dict), verb, activity, registration, since/until (aware datetimes), limit,
        # related_activities, related_agents, ascending, statement_id. Ralph's `more` links are relative.
        names = {"statement_id": "statementId"}  # xAPI spells the others in snake case itself
        params: dict[str, str] | None = {names.get(k, k): _param(v) for k, v in filters.items() if v is not None}
        url: str | None = urljoin(self.base_url, "statements")
        seen: set[str] = set()
        while url:
            try:
                response = self._http.get(url, params=params)
                response.raise_for_status()
                page = response.json()
            except (httpx.HTTPError, ValueError) as error:
                raise LrsError(f"GET {url} failed: {error}") from error
            statements = page.get("statements", [])
            yield from statements
            more = page.get("more") or None
            if not statements or not more or more in seen:  # an empty last page, or a loop
                return
            seen.add(more)
            # The `more` URL carries the whole query; httpx would replace it with any `params`, even {}.
            url, params = urljoin(str(response.url), more), None

    def reachable(self) -> bool:
        """True when the LRS answers HTTP at its base URL (any status below 500)."""
        try:
            return self._http.get(urljoin(self.base_url, "about")).status_code < 500
        except httpx.TransportError:
            return False
