"""The HTTP side of the LTI service clients: one keep-alive httpx client, tokens, authorised calls, paging."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Any

import httpx
from sqlalchemy import orm as so

from lti_tool.db import utcnow
from lti_tool.http_url import same_origin
from lti_tool.launch.models import Platform
from lti_tool.lms import tokens
from lti_tool.lms.backoff import retry_after
from lti_tool.lms.errors import ServiceError, from_response
from lti_tool.lms.spec import CLIENT_ASSERTION_TYPE

_TOKEN_WHAT = "Getting an access token from the LMS"  # noqa: S105 - a label, not a secret


class ServicesClient:
    """Calls a platform's LTI Advantage services with access tokens cached in the database.

    One instance per process (httpx.Client is thread-safe and keeps connections alive); close it when done.
    """

    def __init__(self, *, timeout_seconds: float = 5.0, token_margin_seconds: int = 60,
                 assertion_lifetime_seconds: int = 300, transport: httpx.BaseTransport | None = None) -> None:
        self.timeout_seconds = timeout_seconds
        self.token_margin_seconds = token_margin_seconds
        self.assertion_lifetime_seconds = assertion_lifetime_seconds
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout_seconds),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=30.0),
            follow_redirects=False,  # a redirected POST could carry the bearer token elsewhere
            headers={"User-Agent": "MASTERY-Tool (LTI 1.3)"},
            transport=transport,
        )
        self.token_fetches = 0  # how many tokens were requested (figures, tests)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> ServicesClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # ---- tokens ------------------------------------------------------------------------------------
    def token(self, session: so.Session, platform: Platform, scopes: Iterable[str]) -> tokens.AccessToken:
        """A usable access token for these scopes: from the shared cache, else fetched and cached."""
        wanted = frozenset(str(s) for s in scopes)
        found = tokens.cached_token(session, platform, wanted, now=utcnow())
        return found if found is not None else self.fetch_token(session, platform, wanted)

    def fetch_token(self, session: so.Session, platform: Platform, scopes: frozenset[str]) -> tokens.AccessToken:
        """Ask the token endpoint (LTI Security Framework §4.1) and cache the answer."""
        now = utcnow()
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": tokens.client_assertion(
                session, platform, now=now, lifetime_seconds=self.assertion_lifetime_seconds),
            "scope": " ".join(sorted(scopes)),
        }
        self.token_fetches += 1
        response = self._send(_TOKEN_WHAT, "POST", platform.auth_token_url, data=form,
                              headers={"Accept": "application/json"})
        if response.status_code != 200:
            raise _token_error(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise ServiceError(f"{_TOKEN_WHAT}: the answer has no access_token.", retryable=True,
                               http_status=response.status_code)
        lifetime = body.get("expires_in")
        lifetime = int(lifetime) if isinstance(lifetime, int | float) and lifetime > 0 else 300
        # Stop using a token a little before it expires, so it never dies in flight.
        margin = min(self.token_margin_seconds, lifetime // 10)
        granted_raw = body.get("scope")
        # RFC 6749 §5.1: scope may be left out when it is what was asked for.
        granted = frozenset(granted_raw.split()) if isinstance(granted_raw, str) and granted_raw else scopes
        token = tokens.AccessToken(body["access_token"], granted, now + dt.timedelta(seconds=lifetime - margin))
        tokens.store_token(session, platform, scopes, token)
        return token

    # ---- service calls -----------------------------------------------------------------------------
    def call(self, session: so.Session, platform: Platform, scopes: Iterable[str], method: str, url: str, *,
             what: str, accept: str | None = None, content_type: str | None = None,
             json_body: Any = None) -> httpx.Response:
        """An authorised call; a 401 drops the cached token and tries once more with a new one."""
        wanted = frozenset(str(s) for s in scopes)
        token = self.token(session, platform, wanted)
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {token.value}"}
            if accept:
                headers["Accept"] = accept
            if content_type:
                headers["Content-Type"] = content_type
            response = self._send(what, method, url, headers=headers, json_body=json_body)
            if response.status_code == 401 and attempt == 1:
                tokens.drop_token(session, platform, wanted, token.value)
                token = self.fetch_token(session, platform, wanted)
                continue
            if response.is_success:
                return response
            raise from_response(what, response.status_code, response.text, response.reason_phrase,
                                retry_after=retry_after(response.headers.get("Retry-After"), now=utcnow()))
        raise AssertionError("unreachable")  # pragma: no cover

    def pages(self, session: so.Session, platform: Platform, scopes: Iterable[str], url: str, *,
              what: str, accept: str, max_pages: int = 100) -> Iterator[httpx.Response]:
        """GET ``url`` and every page its Link rel="next" headers lead to (AGS 2.0 §3.2.4, NRPS 2.0 §2.4.2)."""
        seen: set[str] = set()
        next_url: str | None = url
        while next_url is not None:
            if next_url in seen or len(seen) >= max_pages:
                raise ServiceError(f"{what}: the LMS's paging does not end (after {len(seen)} pages).",
                                   retryable=False)
            seen.add(next_url)
            response = self.call(session, platform, scopes, "GET", next_url, what=what, accept=accept)
            yield response
            link = response.links.get("next", {}).get("url")
            # A next link to another host would receive our bearer token: refuse it.
            next_url = link if link and same_origin(link, url) else None

    def _send(self, what: str, method: str, url: str, *, headers: dict[str, str],
              data: dict[str, str] | None = None, json_body: Any = None) -> httpx.Response:
        content = json.dumps(json_body).encode() if json_body is not None else None
        try:
            return self._http.request(method, url, headers=headers, data=data, content=content)
        except httpx.TimeoutException as exc:
            raise ServiceError(f"{what}: the LMS did not answer within {self.timeout_seconds:g} s.",
                               retryable=True, code="platform_timeout") from exc
        except httpx.TransportError as exc:
            raise ServiceError(f"{what}: the LMS could not be reached ({type(exc).__name__}).",
                               retryable=True, code="platform_unreachable") from exc


def _token_error(response: httpx.Response) -> ServiceError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    failure = from_response(_TOKEN_WHAT, response.status_code, response.text, response.reason_phrase)
    if error == "invalid_scope":
        # The registration does not allow these services: only an LMS admin can change that.
        failure.retryable, failure.code = False, "invalid_scope"
    elif error == "invalid_client" or response.status_code == 401:
        # The LMS does not (yet) trust our key or client id: an admin fixes that, and then it passes.
        failure.retryable, failure.code = True, "invalid_client"
    return failure
