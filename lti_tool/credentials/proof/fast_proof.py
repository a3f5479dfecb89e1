"""eddsa-rdfc-2022 sign and verify over fast_nquads for our own credential shape, pyld for anything else.

Same recipe and the same named checks as dataintegrity.py; only the canonicaliser differs. A document
or proof that is not exactly our shape is handed to dataintegrity (pyld, with its safe-mode check), so
another issuer's credential is always verified by pyld.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lti_tool.credentials.proof import dataintegrity
from lti_tool.credentials.proof.contexts import OfflineDocumentLoader
from lti_tool.credentials.proof.dataintegrity import Cryptosuite, ProofType, VerificationResult
from lti_tool.credentials.proof.fast_nquads import NotOurShape, canonical_nquads, canonicalize_any
from lti_tool.credentials.proof.multibase import MultibaseError, multibase_decode
from lti_tool.credentials.proof.resolver import KeyResolver

__all__ = ["sign_fast", "verify_fast"]


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def sign_fast(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: dt.datetime,
    *,
    loader: OfflineDocumentLoader | None = None,
) -> dict[str, Any]:
    """Like dataintegrity.sign (same bytes out), canonicalising our own shape without JSON-LD expansion."""
    return dataintegrity.sign(document, private_key, verification_method, created, loader=loader,
                              hash_data=_fast_hash_data)


def _fast_hash_data(unsecured: Mapping[str, Any], options: Mapping[str, Any],
                    loader: OfflineDocumentLoader | None) -> bytes:
    return _digest(canonicalize_any(options, loader)) + _digest(canonicalize_any(unsecured, loader))


def _fast_inputs(document: Mapping[str, Any]) -> list[tuple[Mapping[str, Any], bytes]] | None:
    """Each proof with its hash data when the document and all proofs are our shape, else None."""
    proofs = document.get("proof")
    if not isinstance(proofs, list) or not proofs:
        return None
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    try:
        doc_hash = _digest(canonical_nquads(unsecured))
        inputs = []
        for proof in proofs:
            if not isinstance(proof, Mapping) or proof.get("cryptosuite") != Cryptosuite.EDDSA_RDFC_2022:
                return None
            if "@context" in proof and proof["@context"] != unsecured.get("@context"):
                return None
            options = {k: v for k, v in proof.items() if k != "proofValue"}
            options["@context"] = unsecured.get("@context")
            inputs.append((proof, _digest(canonical_nquads(options)) + doc_hash))
    except NotOurShape:
        return None
    return inputs


def verify_fast(
    document: Mapping[str, Any], resolve_key: KeyResolver, *, loader: OfflineDocumentLoader | None = None
) -> VerificationResult:
    """Like dataintegrity.verify (same checks), without JSON-LD expansion when everything is our shape."""
    inputs = _fast_inputs(document)
    if inputs is None:
        return dataintegrity.verify(document, resolve_key, loader=loader)
    result = VerificationResult()
    result.add("proof_present", True, f"{len(inputs)} proof(s)")
    issuer = dataintegrity.issuer_id(document)
    for index, (proof, data) in enumerate(inputs):
        _check(proof, data, f"proof[{index}]." if len(inputs) > 1 else "", issuer, resolve_key, result)
    return result


def _check(
    proof: Mapping[str, Any],
    data: bytes,
    prefix: str,
    issuer: str | None,
    resolve_key: KeyResolver,
    result: VerificationResult,
) -> None:
    key = dataintegrity.check_proof_metadata(proof, prefix, issuer, resolve_key, result,
                                             supported=proof.get("type") == ProofType.DATA_INTEGRITY)
    if key is None:
        return
    # Every key matched a term of the pinned contexts, so JSON-LD processing would drop nothing.
    result.add(prefix + "safe_mode", True, "no term or IRI dropped by JSON-LD processing")
    try:
        key.verify(multibase_decode(str(proof.get("proofValue", ""))), data)
        result.add(prefix + "signature", True, "Ed25519 signature valid")
    except (MultibaseError, InvalidSignature) as exc:
        result.add(prefix + "signature", False, f"signature invalid ({type(exc).__name__})")
