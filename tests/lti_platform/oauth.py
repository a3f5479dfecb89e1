"""OAuth 2 client-credentials token endpoint with JWT client assertions, and bearer-token checks."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import jwt

from .constants import CLIENT_ASSERTION_TYPE, Scope
from .server import HttpRequest, HttpResponse
from .tokens import JwtRejected, fetch_jwks, verify_tool_jwt


@dataclass
class AccessToken:
    """An issued access token and what it may do."""

    token: str
    scopes: frozenset[str]
    expires_at: float
    client_id: str = ""  # the registration it was issued to


class OAuthServer:
    """Token endpoint (LTI Security Framework 1.0 4.1, RFC 6749 4.4, RFC 7523 2.2/3) and RFC 6750 bearer checks."""

    def __init__(self, *, client_id: str, token_url: Callable[[], str], tool_jwks_url: Callable[[], str | None]):
        self._client_id = client_id
        # More registrations of the same tool under this issuer (their own client_id, same tool JWKS).
        self.client_ids: set[str] = {client_id}
        self._token_url = token_url
        self._tool_jwks_url = tool_jwks_url
        self._lock = threading.Lock()
        self._used_jti: dict[str, float] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.allowed_scopes: set[str] = {str(s) for s in Scope}
        self.token_lifetime = 3600
        self.token_requests: list[dict[str, str]] = []
        self.token_errors: list[dict[str, str]] = []

    def _error(self, error: str, description: str, status: int = 400) -> HttpResponse:
        # RFC 6749 5.2: JSON error body; invalid_client may be answered with 401.
        self.token_errors.append({"error": error, "error_description": description})
        return HttpResponse.json({"error": error, "error_description": description}, status)

    def handle_token(self, request: HttpRequest, _match: Any = None) -> HttpResponse:
        """POST token endpoint: verify the client assertion and issue a bearer token with the granted scopes."""
        form = request.form()
        self.token_requests.append(form)
        if request.content_type != "application/x-www-form-urlencoded":
            return self._error("invalid_request", "body must be application/x-www-form-urlencoded")
        if form.get("grant_type") != "client_credentials":
            return self._error("unsupported_grant_type", "grant_type must be client_credentials")
        if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
            return self._error("invalid_client", "client_assertion_type must be jwt-bearer", 401)
        assertion = form.get("client_assertion", "")
        try:
            # SF 4.1.1 / RFC 7523 3: iss and sub are the client_id, aud is the token endpoint, exp required.
            client_id = _claimed_client(assertion, self.client_ids) or self._client_id
            claims = verify_tool_jwt(
                assertion, fetch_jwks(self._tool_jwks_url()), issuer=client_id, audience=self._token_url()
            )
        except JwtRejected as exc:
            return self._error("invalid_client", str(exc), 401)
        if claims.get("sub") != client_id:
            return self._error("invalid_client", "sub must be the client_id", 401)
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            return self._error("invalid_client", "jti is required", 401)
        requested = set(form.get("scope", "").split())
        granted = frozenset(requested & self.allowed_scopes)
        now = time.time()
        with self._lock:
            # RFC 7523 3 (item 7): a jti may be used once within the assertion's lifetime.
            self._used_jti = {k: v for k, v in self._used_jti.items() if v > now - 600}
            if jti in self._used_jti:
                replay = True
            else:
                replay = False
                self._used_jti[jti] = float(claims["exp"])
        if replay:
            return self._error("invalid_client", f"jti {jti!r} already used", 401)
        if not granted:
            return self._error("invalid_scope", f"none of the requested scopes is granted: {sorted(requested)}")
        token = AccessToken(secrets.token_urlsafe(24), granted, now + self.token_lifetime, client_id)
        with self._lock:
            self.access_tokens[token.token] = token
        return HttpResponse.json(
            {
                "access_token": token.token,
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
                "scope": " ".join(sorted(granted)),
            }
        )

    def expire_access_tokens(self) -> None:
        """Make every issued token expired (to test the tool's refresh)."""
        with self._lock:
            for token in self.access_tokens.values():
                token.expires_at = 0.0

    def check_bearer(self, request: HttpRequest, scopes: Iterable[str]) -> HttpResponse | None:
        """None when the request carries a live bearer token holding one of `scopes`; else the 401/403 answer."""
        header = request.headers.get("Authorization") or ""
        kind, _, value = header.partition(" ")
        if kind.lower() != "bearer" or not value.strip():
            return HttpResponse.json(
                {"error": "invalid_request", "error_description": "Bearer token required"},
                401,
                **{"WWW-Authenticate": 'Bearer realm="lti"'},
            )
        with self._lock:
            token = self.access_tokens.get(value.strip())
        if token is None or token.expires_at <= time.time():
            return HttpResponse.json(
                {"error": "invalid_token", "error_description": "unknown or expired access token"},
                401,
                **{"WWW-Authenticate": 'Bearer realm="lti", error="invalid_token"'},
            )
        if not token.scopes & set(scopes):
            # RFC 6750 3.1: insufficient_scope is a 403.
            return HttpResponse.json(
                {"error": "insufficient_scope", "error_description": f"needs one of {sorted(scopes)}"},
                403,
                **{"WWW-Authenticate": 'Bearer realm="lti", error="insufficient_scope"'},
            )
        return None


def _claimed_client(assertion: str, known: set[str]) -> str | None:
    """The assertion's iss when it names a known client_id (read unverified only to pick the client)."""
    try:
        iss = jwt.decode(assertion, options={"verify_signature": False}).get("iss")
    except jwt.InvalidTokenError:
        return None
    return iss if isinstance(iss, str) and iss in known else None
