"""Verification-method resolution: did:key locally, anything else through a controller-document fetcher.

The fetcher is a callable the caller supplies (the web layer wraps an HTTP client; tests pass a dict),
so nothing here touches the network. A key is accepted only if its controller document lists it under
``assertionMethod``: a key merely named in a URL fragment proves nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from lti_tool.credentials.proof.multibase import (
    DID_KEY_PREFIX,
    MultibaseError,
    ed25519_from_did_key,
    ed25519_from_multikey,
)

PublicKey = Ed25519PublicKey | RSAPublicKey | EllipticCurvePublicKey
ControllerFetcher = Callable[[str], Mapping[str, Any]]
ASSERTION_METHOD = "assertionMethod"


class KeyResolutionError(LookupError):
    """The verification method could not be resolved to a key authorised for the purpose."""


@dataclass(frozen=True)
class ResolvedKey:
    """A public key with the verification method id and controller it was resolved from."""

    id: str
    controller: str
    key: PublicKey


KeyResolver = Callable[[str], ResolvedKey]


def did_web_url(did: str) -> str:
    """The https URL of a did:web DID document (did:web spec §3.2, read)."""
    if not did.startswith("did:web:"):
        raise KeyResolutionError(f"not a did:web: {did!r}")
    parts = [unquote(part) for part in did[len("did:web:") :].split("#")[0].split(":")]
    path = "/".join(parts[1:]) if len(parts) > 1 else ".well-known"
    return f"https://{parts[0]}/{path}/did.json"


@dataclass(frozen=True)
class Resolver:
    """Resolve a verification method URL (or, for a JWT without ``kid``, a bare controller id)."""

    fetch_controller: ControllerFetcher | None = None
    purpose: str = ASSERTION_METHOD

    def __call__(self, method_id: str) -> ResolvedKey:
        """Resolve ``method_id`` to a key authorised for ``purpose``."""
        if method_id.startswith(DID_KEY_PREFIX):
            try:
                key = ed25519_from_did_key(method_id)
            except MultibaseError as exc:
                raise KeyResolutionError(str(exc)) from exc
            controller = method_id.split("#", 1)[0]
            fragment = controller[len(DID_KEY_PREFIX) :]
            return ResolvedKey(f"{controller}#{fragment}", controller, key)
        if self.fetch_controller is None:
            raise KeyResolutionError(f"no resolver for {method_id!r} (only did:key resolves offline)")
        controller_id, _, fragment = method_id.partition("#")
        document = self.fetch_controller(controller_id)
        if document.get("id") != controller_id:
            raise KeyResolutionError(f"controller document id {document.get('id')!r} is not {controller_id!r}")
        authorised = _authorised_methods(document, controller_id, self.purpose)
        if not fragment:
            if len(authorised) != 1:
                raise KeyResolutionError(
                    f"{controller_id} has {len(authorised)} {self.purpose} keys; a key id is required"
                )
            method = next(iter(authorised.values()))
        else:
            listed = authorised.get(method_id)
            if listed is None:
                raise KeyResolutionError(f"{method_id} is not listed under {self.purpose} of {controller_id}")
            method = listed
        if method.get("controller", controller_id) != controller_id:
            raise KeyResolutionError(f"{method.get('id')} is controlled by {method.get('controller')!r}")
        return ResolvedKey(_absolute_id(method["id"], controller_id), controller_id, key_from_method(method))


def key_from_method(method: Mapping[str, Any]) -> PublicKey:
    """The public key of a verification method (publicKeyMultibase Ed25519, or publicKeyJwk)."""
    try:
        if "publicKeyMultibase" in method:
            return ed25519_from_multikey(str(method["publicKeyMultibase"]))
        if "publicKeyJwk" in method:
            return jwk_to_key(method["publicKeyJwk"])
    except MultibaseError as exc:
        raise KeyResolutionError(f"{method.get('id')}: {exc}") from exc
    raise KeyResolutionError(f"{method.get('id')}: no publicKeyMultibase or publicKeyJwk")


def jwk_to_key(jwk: Mapping[str, Any]) -> PublicKey:
    """A public key object from a JWK (RSA, EC or OKP Ed25519); private members are refused."""
    if "d" in jwk:
        raise KeyResolutionError("a JWK with a private part was offered as a public key")
    try:
        key = jwt.PyJWK(dict(jwk)).key
    except (jwt.exceptions.PyJWKError, jwt.exceptions.InvalidKeyError) as exc:
        raise KeyResolutionError(f"unusable JWK: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey | RSAPublicKey | EllipticCurvePublicKey):
        raise KeyResolutionError("the JWK is not an RSA, EC or Ed25519 public key")
    return key


def _authorised_methods(document: Mapping[str, Any], controller_id: str, purpose: str) -> dict[str, Mapping[str, Any]]:
    # A purpose entry is either a reference to a verificationMethod entry or an embedded method.
    declared = {
        _absolute_id(m["id"], controller_id): m
        for m in _as_list(document.get("verificationMethod"))
        if isinstance(m, Mapping) and "id" in m
    }
    authorised: dict[str, Mapping[str, Any]] = {}
    for entry in _as_list(document.get(purpose)):
        if isinstance(entry, str):
            ref = _absolute_id(entry, controller_id)
            if ref in declared:
                authorised[ref] = declared[ref]
        elif isinstance(entry, Mapping) and "id" in entry:
            authorised[_absolute_id(entry["id"], controller_id)] = entry
    return authorised


def _absolute_id(value: str, controller_id: str) -> str:
    return controller_id + value if value.startswith("#") else value


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
