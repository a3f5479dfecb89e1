"""Verify a credential (JSON-LD with a Data Integrity proof, or a VC-JWT): every check, named.

Pure: the outside world comes in as callables — ``resolve_key`` (verification method → key, see
resolver.Resolver) and ``status_fetcher`` (status list URL → the list credential JSON).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from lti_tool.credentials.proof import dataintegrity, vcjwt
from lti_tool.credentials.proof.canonical import CanonicalizationError, UnsafeDocumentError, expand_strict
from lti_tool.credentials.proof.contexts import OfflineDocumentLoader
from lti_tool.credentials.proof.dataintegrity import VerificationResult
from lti_tool.credentials.proof.resolver import KeyResolver
from lti_tool.credentials.status import bitstring as status_list
from lti_tool.credentials.verification.schema_check import schema_errors

StatusFetcher = Callable[[str], Mapping[str, Any]]


class StatusFetchError(LookupError):
    """The status list credential could not be obtained (raised by a status_fetcher)."""


def _parse_time(value: Any) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _validity(credential: Mapping[str, Any], now: dt.datetime, result: VerificationResult) -> None:
    valid_from = _parse_time(credential.get("validFrom"))
    result.add("valid_from", valid_from is not None and valid_from <= now, f"validFrom {credential.get('validFrom')}")
    if "validUntil" in credential:
        until = _parse_time(credential.get("validUntil"))
        result.add("valid_until", until is not None and now < until, f"validUntil {credential.get('validUntil')}")


def _status(
    credential: Mapping[str, Any],
    resolve_key: KeyResolver,
    status_fetcher: StatusFetcher,
    loader: OfflineDocumentLoader | None,
    result: VerificationResult,
) -> None:
    entry = credential.get("credentialStatus")
    if entry is None:
        result.add("status", True, "no credentialStatus")
        return
    entries = entry if isinstance(entry, list) else [entry]
    for raw in entries:
        try:
            ref = status_list.parse_entry(raw if isinstance(raw, Mapping) else {})
            list_credential = status_fetcher(ref.list_url)
        except (status_list.StatusListError, StatusFetchError) as exc:
            result.add("status", False, str(exc))
            continue
        list_check = dataintegrity.verify(list_credential, resolve_key, loader=loader)
        same_issuer = dataintegrity.issuer_id(list_credential) == dataintegrity.issuer_id(credential)
        if not (list_check.ok and same_issuer):
            failed = [c.name for c in list_check.checks if not c.ok] + ([] if same_issuer else ["issuer"])
            result.add("status", False, f"status list {ref.list_url} does not verify ({', '.join(failed)})")
            continue
        try:
            flagged = status_list.read_status(ref, list_credential)
        except status_list.StatusListError as exc:
            result.add("status", False, str(exc))
            continue
        result.add(
            "status", not flagged, f"{ref.purpose} bit {ref.index} is {'set' if flagged else 'clear'} in {ref.list_url}"
        )


def verify_credential(
    doc_or_jwt: Mapping[str, Any] | str,
    *,
    resolve_key: KeyResolver,
    status_fetcher: StatusFetcher,
    now: dt.datetime,
    loader: OfflineDocumentLoader | None = None,
) -> dict[str, Any]:
    """Verify signature, schema, JSON-LD safe mode, status and validity dates; report each check."""
    result = VerificationResult()
    if isinstance(doc_or_jwt, str):
        credential, signed = vcjwt.decode(doc_or_jwt.strip(), resolve_key)
        result.checks += signed.checks
        if credential is None:
            return {"ok": False, "format": "vc-jwt", "checks": result.as_dict()["checks"], "credential": None}
        # A VC-JWT has no Data Integrity proof, so the JSON-LD safe-mode check runs here on its own.
        try:
            expand_strict(credential, loader)
            result.add("safe_mode", True, "no term or IRI dropped by JSON-LD processing")
        except UnsafeDocumentError as exc:
            result.add("safe_mode", False, "; ".join(exc.problems))
        except CanonicalizationError as exc:
            result.add("safe_mode", False, str(exc))
        form = "vc-jwt"
    else:
        credential = dict(doc_or_jwt)
        result.checks += dataintegrity.verify(credential, resolve_key, loader=loader).checks
        form = "data-integrity"
    problems = schema_errors(credential)
    result.add("schema", not problems, "; ".join(problems[:10]) or "OB 3.0 AchievementCredential schema")
    _validity(credential, now, result)
    _status(credential, resolve_key, status_fetcher, loader, result)
    return {"ok": result.ok, "format": form, "checks": result.as_dict()["checks"], "credential": credential}
