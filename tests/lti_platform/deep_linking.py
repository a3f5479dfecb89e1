"""Deep Linking 2.0 on the platform side: the request settings and the return endpoint that checks the answer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .constants import LTI_VERSION, Claim, MessageType
from .oidc import message_page
from .server import HttpRequest, HttpResponse, Router
from .tokens import JwtRejected, fetch_jwks, verify_tool_jwt


@dataclass(frozen=True)
class DeepLinkRequest:
    """What the platform sent in one LtiDeepLinkingRequest."""

    launch_id: str
    deployment_id: str
    settings: dict[str, Any]


class DeepLinkingService:
    """Builds deep_linking_settings and verifies LtiDeepLinkingResponse messages (Deep Linking 2.0)."""

    def __init__(self, *, base_url: Callable[[], str], client_id: str, tool_jwks_url: Callable[[], str | None]) -> None:
        self._base_url = base_url
        self._client_id = client_id
        self._tool_jwks_url = tool_jwks_url
        self._lock = threading.Lock()
        self.sent: dict[str, DeepLinkRequest] = {}  # launch id → request
        self.deep_link_responses: list[dict[str, Any]] = []
        self.deep_link_errors: list[str] = []

    def routes(self, router: Router) -> None:
        """Register the return endpoint."""
        router.add("POST", r"/deep_link_return", self._return)

    def settings_claim(self, launch_id: str, deployment_id: str) -> dict[str, Any]:
        """The deep_linking_settings claim (DL 2.0), Moodle-like: its return URL has a query string."""
        settings = {
            "deep_link_return_url": f"{self._base_url()}/deep_link_return?course=1&launchid={launch_id}",
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": True,
            "auto_create": False,
            "title": "MASTERY test course",
            "text": "Pick units",
            "data": f"dl-data-{launch_id}",
        }
        with self._lock:
            self.sent[launch_id] = DeepLinkRequest(launch_id, deployment_id, settings)
        return settings

    def _fail(self, reason: str) -> HttpResponse:
        self.deep_link_errors.append(reason)
        return HttpResponse.html(message_page("Deep linking refused", reason), 400)

    def _check(self, claims: dict[str, Any], request: DeepLinkRequest | None) -> str | None:
        """Why a verified response's claims are unacceptable, or None."""
        if not claims.get("nonce"):
            return "nonce is required"  # DL 2.0 response message: nonce
        if claims.get(Claim.MESSAGE_TYPE) != MessageType.DEEP_LINKING_RESPONSE:
            return f"message_type must be {MessageType.DEEP_LINKING_RESPONSE}"
        if claims.get(Claim.VERSION) != LTI_VERSION:
            return f"version must be {LTI_VERSION}"
        if request is None:
            return "no deep linking request matches this return URL"
        # DL 2.0 response message: deployment_id echoes the request's; data is returned unchanged when it was sent.
        if claims.get(Claim.DEPLOYMENT_ID) != request.deployment_id:
            return f"deployment_id {claims.get(Claim.DEPLOYMENT_ID)!r} != {request.deployment_id!r}"
        if "data" in request.settings and claims.get(Claim.DL_DATA) != request.settings["data"]:
            return f"data {claims.get(Claim.DL_DATA)!r} does not echo {request.settings['data']!r}"
        items = claims.get(Claim.DL_CONTENT_ITEMS, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            return "content_items must be an array of objects"
        if len(items) > 1 and not request.settings["accept_multiple"]:
            return "several content items but accept_multiple is false"
        for item in items:
            # DL 2.0 content item types: every item has a type, one of the accept_types offered.
            if item.get("type") not in request.settings["accept_types"]:
                return f"content item type {item.get('type')!r} not in accept_types"
            if item["type"] == "ltiResourceLink" and "url" in item and not isinstance(item["url"], str):
                return "ltiResourceLink url must be a string"
        return None

    def _return(self, http_request: HttpRequest, _match: Any) -> HttpResponse:
        token = http_request.form().get("JWT")
        if not token:
            return self._fail("form field JWT missing")  # DL 2.0 response message: posted as the JWT form field
        try:
            # Security Framework 5.2 tool-originating messages: iss = client_id, aud = platform issuer, RS256, kid.
            claims = verify_tool_jwt(
                token, fetch_jwks(self._tool_jwks_url()), issuer=self._client_id, audience=self._base_url()
            )
        except JwtRejected as exc:
            return self._fail(str(exc))
        with self._lock:
            request = self.sent.get(http_request.query.get("launchid", ""))
        if problem := self._check(claims, request):
            return self._fail(problem)
        self.deep_link_responses.append(claims)
        items = claims.get(Claim.DL_CONTENT_ITEMS, [])
        titles = ", ".join(str(i.get("title", i.get("url", ""))) for i in items)
        text = f"{len(items)} item(s) added: {titles}"
        return HttpResponse.html(message_page("Deep linking done", text))
