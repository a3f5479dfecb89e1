"""An independent LTI 1.3 platform for the MASTERY Tool's tests (1EdTech LTI Core 1.3, Security Framework 1.0,
Deep Linking 2.0, AGS 2.0, NRPS 2.0), written from the specs with PyJWT, cryptography, requests and the
standard library only. It shares no code with the tool."""

from .constants import Claim, LtiRoles, MediaType, MessageType, Scope
from .oidc import PlatformUser
from .platform import DEFAULT_CONTEXT, DEFAULT_RESOURCE_LINK, TestPlatform
from .tokens import SigningKey, new_signing_key

__all__ = [
    "DEFAULT_CONTEXT",
    "DEFAULT_RESOURCE_LINK",
    "Claim",
    "LtiRoles",
    "MediaType",
    "MessageType",
    "PlatformUser",
    "Scope",
    "SigningKey",
    "TestPlatform",
    "new_signing_key",
]
