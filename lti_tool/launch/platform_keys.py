"""Platform JWKS fetching: with a timeout, cached, refreshed once when an unknown ``kid`` appears.

pylti1p3next fetches the key set on every launch without a timeout, and with its own caching a rotated
platform key fails for the cache lifetime (DESIGN.md §6); this cache replaces both behaviours.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from lti_tool.errors import N_, LaunchError

Fetcher = Callable[[str], dict[str, Any]]


@dataclass
class _Entry:
    jwks: dict[str, Any]
    fetched_at: float
    parsed: dict[str, jwt.PyJWK] = field(default_factory=dict)  # by kid: a key is parsed once per fetch


class PlatformKeyCache:
    """Process-wide cache of platform key sets, keyed by key set URL."""

    def __init__(self, *, ttl_seconds: float, timeout_seconds: float, fetcher: Fetcher | None = None) -> None:
        self._ttl = ttl_seconds
        self._timeout = timeout_seconds
        self._fetch = fetcher or self._http_fetch
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None

    def _http_fetch(self, url: str) -> dict[str, Any]:
        if self._client is None:
            self._client = httpx.Client(timeout=self._timeout, follow_redirects=False)
        try:
            response = self._client.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            jwks = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise LaunchError(
                N_("The platform's public keys could not be fetched; ask the site administrator to check the "
                "registration's key set URL."),
                code="jwks_unavailable",
            ) from exc
        if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
            raise LaunchError(N_("The platform's key set is not a JWKS document."), code="jwks_invalid")
        return jwks

    def find_key(self, url: str, kid: str) -> dict[str, Any]:
        """The JWK with this ``kid``; refetches once if the cached set does not have it."""
        with self._lock:
            entry = self._entries.get(url)
        fresh = entry is None or time.monotonic() - entry.fetched_at > self._ttl
        if fresh:
            entry = self._refresh(url)
        assert entry is not None
        key = _by_kid(entry.jwks, kid)
        if key is None and not fresh:
            # A platform rotated its key: look once more before refusing.
            key = _by_kid(self._refresh(url).jwks, kid)
        if key is None:
            raise LaunchError(N_("The launch was signed with a key the platform does not publish."), code="unknown_kid")
        return key

    def public_key(self, url: str, kid: str) -> jwt.PyJWK:
        """The RS256 key with this ``kid``, parsed once per fetched key set (see find_key); PyJWKError if unusable."""
        jwk = self.find_key(url, kid)
        with self._lock:
            entry = self._entries.get(url)
        if entry is None or _by_kid(entry.jwks, kid) is not jwk:  # refetched meanwhile: parse without keeping
            return jwt.PyJWK(jwk, algorithm="RS256")
        parsed = entry.parsed.get(kid)
        if parsed is None:
            parsed = entry.parsed[kid] = jwt.PyJWK(jwk, algorithm="RS256")
        return parsed

    def _refresh(self, url: str) -> _Entry:
        entry = _Entry(self._fetch(url), time.monotonic())
        with self._lock:
            self._entries[url] = entry
        return entry


def _by_kid(jwks: dict[str, Any], kid: str) -> dict[str, Any] | None:
    for key in jwks.get("keys", []):
        if isinstance(key, dict) and key.get("kid") == kid:
            return key
    return None
