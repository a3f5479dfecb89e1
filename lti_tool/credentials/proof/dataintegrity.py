"""Data Integrity proofs: create and verify ``eddsa-rdfc-2022`` (VC DI EdDSA §3.3), verify Ed25519Signature2020.

Recipe (both suites): canonicalise the proof options (the proof minus ``proofValue``, with the document's
``@context``) and the document minus ``proof``; sign ``sha256(proof options) + sha256(document)`` with
Ed25519; ``proofValue`` = multibase base58btc of the 64-byte signature.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lti_tool.credentials.proof.canonical import (
    CanonicalizationBudgetError,
    CanonicalizationError,
    UnsafeDocumentError,
    canonicalize_safe,
)
from lti_tool.credentials.proof.contexts import OfflineDocumentLoader
from lti_tool.credentials.proof.multibase import MultibaseError, multibase_decode, multibase_encode
from lti_tool.credentials.proof.resolver import KeyResolutionError, KeyResolver

CREATED_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
ED25519_SIGNATURE_BYTES = 64


class ProofType(StrEnum):
    """Proof types we produce or accept."""

    DATA_INTEGRITY = "DataIntegrityProof"
    ED25519_2020 = "Ed25519Signature2020"


class Cryptosuite(StrEnum):
    """Data Integrity cryptosuites we accept."""

    EDDSA_RDFC_2022 = "eddsa-rdfc-2022"


class ProofPurpose(StrEnum):
    """Proof purposes: a credential's proof asserts; a holder's DIDAuth presentation authenticates."""

    ASSERTION_METHOD = "assertionMethod"
    AUTHENTICATION = "authentication"


@dataclass(frozen=True)
class Check:
    """One named verification step and its outcome."""

    name: str
    ok: bool
    detail: str = ""


@dataclass
class VerificationResult:
    """All checks of one verification; ``ok`` only when every check passed."""

    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there is at least one check and none failed."""
        return bool(self.checks) and all(check.ok for check in self.checks)

    def add(self, name: str, ok: bool, detail: str = "") -> bool:
        """Record a check and return its outcome."""
        self.checks.append(Check(name, ok, detail))
        return ok

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"ok": self.ok, "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks]}


def format_created(moment: dt.datetime) -> str:
    """``created`` as signed: UTC, whole seconds, ``Z`` (the string is signed as written)."""
    if moment.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime(CREATED_FORMAT)


def _hash_data(
    unsecured: Mapping[str, Any], proof_options: Mapping[str, Any], loader: OfflineDocumentLoader | None
) -> bytes:
    proof_hash = hashlib.sha256(canonicalize_safe(proof_options, loader).encode()).digest()
    doc_hash = hashlib.sha256(canonicalize_safe(unsecured, loader).encode()).digest()
    return proof_hash + doc_hash


def sign(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: dt.datetime,
    *,
    loader: OfflineDocumentLoader | None = None,
    hash_data: Callable[[Mapping[str, Any], Mapping[str, Any], OfflineDocumentLoader | None], bytes] | None = None,
) -> dict[str, Any]:
    """Return a copy of ``document`` with an eddsa-rdfc-2022 proof appended to its ``proof`` array.

    ``hash_data`` replaces the canonicalise-and-hash step (fast_proof passes its own for our credentials).
    """
    signed = copy.deepcopy(dict(document))
    existing = signed.pop("proof", [])
    proof: dict[str, Any] = {
        "type": ProofType.DATA_INTEGRITY.value,
        "created": format_created(created),
        "verificationMethod": verification_method,
        "cryptosuite": Cryptosuite.EDDSA_RDFC_2022.value,
        "proofPurpose": ProofPurpose.ASSERTION_METHOD.value,
    }
    options = {"@context": signed["@context"], **proof}
    proof["proofValue"] = multibase_encode(private_key.sign((hash_data or _hash_data)(signed, options, loader)))
    # The OB 3.0 JSON Schema accepts only an array here (VC DM 2.0 allows an object too).
    signed["proof"] = [*(existing if isinstance(existing, list) else [existing]), proof]
    return signed


def issuer_id(document: Mapping[str, Any]) -> str | None:
    """The issuer's id whether ``issuer`` is a string or a Profile object."""
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        value = issuer.get("id")
        return value if isinstance(value, str) else None
    return issuer if isinstance(issuer, str) else None


def verify(
    document: Mapping[str, Any], resolve_key: KeyResolver, *, loader: OfflineDocumentLoader | None = None
) -> VerificationResult:
    """Verify every proof on ``document``; each step is reported as a named check."""
    result = VerificationResult()
    proofs = document.get("proof")
    proof_list = proofs if isinstance(proofs, list) else ([proofs] if proofs else [])
    if not result.add("proof_present", bool(proof_list), f"{len(proof_list)} proof(s)"):
        return result
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    for index, proof in enumerate(proof_list):
        _verify_one(
            unsecured,
            proof,
            f"proof[{index}]." if len(proof_list) > 1 else "",
            issuer_id(document),
            resolve_key,
            loader,
            result,
        )
    return result


