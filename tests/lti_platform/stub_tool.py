"""A minimal stand-in LTI tool, only for the platform's self-tests (the real tool is tested against the platform).

It serves a JWKS, an OIDC login initiation that redirects in one of three styles (302, auto-submitting form,
JS `window.location`), and a launch endpoint that verifies the id_token the way a careful tool would.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from jwt.algorithms import RSAAlgorithm

from .constants import LtiRoles
from .oidc import PlatformUser, form_post_page
from .platform import TestPlatform
from .server import HttpRequest, HttpResponse, PlatformHttpServer, Router
from .tokens import SigningKey, new_signing_key

ALICE = PlatformUser(sub="2", name="Alice Green", given_name="Alice", family_name="Green", email="a@example.org")


class StubTool:
    """Loopback stub tool bound to one TestPlatform."""

    def __init__(self, platform: TestPlatform, redirect_style: str = "302") -> None:
        self.platform = platform
        self.redirect_style = redirect_style
        self.key: SigningKey = new_signing_key()
        self.auth_overrides: dict[str, str | None] = {}  # None removes a parameter
        self.logins: list[dict[str, str]] = []
        self._nonces: dict[str, str] = {}  # state → nonce
        router = Router()
        router.add("GET", r"/jwks", lambda _r, _m: HttpResponse.json({"keys": [self.key.public_jwk()]}))
        router.add("GET POST", r"/lti/login", self._login)
        router.add("POST", r"/lti/launch", self._launch)
        self._http = PlatformHttpServer("127.0.0.1", router)
        self.base_url = ""

    def start(self) -> StubTool:
        """Serve and register the JWKS URL with the platform."""
        self._http.start()
        self.base_url = f"http://127.0.0.1:{self._http.port}"
        self.platform.tool_jwks_url = f"{self.base_url}/jwks"
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._http.stop()

    def launch(self, **kwargs: Any) -> requests.Response:
        """platform.launch() into this stub with a fresh browser; ALICE as a learner unless told otherwise."""
        kwargs.setdefault("user", ALICE)
        kwargs.setdefault("roles", [LtiRoles.LEARNER])
        return self.platform.launch(
            requests.Session(),
            login_url=f"{self.base_url}/lti/login",
            target_link_uri=f"{self.base_url}/lti/launch",
            **kwargs,
        )

    @property
    def server_errors(self) -> list[str]:
        """Handler crashes."""
        return self._http.errors

    def _login(self, request: HttpRequest, _match: Any) -> HttpResponse:
        params = request.params()
        self.logins.append(params)
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        self._nonces[state] = nonce
        auth: dict[str, str | None] = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": params.get("client_id"),
            "redirect_uri": f"{self.base_url}/lti/launch",
            "login_hint": params.get("login_hint"),
            "lti_message_hint": params.get("lti_message_hint"),
            "state": state,
            "nonce": nonce,
        }
        auth.update(self.auth_overrides)
        query = {k: v for k, v in auth.items() if v is not None}
        cookie = {"Set-Cookie": f"stub_state={state}; Path=/; HttpOnly"}
        url = f"{self.platform.auth_login_url}?{urlencode(query)}"
        if self.redirect_style == "302":
            return HttpResponse(302, b"", None, {"Location": url, **cookie})
        if self.redirect_style == "form":
            return HttpResponse(200, form_post_page(self.platform.auth_login_url, query).encode(), headers=cookie)
        # JS redirect with the escapes a JSON-encoding template emits (\/ and \u0026)
        script_url = json.dumps(url).replace("&", "\\u0026").replace("/", "\\/")
        page = f"<html><body><script>window.location.href = {script_url};</script></body></html>"
        return HttpResponse(200, page.encode(), headers=cookie)

    def _launch(self, request: HttpRequest, _match: Any) -> HttpResponse:
        form = request.form()
        if "error" in form:
            return HttpResponse.json({"error": form["error"], "description": form.get("error_description")}, 400)
        state = form.get("state", "")
        if f"stub_state={state}" not in (request.headers.get("Cookie") or ""):
            return HttpResponse.json({"error": "state cookie missing"}, 400)
        try:
            header = jwt.get_unverified_header(form.get("id_token", ""))
            jwks = requests.get(self.platform.key_set_url, timeout=5).json()
            jwk = next(k for k in jwks["keys"] if k["kid"] == header.get("kid"))
            claims = jwt.decode(
                form["id_token"],
                RSAAlgorithm.from_jwk(jwk),  # type: ignore[arg-type]
                algorithms=["RS256"],
                audience=self.platform.client_id,
                issuer=self.platform.issuer,
                options={"require": ["exp", "iat", "nonce", "sub"]},
            )
        except (jwt.InvalidTokenError, StopIteration, KeyError) as exc:
            return HttpResponse.json({"error": f"{type(exc).__name__}: {exc}"}, 400)
        if claims["nonce"] != self._nonces.pop(state, None):
            return HttpResponse.json({"error": "nonce mismatch"}, 400)
        return HttpResponse.json({"claims": claims})

    # ---- messages the tool sends to the platform ---------------------------------------------------
    def sign(self, claims: dict[str, Any], key: SigningKey | None = None) -> str:
        """RS256-sign `claims` with the tool key (or `key`), kid in the header."""
        signer = key or self.key
        return jwt.encode(claims, signer.private_key, algorithm="RS256", headers={"kid": signer.kid})

    def client_assertion(self, **overrides: Any) -> str:
        """A client_credentials JWT assertion (RFC 7523); keyword overrides replace or (None) drop claims."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.platform.client_id,
            "sub": self.platform.client_id,
            "aud": self.platform.auth_token_url,
            "iat": now,
            "exp": now + 60,
            "jti": str(uuid.uuid4()),
        }
        key = overrides.pop("key", None)
        claims.update(overrides)
        return self.sign({k: v for k, v in claims.items() if v is not None}, key)

    def access_token(self, *scopes: str) -> str:
        """Get a bearer token for `scopes` from the platform's token endpoint."""
        answer = requests.post(
            self.platform.auth_token_url,
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": self.client_assertion(),
                "scope": " ".join(scopes),
            },
            timeout=5,
        )
        answer.raise_for_status()
        return str(answer.json()["access_token"])
