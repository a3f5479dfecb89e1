"""Verify any credential with the pure verifier, resolving our own DID and status lists from the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import orm as so

from lti_tool.credentials.proof.canonical import CanonicalizationError
from lti_tool.credentials.proof.contexts import ContextIntegrityError, UnknownContextError
from lti_tool.credentials.proof.multibase import MultibaseError
from lti_tool.credentials.proof.resolver import KeyResolutionError, Resolver, did_web_url
from lti_tool.credentials.runtime import CredentialEnv
from lti_tool.credentials.status import store as status_store
from lti_tool.credentials.status.bitstring import StatusListError
from lti_tool.credentials.verification.remote import RemoteFetchError
from lti_tool.credentials.verification.verifier import StatusFetcher, StatusFetchError, verify_credential

# What a hostile document can make the JSON-LD, schema or JWT code raise; reported as a failed check.
_PROCESSING_ERRORS = (
    CanonicalizationError, UnknownContextError, ContextIntegrityError, MultibaseError, StatusListError,
    KeyResolutionError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError,
)


def resolver(env: CredentialEnv) -> Resolver:
    """Resolve verification methods: our DID locally, did:key offline, other did:web/https over HTTPS."""

    def fetch_controller(controller_id: str) -> Mapping[str, Any]:
        if controller_id == env.issuer.did and env.issuer.uses_did_web:
            return env.issuer.did_document()
        if env.remote is None:
            raise KeyResolutionError(f"{controller_id} is another issuer's key and remote resolution is off")
        url = did_web_url(controller_id) if controller_id.startswith("did:web:") else controller_id
        try:
            return env.remote.fetch_json(url)
        except RemoteFetchError as exc:
            raise KeyResolutionError(str(exc)) from exc

    return Resolver(fetch_controller=fetch_controller)


def status_fetcher(session: so.Session, env: CredentialEnv) -> StatusFetcher:
    """Status list credentials: ours from the database, others' over HTTPS."""
    own_prefix = env.base_url + status_store.STATUS_PATH

    def fetch(url: str) -> Mapping[str, Any]:
        if url.startswith(own_prefix):
            tail = url[len(own_prefix):]
            row = status_store.get_list(session, int(tail)) if tail.isdigit() else None
            if row is None or row.document is None:
                raise StatusFetchError(f"status list {url} does not exist")
            return row.document
        if env.remote is None:
            raise StatusFetchError(f"{url} is another issuer's status list and remote fetching is off")
        try:
            return env.remote.fetch_json(url)
        except RemoteFetchError as exc:
            raise StatusFetchError(str(exc)) from exc

    return fetch


def verify_any(session: so.Session, env: CredentialEnv, doc_or_jwt: Mapping[str, Any] | str,
               now: dt.datetime) -> dict[str, Any]:
    """Every check's result for a credential (JSON-LD or VC-JWT), ours or another issuer's; never raises on input."""
    try:
        return verify_credential(doc_or_jwt, resolve_key=resolver(env), status_fetcher=status_fetcher(session, env),
                                 now=now)
    except _PROCESSING_ERRORS as exc:
        form = "vc-jwt" if isinstance(doc_or_jwt, str) else "data-integrity"
        check = {"name": "processing", "ok": False, "detail": f"the credential could not be processed: "
                                                              f"{type(exc).__name__}: {str(exc)[:300]}"}
        return {"ok": False, "format": form, "checks": [check], "credential": None}
