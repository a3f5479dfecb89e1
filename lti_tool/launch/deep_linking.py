"""LTI Deep Linking 2.0: read the request's settings, build and sign the LtiDeepLinkingResponse (pure: no Flask, no DB).

pylti1p3next builds the message and the resource items; this module wraps it where it is unsound
(DESIGN.md §6): it sends ``data: null`` when the request had no ``data``, ``aud`` as a list, and items
without ``text``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem
from pylti1p3.registration import Registration

from lti_tool.errors import N_, LaunchError, ValidationFailed
from lti_tool.http_url import is_http_url
from lti_tool.launch.claims import Claim

RESPONSE_LIFETIME_SECONDS = 300


class DeepLinkingClaim(StrEnum):
    """Claims of the LtiDeepLinkingResponse message (Deep Linking 2.0 §4.2)."""

    CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
    DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
    MSG = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"
    ERRORMSG = "https://purl.imsglobal.org/spec/lti-dl/claim/errormsg"


class ContentItemType(StrEnum):
    """Content item types the tool can return (Deep Linking 2.0 §3)."""

    LTI_RESOURCE_LINK = "ltiResourceLink"


@dataclass(frozen=True)
class DeepLinkingSettings:
    """The request's deep_linking_settings claim (Deep Linking 2.0 §4.4.1), as the tool reads it."""

    return_url: str
    accept_types: tuple[str, ...]
    accept_multiple: bool
    auto_create: bool
    accept_lineitem: bool
    has_data: bool
    data: Any = None
    title: str = ""
    text: str = ""


def _flag(value: Any, default: bool) -> bool:
    """Platforms send booleans, some the strings "true"/"false"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return default


def parse_settings(claims: Mapping[str, Any]) -> DeepLinkingSettings:
    """Read the settings from the launch claims; LaunchError when the request cannot be answered."""
    raw = claims.get(Claim.DEEP_LINKING_SETTINGS)
    if not isinstance(raw, Mapping):
        raise LaunchError(N_("This page opens only from your LMS's 'add activity / select content' (Deep Linking) "
                             "request, and this launch was not one."), code="not_deep_linking")
    return_url = raw.get("deep_link_return_url")
    if not isinstance(return_url, str) or not is_http_url(return_url):
        raise LaunchError(N_("The LMS did not say where to send the selected units back to (no deep_link_return_url "
                             "in its deep-linking request). Ask the site administrator to check the tool's "
                             "configuration."), code="missing_return_url")
    accept_types = raw.get("accept_types")
    types = tuple(str(t) for t in accept_types) if isinstance(accept_types, list) else ()
    if ContentItemType.LTI_RESOURCE_LINK not in types:
        raise LaunchError(N_("The LMS does not accept LTI resource links from this request, so MASTERY units "
                             "cannot be added here."), code="unsupported_accept_types")
    return DeepLinkingSettings(
        return_url=return_url,
        accept_types=types,
        accept_multiple=_flag(raw.get("accept_multiple"), True),  # DL 2.0: absent means true
        auto_create=_flag(raw.get("auto_create"), False),
        accept_lineitem=_flag(raw.get("accept_lineitem"), True),
        has_data="data" in raw,
        data=raw.get("data"),
        title=str(raw.get("title") or ""),
        text=str(raw.get("text") or ""),
    )


@dataclass(frozen=True)
class PickedUnit:
    """A unit the teacher picked, as the content item describes it."""

    slug: str
    title: str
    text: str
    score_maximum: float = 100.0
    version: str | None = None


def _custom(unit: PickedUnit) -> dict[str, str]:
    # The version travels with the activity, so a course copy (new context and link ids) keeps it.
    return {"unit": unit.slug, **({"unit_version": unit.version} if unit.version else {})}


def check_selection(settings: DeepLinkingSettings, slugs: Sequence[str]) -> None:
    """Refuse an empty selection, or several units when the LMS accepts only one."""
    if not slugs:
        raise ValidationFailed(N_("Pick at least one unit to add to your course."), code="nothing_selected")
    if len(set(slugs)) != len(slugs):
        raise ValidationFailed(N_("The same unit was picked twice."), code="duplicate_selection")
    if len(slugs) > 1 and not settings.accept_multiple:
        raise ValidationFailed(N_("Your LMS accepts only one item from this request: pick a single unit, "
                                  "or add the others one at a time."), code="multiple_not_accepted")


def content_items(units: Sequence[PickedUnit], *, launch_url: str, settings: DeepLinkingSettings
                  ) -> list[dict[str, Any]]:
    """ltiResourceLink items (DL 2.0 §3.1): title, text, our launch URL, custom unit, a gradebook line item."""
    items: list[dict[str, Any]] = []
    for unit in units:
        resource = (DeepLinkResource().set_type(ContentItemType.LTI_RESOURCE_LINK.value).set_title(unit.title)
                    .set_url(launch_url).set_custom_params(_custom(unit)))
        if settings.accept_lineitem:
            # The line item makes the gradebook column exist before any learner starts (DL 2.0 §3.1 lineItem).
            resource.set_lineitem(LineItem().set_score_maximum(unit.score_maximum).set_label(unit.title)
                                  .set_resource_id(unit.slug))
        item = resource.to_dict()
        # pylti1p3next's to_dict has no ``text``; the LMS shows it as the activity description.
        if unit.text:
            item["text"] = unit.text
        items.append({key: value for key, value in item.items() if value is not None})
    return items


def response_claims(*, issuer: str, client_id: str, deployment_id: str, settings: DeepLinkingSettings,
                    items: Sequence[Mapping[str, Any]], message: str = "", now: int | None = None
                    ) -> dict[str, Any]:
    """The LtiDeepLinkingResponse claims (DL 2.0 §4.2; Security Framework §5.2: iss = client_id, aud = issuer)."""
    registration = Registration().set_issuer(issuer).set_client_id(client_id)
    # The settings are passed as-is: pylti1p3next only reads ``data`` from them.
    link = DeepLink(registration, deployment_id, {"data": settings.data})
    claims: dict[str, Any] = link.get_message_jwt([])
    issued = int(time.time()) if now is None else now
    claims.update({
        "aud": issuer,  # one audience: no ``azp`` needed (OIDC Core §2)
        "iat": issued,
        "exp": issued + RESPONSE_LIFETIME_SECONDS,
        "nonce": secrets.token_urlsafe(24),
        DeepLinkingClaim.CONTENT_ITEMS: [dict(item) for item in items],
    })
    # DL 2.0 §4.2.1: ``data`` comes back only when the request had it, unchanged (pylti1p3next sends null).
    if settings.has_data:
        claims[DeepLinkingClaim.DATA] = settings.data
    else:
        claims.pop(DeepLinkingClaim.DATA, None)
    if message:
        claims[DeepLinkingClaim.MSG] = message
    return claims


def sign(claims: Mapping[str, Any], *, kid: str, private_pem: str) -> str:
    """RS256 JWS with the tool key's ``kid`` in the header, so the platform finds it in our JWKS."""
    return jwt.encode(dict(claims), private_pem, algorithm="RS256", headers={"kid": kid, "typ": "JWT"})