def _verify_one(
    unsecured: Mapping[str, Any],
    proof: Any,
    prefix: str,
    issuer: str | None,
    resolve_key: KeyResolver,
    loader: OfflineDocumentLoader | None,
    result: VerificationResult,
    purpose: ProofPurpose = ProofPurpose.ASSERTION_METHOD,
) -> None:
    if not isinstance(proof, Mapping):
        result.add(prefix + "proof_type", False, "proof is not an object")
        return
    kind, suite = proof.get("type"), proof.get("cryptosuite")
    supported = (kind == ProofType.DATA_INTEGRITY and suite == Cryptosuite.EDDSA_RDFC_2022) or (
        kind == ProofType.ED25519_2020 and suite is None
    )
    key = check_proof_metadata(proof, prefix, issuer, resolve_key, result, supported=supported, purpose=purpose)
    if key is None:
        return
    # Everything that can fail cheaply fails before canonicalisation, the one costly step (issue 11, H1).
    if not all(check.ok for check in result.checks if check.name.startswith(prefix)):
        result.add(prefix + "signature", False, "not checked: an earlier check of this proof failed")
        return
    try:
        signature = multibase_decode(str(proof.get("proofValue", "")))
    except MultibaseError as exc:
        result.add(prefix + "signature", False, f"proofValue is not multibase ({exc})")
        return
    if len(signature) != ED25519_SIGNATURE_BYTES:
        result.add(prefix + "signature", False, f"proofValue holds {len(signature)} bytes, an Ed25519 signature 64")
        return
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in options and options["@context"] != unsecured.get("@context"):
        result.add(prefix + "signature", False, "proof @context differs from the document @context")
        return
    options["@context"] = unsecured.get("@context")
    try:
        data = _hash_data(unsecured, options, loader)
    except UnsafeDocumentError as exc:
        result.add(prefix + "safe_mode", False, "; ".join(exc.problems))
        return
    except CanonicalizationBudgetError as exc:
        result.add(prefix + "work_budget", False, f"refused before signature check: {exc}")
        return
    except CanonicalizationError as exc:
        result.add(prefix + "canonicalization", False, str(exc))
        return
    result.add(prefix + "safe_mode", True, "no term or IRI dropped by JSON-LD processing")
    try:
        key.verify(signature, data)
        result.add(prefix + "signature", True, "Ed25519 signature valid")
    except InvalidSignature as exc:
        result.add(prefix + "signature", False, f"signature invalid ({type(exc).__name__})")


def check_proof_metadata(proof: Mapping[str, Any], prefix: str, issuer: str | None, resolve_key: KeyResolver,
                         result: VerificationResult, *, supported: bool,
                         purpose: ProofPurpose = ProofPurpose.ASSERTION_METHOD) -> Ed25519PublicKey | None:
    """The checks of a proof before its signature: type, purpose, created, key, issuer binding.

    Returns the Ed25519 key to check the signature with, or None when a check already failed for good.
    """
    kind, suite = proof.get("type"), proof.get("cryptosuite")
    if not result.add(prefix + "proof_type", supported, f"{kind} / {suite}"):
        return None
    stated = proof.get("proofPurpose")
    result.add(prefix + "proof_purpose", stated == purpose, str(stated))
    created = proof.get("created")
    try:
        dt.datetime.fromisoformat(str(created).replace("Z", "+00:00"))
        result.add(prefix + "created", True, str(created))
    except ValueError:
        result.add(prefix + "created", False, f"not a date-time: {created!r}")
    method = proof.get("verificationMethod")
    try:
        if not isinstance(method, str):
            raise KeyResolutionError("verificationMethod is missing or not a URL")
        resolved = resolve_key(method)
    except KeyResolutionError as exc:
        result.add(prefix + "verification_method", False, str(exc))
        return None
    result.add(prefix + "verification_method", True, resolved.id)
    result.add(
        prefix + "issuer_binding",
        resolved.controller == issuer,
        f"key controller {resolved.controller} vs issuer {issuer}",
    )
    if not isinstance(resolved.key, Ed25519PublicKey):
        result.add(prefix + "signature", False, "the verification method is not an Ed25519 key")
        return None
    return resolved.key


def verify_authentication(presentation: Mapping[str, Any], resolve_key: KeyResolver, *, challenge: str,
                          domain: str | None = None, loader: OfflineDocumentLoader | None = None) -> VerificationResult:
    """Verify a DIDAuth presentation: one proof, purpose authentication, our challenge, by the holder's own key.

    Used by the VC-API exchange (the Learner Credential Wallet signs with Ed25519Signature2020 or eddsa-rdfc-2022).
    """
    result = VerificationResult()
    holder = presentation.get("holder")
    holder_id = holder.get("id") if isinstance(holder, Mapping) else holder
    if not result.add("holder", isinstance(holder_id, str) and bool(holder_id), f"holder {holder_id!r}"):
        return result
    proofs = presentation.get("proof")
    proof_list = proofs if isinstance(proofs, list) else ([proofs] if proofs else [])
    if not result.add("proof_present", len(proof_list) == 1, f"{len(proof_list)} proof(s); one is expected"):
        return result
    proof = proof_list[0]
    if not isinstance(proof, Mapping):
        result.add("proof_type", False, "proof is not an object")
        return result
    if not result.add("challenge", proof.get("challenge") == challenge, "the proof signs the exchange's challenge"):
        return result
    if domain is not None and not result.add("domain", proof.get("domain") in (None, domain), str(proof.get("domain"))):
        return result
    unsecured = {k: v for k, v in presentation.items() if k != "proof"}
    _verify_one(unsecured, proof, "", holder_id, resolve_key, loader, result, ProofPurpose.AUTHENTICATION)
    return result
