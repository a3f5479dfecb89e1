"""LTI 1.3 claim names, roles and a typed view of a validated launch (pure: no Flask, no DB)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from lti_tool.errors import N_, LaunchError

LTI_VERSION = "1.3.0"


class Claim(StrEnum):
    """Claim names of LTI Core 1.3 §5 and the LTI Advantage services."""

    MESSAGE_TYPE = "https://purl.imsglobal.org/spec/lti/claim/message_type"
    VERSION = "https://purl.imsglobal.org/spec/lti/claim/version"
    DEPLOYMENT_ID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
    TARGET_LINK_URI = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
    RESOURCE_LINK = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
    ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"
    CONTEXT = "https://purl.imsglobal.org/spec/lti/claim/context"
    CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"
    LAUNCH_PRESENTATION = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"
    TOOL_PLATFORM = "https://purl.imsglobal.org/spec/lti/claim/tool_platform"
    AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
    NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
    DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


class MessageType(StrEnum):
    """The LTI messages this tool answers."""

    RESOURCE_LINK = "LtiResourceLinkRequest"
    DEEP_LINKING = "LtiDeepLinkingRequest"


class Role(StrEnum):
    """The roles the tool acts on, reduced from the LIS vocabulary (LTI Core §A.2)."""

    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    TEACHING_ASSISTANT = "teaching_assistant"
    CONTENT_DEVELOPER = "content_developer"
    ADMINISTRATOR = "administrator"
    MENTOR = "mentor"


_LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
# Context roles may come as full URIs, as the deprecated short names ("Instructor"), or as
# sub-roles ("membership/Instructor#TeachingAssistant"); Open edX adds system/person#None.
_CONTEXT_ROLE_NAMES = {
    "Learner": Role.LEARNER,
    "Instructor": Role.INSTRUCTOR,
    "ContentDeveloper": Role.CONTENT_DEVELOPER,
    "Administrator": Role.ADMINISTRATOR,
    "Mentor": Role.MENTOR,
}
_ADMIN_URIS = {
    _LIS + "system/person#Administrator",
    _LIS + "system/person#SysAdmin",
    _LIS + "institution/person#Administrator",
}


def map_roles(role_uris: list[str]) -> frozenset[Role]:
    """Reduce the platform's role URIs to the tool's roles; unknown roles are ignored, never fatal."""
    roles: set[Role] = set()
    for uri in role_uris:
        if not isinstance(uri, str):
            continue
        if uri in _ADMIN_URIS:
            roles.add(Role.ADMINISTRATOR)
            continue
        if "#TeachingAssistant" in uri:
            roles.add(Role.TEACHING_ASSISTANT)
            continue
        name = uri.rsplit("#", 1)[-1] if uri.startswith(_LIS + "membership") else uri
        if name in _CONTEXT_ROLE_NAMES:
            roles.add(_CONTEXT_ROLE_NAMES[name])
    return frozenset(roles)


STAFF_ROLES = frozenset({Role.INSTRUCTOR, Role.TEACHING_ASSISTANT, Role.CONTENT_DEVELOPER, Role.ADMINISTRATOR})


def tool_roles(values: Iterable[str]) -> frozenset[Role]:
    """The tool roles among stored role values (as a launch session keeps them); others are ignored."""
    return frozenset(Role(value) for value in values if value in Role._value2member_map_)


def is_staff(roles: Iterable[str]) -> bool:
    """Instructors, teaching assistants, content developers and administrators: the course's staff."""
    return bool(tool_roles(roles) & STAFF_ROLES)


def is_learner(roles: Iterable[str]) -> bool:
    """A learner and no staff role (a teacher's preview as a learner is not a learning record)."""
    found = tool_roles(roles)
    return Role.LEARNER in found and not found & STAFF_ROLES


@dataclass(frozen=True)
class LtiLaunch:
    """A validated id_token, read through the few claims the tool uses."""

    claims: Mapping[str, Any]
    roles: frozenset[Role] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", map_roles(list(self.claims.get(Claim.ROLES) or [])))

    @property
    def issuer(self) -> str:
        return str(self.claims["iss"])

    @property
    def sub(self) -> str:
        return str(self.claims["sub"])

    @property
    def client_id(self) -> str:
        aud = self.claims["aud"]
        return str(aud[0] if isinstance(aud, list) else aud)

    @property
    def deployment_id(self) -> str:
        return str(self.claims[Claim.DEPLOYMENT_ID])

    @property
    def message_type(self) -> MessageType:
        return MessageType(self.claims[Claim.MESSAGE_TYPE])

    @property
    def context(self) -> Mapping[str, Any]:
        return self.claims.get(Claim.CONTEXT) or {}

    @property
    def resource_link(self) -> Mapping[str, Any]:
        return self.claims.get(Claim.RESOURCE_LINK) or {}

    @property
    def custom(self) -> Mapping[str, Any]:
        custom = self.claims.get(Claim.CUSTOM)
        return custom if isinstance(custom, dict) else {}

    @property
    def unit_slug(self) -> str | None:
        """The unit placed here: our own custom parameter ``unit`` (the only custom key we read).

        Cut to the column's length: a slug that long names no unit, and the unit page says so to the teacher.
        """
        value = self.custom.get("unit")
        value = value.strip()[:UNIT_SLUG_MAX] if isinstance(value, str) else ""
        return value or None

    @property
    def locale(self) -> str:
        presentation = self.claims.get(Claim.LAUNCH_PRESENTATION)
        locale = (presentation.get("locale") if isinstance(presentation, dict) else None) or self.claims.get(
            "locale") or "en"
        return str(locale)[:35]

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def display_name(self) -> str:
        return str(self.claims.get("name") or " ".join(
            part for part in (self.claims.get("given_name"), self.claims.get("family_name")) if part
        ))


