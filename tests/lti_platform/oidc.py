"""OIDC launch pieces: the pending launch, authentication-request checks, LTI claims, the form_post page."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .constants import LTI_VERSION, Claim, MessageType


@dataclass
class PlatformUser:
    """A platform user as the id_token describes them (LTI Core 1.3 5.3.6 user identity claims)."""

    sub: str
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    locale: str = "en"


ClaimsHook = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class PendingLaunch:
    """What the platform remembers between the login initiation and the tool's authentication request."""

    launch_id: str
    lti_message_hint: str
    user: PlatformUser
    roles: list[str]
    message_type: str
    deployment_id: str
    target_link_uri: str
    context: dict[str, Any] | None
    resource_link: dict[str, Any] | None
    custom: dict[str, Any] | None
    claims_hook: ClaimsHook | None = None
    header_hook: ClaimsHook | None = None
    signing_key: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def default_redirect_uri(self) -> str:
        """The redirect URI registered by default: the target_link_uri's origin + /lti/launch."""
        parts = urlsplit(self.target_link_uri)
        return f"{parts.scheme}://{parts.netloc}/lti/launch"


class AuthRequestError(ValueError):
    """A refused authentication request; `redirectable` says whether the error may go back to redirect_uri."""

    def __init__(self, error: str, description: str, *, redirectable: bool) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.redirectable = redirectable


def launch_id_from_hint(lti_message_hint: str | None) -> str | None:
    """Read the launchid out of a Moodle-like lti_message_hint JSON, None when absent or malformed."""
    if not lti_message_hint:
        return None
    try:
        hint = json.loads(lti_message_hint)
    except ValueError:
        return None
    value = hint.get("launchid") if isinstance(hint, dict) else None
    return value if isinstance(value, str) else None


def check_auth_request(
    params: Mapping[str, str],
    *,
    client_id: str,
    pending: PendingLaunch | None,
    redirect_uris: list[str] | None,
) -> str:
    """Validate an authentication request (LTI Security Framework 1.0 5.1.1.2, OIDC Core 3.1.2.1/3.1.2.2).

    Returns the redirect_uri to answer to; raises AuthRequestError. Errors about the client or the redirect
    URI are never sent to the redirect URI (RFC 6749 4.1.2.1); the others are (OIDC Core 3.1.2.6).
    """
    if params.get("client_id") != client_id:
        raise AuthRequestError("invalid_client", f"unknown client_id {params.get('client_id')!r}", redirectable=False)
    if pending is None:
        # SF 5.1.1.2: lti_message_hint must be echoed unchanged; without it we cannot tell which launch this is.
        raise AuthRequestError(
            "invalid_request", "lti_message_hint missing, altered or already used", redirectable=False
        )
    redirect_uri = params.get("redirect_uri", "")
    allowed = redirect_uris if redirect_uris is not None else [pending.default_redirect_uri()]
    # OIDC Core 3.1.2.1: redirect_uri must exactly match one pre-registered for the client.
    if redirect_uri not in allowed:
        raise AuthRequestError("invalid_request", f"redirect_uri {redirect_uri!r} not registered", redirectable=False)
    if "openid" not in params.get("scope", "").split():
        raise AuthRequestError("invalid_scope", "scope must be openid", redirectable=True)
    if params.get("response_type") != "id_token":
        raise AuthRequestError("unsupported_response_type", "response_type must be id_token", redirectable=True)
    if params.get("response_mode") != "form_post":
        raise AuthRequestError("invalid_request", "response_mode must be form_post", redirectable=True)
    if params.get("prompt") != "none":
        raise AuthRequestError("invalid_request", "prompt must be none", redirectable=True)
    if not params.get("nonce"):
        raise AuthRequestError("invalid_request", "nonce is required", redirectable=True)
    # SF 5.1.1.2: login_hint must be the value the platform sent in the login initiation.
    if params.get("login_hint") != pending.user.sub:
        raise AuthRequestError("login_required", "login_hint does not match the launching user", redirectable=True)
    if params.get("lti_message_hint") != pending.lti_message_hint:
        raise AuthRequestError("invalid_request", "lti_message_hint altered", redirectable=True)
    return redirect_uri


def build_launch_claims(
    launch: PendingLaunch,
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    now: int,
    return_url: str,
    services: Mapping[str, Any],
) -> dict[str, Any]:
    """The id_token payload of an LTI launch (LTI Core 1.3 5.3 required and 5.4 optional claims)."""
    user = launch.user
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": client_id,  # Moodle sends a string; azp as well (OIDC Core 2)
        "azp": client_id,
        "sub": user.sub,
        "exp": now + 60,  # Moodle: exp is only 60 s after iat
        "iat": now,
        "nonce": nonce,
        Claim.VERSION: LTI_VERSION,
        Claim.MESSAGE_TYPE: launch.message_type,
        Claim.DEPLOYMENT_ID: launch.deployment_id,
        Claim.TARGET_LINK_URI: launch.target_link_uri,
        Claim.ROLES: [str(role) for role in launch.roles],
        Claim.LAUNCH_PRESENTATION: {"locale": user.locale, "document_target": "iframe", "return_url": return_url},
        Claim.TOOL_PLATFORM: {
            "guid": "mastery-test-platform",
            "name": "MASTERY test platform",
            "version": "1.0",
            "product_family_code": "mastery-test-platform",
        },
        Claim.LIS: {"person_sourcedid": "", "course_section_sourcedid": ""},
        Claim.EXT: {"user_username": f"user{user.sub}", "lms": "moodle-2"},
    }
    for name in ("name", "given_name", "family_name", "email", "locale"):
        if getattr(user, name):
            claims[name] = getattr(user, name)
    # LTI Core 5.3.5: a resource link launch carries resource_link; DL 2.0: a deep linking request does not.
    if launch.resource_link is not None and launch.message_type != MessageType.DEEP_LINKING_REQUEST:
        claims[Claim.RESOURCE_LINK] = launch.resource_link
    if launch.context is not None:
        claims[Claim.CONTEXT] = launch.context
    if launch.custom is not None:
        claims[Claim.CUSTOM] = launch.custom
    claims.update(services)
    return claims


def form_post_page(action: str, fields: Mapping[str, str], *, form_id: str = "lti-form") -> str:
    """An auto-submitting HTML form (OAuth 2.0 Form Post Response Mode 2)."""
    inputs = "\n".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in fields.items()
    )
    return (
        "<!DOCTYPE html><html><head><title>Submit</title></head>"
        f'<body onload="document.forms[0].submit()"><form id="{form_id}" method="post" '
        f'action="{html.escape(action)}">\n{inputs}\n</form></body></html>'
    )


def message_page(title: str, text: str) -> str:
    """A small HTML page with a heading and a paragraph."""
    return (
        f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
    )
