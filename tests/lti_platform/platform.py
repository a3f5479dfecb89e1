"""TestPlatform: an independent LTI 1.3 platform over real loopback HTTP, for testing the MASTERY Tool."""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from typing import Any

import requests

from .ags import AgsService
from .browser import run_launch
from .constants import MessageType
from .course_page import CoursePages
from .deep_linking import DeepLinkingService
from .dynamic_registration import DynamicRegistrationService
from .faults import Faults
from .nrps import NrpsService
from .oauth import OAuthServer
from .oidc import (
    AuthRequestError,
    ClaimsHook,
    PendingLaunch,
    PlatformUser,
    build_launch_claims,
    check_auth_request,
    form_post_page,
    launch_id_from_hint,
    message_page,
)
from .server import HttpRequest, HttpResponse, PlatformHttpServer, Router
from .services import service_claims
from .tokens import SigningKey, build_jwt, new_signing_key, sign_as_header_says

_DEFAULT: Any = object()  # "argument not given": None means "leave the claim out"
DEFAULT_CONTEXT = {
    "id": "course-1",
    "label": "GS101",
    "title": "Green skills",
    "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection"],
}
DEFAULT_RESOURCE_LINK = {"id": "rl-1", "title": "Unit"}


class TestPlatform:
    """An LTI 1.3 platform (LMS) serving OIDC auth, JWKS, token, AGS, NRPS and deep-link return endpoints."""

    __test__ = False  # not a pytest test class despite the name

    def __init__(
        self,
        issuer_host: str = "127.0.0.1",
        client_id: str = "mastery-tool-client",
        deployment_id: str = "deployment-1",
    ) -> None:
        self.issuer_host = issuer_host
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.issuer = ""
        self.tool_jwks_url: str | None = None
        self.redirect_uris: list[str] | None = None  # None: the target_link_uri's origin + /lti/launch
        self.auth_requests: list[dict[str, str]] = []
        self.auth_errors: list[dict[str, str]] = []
        self.last_id_token_claims: dict[str, Any] = {}
        self.last_id_token = ""
        self.returns: list[dict[str, str]] = []  # hits on launch_presentation.return_url
        self._key: SigningKey = new_signing_key()
        self._lock = threading.Lock()
        self._pending: dict[str, PendingLaunch] = {}
        self._counter = itertools.count(1)
        self.oauth = OAuthServer(
            client_id=client_id, token_url=lambda: self.auth_token_url, tool_jwks_url=lambda: self.tool_jwks_url
        )
        self.nrps = NrpsService(base_url=lambda: self.issuer, oauth=self.oauth)
        self.ags = AgsService(base_url=lambda: self.issuer, oauth=self.oauth, member_ids=self.nrps.member_ids)
        self.deep_linking = DeepLinkingService(
            base_url=lambda: self.issuer, client_id=client_id, tool_jwks_url=lambda: self.tool_jwks_url
        )
        self.dynamic_registration = DynamicRegistrationService(
            base_url=lambda: self.issuer, client_id=client_id, deployment_id=lambda: self.deployment_id,
            on_registered=self._registered,
        )
        router = Router()
        self.faults = Faults()  # inject 5xx, slow answers, refusals: platform.faults.add(...)
        router.before.append(self.faults)
        router.add("GET POST", r"/auth", self._auth)
        router.add("GET", r"/jwks", lambda _r, _m: HttpResponse.json(self.public_jwks()))
        router.add("POST", r"/token", self.oauth.handle_token)
        router.add("GET POST", r"/launch_return", self._launch_return)
        self.course_pages = CoursePages(base_url=lambda: self.issuer)
        self.course_pages.routes(router)
        self.ags.routes(router)
        self.nrps.routes(router)
        self.deep_linking.routes(router)
        self.dynamic_registration.routes(router)
        self._http = PlatformHttpServer(issuer_host, router)

    # ---- life cycle and endpoints -------------------------------------------------------------------
    def start(self) -> TestPlatform:
        """Serve on a free loopback port; the issuer becomes the base URL."""
        self._http.start()
        self.issuer = f"http://{self.issuer_host}:{self._http.port}"
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._http.stop()

    def __enter__(self) -> TestPlatform:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def auth_login_url(self) -> str:
        """OIDC authentication endpoint (GET and POST)."""
        return f"{self.issuer}/auth"

    @property
    def auth_token_url(self) -> str:
        """OAuth 2 client-credentials token endpoint."""
        return f"{self.issuer}/token"

    @property
    def key_set_url(self) -> str:
        """The platform's JWKS."""
        return f"{self.issuer}/jwks"

    @property
    def server_errors(self) -> list[str]:
        """Exceptions raised inside request handlers (should stay empty)."""
        return self._http.errors

    def _registered(self, registration: dict[str, Any]) -> None:
        """Dynamic Registration accepted: trust the tool's JWKS and redirect URIs from now on."""
        self.tool_jwks_url = registration["jwks_uri"]
        self.redirect_uris = list(registration["redirect_uris"])

    # ---- shortcuts to service state -----------------------------------------------------------------
    @property
    def scores(self) -> list[dict[str, Any]]:
        """Scores received (each with its "lineitem" URL)."""
        return self.ags.scores

    @property
    def members(self) -> list[dict[str, Any]]:
        """The NRPS roster (launched users are added to it)."""
        return self.nrps.members

    @members.setter
    def members(self, value: list[dict[str, Any]]) -> None:
        self.nrps.members = value

    @property
    def deep_link_responses(self) -> list[dict[str, Any]]:
        """Claims of the accepted LtiDeepLinkingResponse messages."""
        return self.deep_linking.deep_link_responses

    @property
    def deep_link_errors(self) -> list[str]:
        """Why refused deep-linking responses were refused."""
        return self.deep_linking.deep_link_errors

    # ---- keys and tokens ----------------------------------------------------------------------------
    def rotate_key(self) -> None:
        """New platform signing key with a new kid; the old key leaves the JWKS."""
        self._key = new_signing_key()

    @property
    def kid(self) -> str:
        """The kid of the current signing key."""
        return self._key.kid

    def public_jwks(self) -> dict[str, Any]:
        """The platform's public key set (LTI Security Framework 6.3)."""
        return {"keys": [self._key.public_jwk()]}

    def private_key_pem(self) -> bytes:
        """The current private signing key as PEM."""
        return self._key.private_pem()

    def build_id_token(
        self, claims: dict[str, Any], *, alg: str = "RS256", key: Any = None, headers: dict[str, Any] | None = None
    ) -> str:
        """Sign `claims` by hand: RS* (default: platform key), HS* with `key` as secret, or "none".

        The header is {"typ","alg"[,"kid"]} updated with `headers`; a header value of None removes that
        field (e.g. {"kid": None}). HS* without a key uses the platform's public PEM (alg confusion attack).
        """
        header: dict[str, Any] = {"typ": "JWT", "alg": alg}
        if alg.startswith("RS"):
            header["kid"] = key.kid if isinstance(key, SigningKey) else self._key.kid
            key = key.private_key if isinstance(key, SigningKey) else (key or self._key.private_key)
        elif alg.startswith("HS") and key is None:
            key = self._key.public_pem()
        header.update(headers or {})
        header = {k: v for k, v in header.items() if v is not None}
        return build_jwt(claims, alg=alg, key=key, header=header)

    def _sign_launch(self, claims: dict[str, Any], launch: PendingLaunch) -> str:
        # The header may be forged by the hook; the signature then follows the header's alg.
        key = launch.signing_key or self._key
        kid = key.kid if isinstance(key, SigningKey) else self._key.kid  # a bare key: right kid, wrong key
        private = key.private_key if isinstance(key, SigningKey) else key
        header: dict[str, Any] = {"typ": "JWT", "alg": "RS256", "kid": kid}
        if launch.header_hook is not None:
            header = launch.header_hook(header) or header
        return sign_as_header_says(claims, header, private_key=private, hmac_secret=self._key.public_pem())

    # ---- launch -------------------------------------------------------------------------------------
    def launch(
        self,
        browser: requests.Session,
        *,
        login_url: str,
        login_method: str = "POST",
        follow_redirects: bool = True,
        **login: Any,
    ) -> requests.Response:
        """Run a whole launch like a browser and return the tool's answer to the id_token POST.

        `login` takes the keyword arguments of `login_params` (target_link_uri, user, roles, context, ...).
        """
        return run_launch(
            browser,
            login_url=login_url,
            login_params=self.login_params(**login),
            login_method=login_method,
            auth_url=self.auth_login_url,
            follow_redirects=follow_redirects,
        )

    def login_params(
        self,
        *,
        target_link_uri: str,
        user: PlatformUser,
        roles: list[str],
        context: dict[str, Any] | None = _DEFAULT,
        resource_link: dict[str, Any] | None = _DEFAULT,
        custom: dict[str, Any] | None = None,
        message_type: str = MessageType.RESOURCE_LINK,
        deployment_id: str | None = None,
        claims_hook: ClaimsHook | None = None,
        header_hook: ClaimsHook | None = None,
        signing_key: Any = None,
        lti_storage_target: str | None = None,
    ) -> dict[str, str]:
        """Remember a launch and return its third-party login initiation parameters (one use)."""
        if not self.issuer:
            raise RuntimeError("call start() first")
        number = next(self._counter)
        launch_id = f"ltilaunch{number}_{secrets.token_hex(8)}"
        hint = json.dumps({"cmid": number, "launchid": launch_id})  # Moodle's lti_message_hint shape
        pending = PendingLaunch(
            launch_id=launch_id,
            lti_message_hint=hint,
            user=user,
            roles=list(roles),
            message_type=str(message_type),
            deployment_id=deployment_id or self.deployment_id,
            target_link_uri=target_link_uri,
            context=dict(DEFAULT_CONTEXT) if context is _DEFAULT else context,
            resource_link=dict(DEFAULT_RESOURCE_LINK) if resource_link is _DEFAULT else resource_link,
            custom=custom,
            claims_hook=claims_hook,
            header_hook=header_hook,
            signing_key=signing_key,
        )
        with self._lock:
            self._pending[launch_id] = pending
        # LTI Security Framework 5.1.1.1: third-party initiated login parameters.
        params = {
            "iss": self.issuer,
            "login_hint": user.sub,
            "target_link_uri": target_link_uri,
            "lti_message_hint": hint,
            "client_id": self.client_id,
            "lti_deployment_id": pending.deployment_id,
        }
        if lti_storage_target is not None:
            params["lti_storage_target"] = lti_storage_target  # LTI Client Side postMessages 1.0
        return params

    def course_page_url(self, *, login_url: str, **login: Any) -> str:
        """A platform page that shows the tool in an iframe (as an LMS course page does) for a browser test.

        With lti_storage_target="_parent" the page also answers the LTI postMessage storage calls.
        """
        return self.course_pages.add(login_url, self.login_params(**login))

    def _auth(self, request: HttpRequest, _match: Any) -> HttpResponse:
        """OIDC authentication endpoint (LTI Security Framework 5.1.1.2 request, 5.1.1.3 response)."""
        params = request.params()
        self.auth_requests.append(params)
        launch_id = launch_id_from_hint(params.get("lti_message_hint"))
        with self._lock:
            pending = self._pending.pop(launch_id, None) if launch_id else None  # a launch is used once
        try:
            redirect_uri = check_auth_request(
                params, client_id=self.client_id, pending=pending, redirect_uris=self.redirect_uris
            )
        except AuthRequestError as exc:
            self.auth_errors.append({"error": exc.error, "error_description": exc.description})
            if not exc.redirectable:
                return HttpResponse.html(message_page("Authentication refused", str(exc)), 400)
            fields = {"error": exc.error, "error_description": exc.description}
            if "state" in params:
                fields["state"] = params["state"]
            return HttpResponse.html(form_post_page(params["redirect_uri"], fields))
        assert pending is not None  # check_auth_request refuses a missing launch
        claims = build_launch_claims(
            pending,
            issuer=self.issuer,
            client_id=self.client_id,
            nonce=params["nonce"],
            now=int(time.time()),
            return_url=f"{self.issuer}/launch_return?launchid={pending.launch_id}",
            services=service_claims(pending, ags=self.ags, nrps=self.nrps, deep_linking=self.deep_linking),
        )
        if pending.claims_hook is not None:
            claims = pending.claims_hook(claims) or claims
        token = self._sign_launch(claims, pending)
        self.last_id_token_claims, self.last_id_token = claims, token
        fields = {"id_token": token}
        if "state" in params:
            fields["state"] = params["state"]  # OIDC Core 3.2.2.5: state echoed when it was sent
        return HttpResponse.html(form_post_page(redirect_uri, fields))

    def _launch_return(self, request: HttpRequest, _match: Any) -> HttpResponse:
        """launch_presentation.return_url (LTI Core 1.3 5.4.4): records lti_msg / lti_errormsg and the rest."""
        params = request.params()
        self.returns.append(params)
        return HttpResponse.html(
            message_page("Back in the platform", params.get("lti_errormsg") or params.get("lti_msg", ""))
        )