def check_lti_claims(claims: Mapping[str, Any], *, client_id: str, expected_target: str | None) -> None:
    """The checks pylti1p3next leaves out (DESIGN.md §6): azp, version, sub, target_link_uri, claim shapes."""
    aud = claims.get("aud")
    if isinstance(aud, list):
        if client_id not in aud:
            raise LaunchError(N_("The launch was meant for another tool (audience mismatch)."), code="wrong_audience")
        # OIDC Core §2: with several audiences the authorised party must be named and be us.
        if len(aud) > 1 and claims.get("azp") != client_id:
            raise LaunchError(N_("The launch names several audiences but not this tool as the authorised party."),
                              code="wrong_azp")
    if "azp" in claims and claims["azp"] != client_id:
        raise LaunchError(N_("The launch was authorised for another tool."), code="wrong_azp")
    if claims.get(Claim.VERSION) != LTI_VERSION:
        raise LaunchError(N_("Only LTI version 1.3.0 launches are supported."), code="wrong_version")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise LaunchError(N_("The launch does not say who the user is (no 'sub')."), code="missing_sub")
    if not isinstance(claims.get(Claim.DEPLOYMENT_ID), str) or not claims[Claim.DEPLOYMENT_ID]:
        raise LaunchError(N_("The launch does not name its deployment."), code="missing_deployment")
    message_type = claims.get(Claim.MESSAGE_TYPE)
    if message_type not in set(MessageType):
        raise LaunchError(N_("This kind of LTI message is not supported by the tool."), code="unsupported_message")
    roles = claims.get(Claim.ROLES)
    if not isinstance(roles, list):
        raise LaunchError(N_("The launch has no roles claim."), code="missing_roles")
    target = claims.get(Claim.TARGET_LINK_URI)
    if not isinstance(target, str) or not target:
        raise LaunchError(N_("The launch has no target link."), code="missing_target")
    if expected_target:
        check_target_link(target, expected_target)
    if message_type == MessageType.RESOURCE_LINK:
        link = claims.get(Claim.RESOURCE_LINK)
        if not isinstance(link, dict) or not link.get("id"):
            raise LaunchError(N_("The launch has no resource link."), code="missing_resource_link")
    context = claims.get(Claim.CONTEXT)
    if context is not None and (not isinstance(context, dict) or not context.get("id")):
        raise LaunchError(N_("The course (context) claim is malformed."), code="bad_context")
    check_claim_values(claims)


# LTI Core 1.3 §5.3.1-§5.4.1 and OIDC Core §2: these identifiers "MUST NOT exceed 255 ASCII characters".
IDENTIFIER_MAX = 255
UNIT_SLUG_MAX = 128
_MAX_CLAIM_VALUES = 10_000
# C0 controls and DEL; a compiled search instead of a generator over each character (~4 µs per launch less).
_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f]")


def _identifiers(claims: Mapping[str, Any]) -> dict[str, object]:
    context, link = claims.get(Claim.CONTEXT), claims.get(Claim.RESOURCE_LINK)
    return {
        "sub": claims.get("sub"), "deployment_id": claims.get(Claim.DEPLOYMENT_ID),
        "context id": context.get("id") if isinstance(context, dict) else None,
        "resource link id": link.get("id") if isinstance(link, dict) else None,
    }


def check_claim_values(claims: Mapping[str, Any]) -> None:
    """Types, lengths and characters of what the tool stores from a launch, before any of it reaches a service."""
    for name, value in _identifiers(claims).items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise LaunchError(N_("The launch's %(name)s is not a string."), code="bad_claim", name=name)
        text = str(value)
        if len(text) > IDENTIFIER_MAX:
            raise LaunchError(N_("The launch's %(name)s is longer than %(limit)s characters."),
                              code="claim_too_long", name=name, limit=IDENTIFIER_MAX)
        if _CONTROL_CHARACTER.search(text):
            raise LaunchError(N_("The launch's %(name)s contains control characters."), code="bad_claim", name=name)
    for claim in (Claim.LAUNCH_PRESENTATION, Claim.CUSTOM, Claim.RESOURCE_LINK):
        if claim in claims and claims[claim] is not None and not isinstance(claims[claim], dict):
            raise LaunchError(N_("The launch's %(claim)s claim is not an object."), code="bad_claim",
                              claim=claim.rsplit("/", 1)[-1])
    # PostgreSQL stores no U+0000 in text or jsonb; no name, title or custom value ever needs one.
    stack: list[Any] = [claims]
    seen = 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > _MAX_CLAIM_VALUES:
            raise LaunchError(N_("The launch carries too many values."), code="bad_claim")
        if isinstance(item, str):
            if "\x00" in item:
                raise LaunchError(N_("The launch contains a NUL character."), code="bad_claim")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def check_target_link(target: str, expected_target: str) -> None:
    """The token's target_link_uri must be the one its login asked for (LTI Core §5.1.3.8)."""
    if _normalise(target) != _normalise(expected_target):
        raise LaunchError(N_("The launch targets another address than the login asked for."), code="target_mismatch")


def _normalise(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path or '/'}"


