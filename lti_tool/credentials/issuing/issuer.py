"""Who issues: did:web derived from a public HTTPS TOOL_BASE_URL, did:key otherwise; DID document and Profile."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from lti_tool.credentials.issuing.builder import IssuerInfo, issuer_profile
from lti_tool.credentials.issuing.keyring import IssuerKey, KeySet
from lti_tool.credentials.proof.contexts import ContextUrl
from lti_tool.credentials.proof.multibase import DID_KEY_PREFIX, did_key, did_key_verification_method

MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def is_public_https(base_url: str) -> bool:
    """True for an https URL whose host others can reach (no loopback, private address or local name)."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host or host == "localhost" or host.endswith(_LOCAL_SUFFIXES):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." in host
    return address.is_global


def did_web(base_url: str) -> str:
    """did:web for a base URL (did:web §3.2): host (port as %3A), then path segments joined by ':'."""
    parts = urlsplit(base_url)
    host = quote(parts.netloc, safe="")
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", host, *segments])


@dataclass(frozen=True)
class Issuer:
    """The issuer as credentials name it, with the keys that may sign for it."""

    did: str
    keys: KeySet
    name: str
    url: str
    country: str

    @property
    def uses_did_web(self) -> bool:
        """True when the issuer is a did:web (else did:key of the current key)."""
        return self.did.startswith("did:web:")

    def method_id(self, key: IssuerKey) -> str:
        """The verification method URL of ``key`` under this issuer."""
        if self.uses_did_web:
            return f"{self.did}#{key.multikey}"
        return did_key_verification_method(key.private_key.public_key())

    @property
    def current_method(self) -> str:
        """The verification method new credentials are signed with."""
        return self.method_id(self.keys.current)

    def info(self) -> IssuerInfo:
        """The builder's IssuerInfo (awarding body and its country)."""
        return IssuerInfo(id=self.did, name=self.name, url=self.url, country=self.country)

    def key_for_issuer(self, issuer_id: str) -> IssuerKey | None:
        """The private key that signs as ``issuer_id`` (a retired did:key's own key; for did:web the current)."""
        if issuer_id == self.did:
            return self.keys.current
        if issuer_id.startswith(DID_KEY_PREFIX):
            return self.keys.by_multikey(issuer_id[len(DID_KEY_PREFIX) :])
        return None

    def did_document(self) -> dict[str, Any]:
        """The did:web DID document: every key, current and retired, listed for assertionMethod."""
        methods = [
            {"id": self.method_id(key), "type": "Multikey", "controller": self.did, "publicKeyMultibase": key.multikey}
            for key in self.keys.all
        ]
        return {
            "@context": [ContextUrl.DID_V1.value, MULTIKEY_CONTEXT],
            "id": self.did,
            "verificationMethod": methods,
            "assertionMethod": [m["id"] for m in methods],
        }

    def profile(self) -> dict[str, Any]:
        """The issuer Profile (JSON-LD); with did:key, the retired keys' DIDs are listed as other identifiers."""
        profile: dict[str, Any] = {
            "@context": [ContextUrl.CREDENTIALS_V2.value, ContextUrl.OB_303.value],
            **issuer_profile(self.info()),
        }
        if not self.uses_did_web and self.keys.retired:
            profile["otherIdentifier"] = [
                {"type": ["IdentifierEntry"], "identifier": did_key(key.private_key.public_key()),
                 "identifierType": "identifier"}
                for key in self.keys.retired
            ]
        return profile


def make_issuer(base_url: str, keys: KeySet, *, name: str, url: str, country: str) -> Issuer:
    """The issuer for this deployment's settings and keys."""
    did = did_web(base_url) if is_public_https(base_url) else did_key(keys.current.private_key.public_key())
    return Issuer(did=did, keys=keys, name=name, url=url or base_url, country=country)
