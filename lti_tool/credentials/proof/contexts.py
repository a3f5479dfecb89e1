"""Offline JSON-LD document loader over the context files shipped in ``jsonld_documents/``.

Every context URL the tool processes maps to a file listed in ``jsonld_documents/manifest.json`` with a pinned
sha256; a file whose hash differs, or a URL not in the manifest, is an error. Nothing is ever fetched:
a credential naming an unknown context cannot be canonicalised, so it cannot be signed or verified.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from pyld import ContextResolver

CONTEXTS_DIR = Path(__file__).resolve().parent / "jsonld_documents"
MANIFEST_FILE = "manifest.json"


class ContextUrl(StrEnum):
    """Context URLs the tool emits (and must resolve offline)."""

    CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
    CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"
    OB_303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
    DID_V1 = "https://www.w3.org/ns/did/v1"
    BITSTRING_STATUS_V1 = "https://www.w3.org/ns/credentials/status/v1"
    # The extension context of credentials issued before issue 14. Nobody registered it at w3id.org, so no
    # independent verifier can load it; the tool keeps resolving it (offline) for its own verifier only.
    MASTERY_V1 = "https://w3id.org/mastery/contexts/v1.jsonld"


ELM = "http://data.europa.eu/snb/model/elm/"
MASTERY_VOCAB = "https://w3id.org/mastery/vocab#"

# The terms for the Annex I elements OB 3.0 has no field for, embedded in every credential's @context (the
# third entry after credentials-v2 and OB 3.0.3). Embedded, because a verifier that ships only the standard
# contexts and fetches nothing (the Learner Credential Wallet, VerifierPlus) still understands it: see
# docs/credentials.md for the measured comparison with an issuer-hosted context and the @vocab fallback.
# ELM v3's own properties where one means the same; the rest are identifiers in the MASTERY vocabulary
# (property IRIs are never dereferenced by verifiers).
MASTERY_INLINE_CONTEXT: dict[str, Any] = {
    "@version": 1.1,
    "@protected": True,
    "volumeOfLearning": {"@id": ELM + "volumeOfLearning", "@type": "http://www.w3.org/2001/XMLSchema#duration"},
    "participationMode": {"@id": ELM + "mode", "@type": "@id"},
    "prefLabel": {"@id": "http://www.w3.org/2004/02/skos/core#prefLabel"},
    "creditFramework": {"@id": MASTERY_VOCAB + "creditFramework", "@type": "@id"},
    "assessmentType": {"@id": MASTERY_VOCAB + "assessmentType"},
    "qualityAssuranceType": {"@id": MASTERY_VOCAB + "qualityAssuranceType"},
    "qualityAssuranceBody": {"@id": MASTERY_VOCAB + "qualityAssuranceBody", "@type": "@id"},
}
# The @context of every credential the tool issues now (the JSON Schema checks the order).
CREDENTIAL_CONTEXT: list[Any] = [ContextUrl.CREDENTIALS_V2.value, ContextUrl.OB_303.value, MASTERY_INLINE_CONTEXT]


class UnknownContextError(LookupError):
    """A JSON-LD document named a context URL the tool does not ship."""


class ContextIntegrityError(ValueError):
    """A shipped context file does not match the sha256 pinned in the manifest."""


@dataclass(frozen=True)
class ContextEntry:
    """One manifest row: which file answers a URL and the hash it must have."""

    url: str
    file: str
    sha256: str


def read_manifest(directory: Path = CONTEXTS_DIR) -> dict[str, ContextEntry]:
    """Read ``manifest.json`` into URL → entry."""
    raw = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
    return {row["url"]: ContextEntry(row["url"], row["file"], row["sha256"]) for row in raw["contexts"]}


@dataclass
class OfflineDocumentLoader:
    """A pyld document loader that answers only pinned local files (callable as ``loader(url, options)``)."""

    directory: Path = CONTEXTS_DIR
    _manifest: dict[str, ContextEntry] = field(init=False)
    _parsed: dict[str, Any] = field(init=False, default_factory=dict)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    # pyld keeps resolved contexts in a process-wide cache keyed by URL where "first content wins".
    # We give pyld a cache private to this loader instead, so no other pyld user in the process can
    # poison what we canonicalise with, and ours holds only hash-checked content.
    # Bounded: inline contexts of untrusted documents are cached too (keyed by their JSON).
    _resolved_cache: LRUCache[str, Any] = field(init=False, default_factory=lambda: LRUCache(maxsize=256))

    def __post_init__(self) -> None:
        self._manifest = read_manifest(self.directory)

    @property
    def urls(self) -> frozenset[str]:
        """Every context URL this loader can answer."""
        return frozenset(self._manifest)

    def document(self, url: str) -> Any:
        """The parsed, hash-checked document for ``url`` (cached after the first read)."""
        cached = self._parsed.get(url)
        if cached is not None:
            return cached
        entry = self._manifest.get(url)
        if entry is None:
            raise UnknownContextError(
                f"JSON-LD context {url!r} is not shipped with the tool (never fetched from the network); "
                f"known contexts: {', '.join(sorted(self._manifest))}"
            )
        raw = (self.directory / entry.file).read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != entry.sha256:
            raise ContextIntegrityError(
                f"context file {entry.file} for {url} has sha256 {digest}, manifest pins {entry.sha256}"
            )
        parsed = json.loads(raw)
        with self._lock:
            self._parsed.setdefault(url, parsed)
        return self._parsed[url]

    def raw_bytes(self, url: str) -> bytes:
        """The exact bytes of a shipped context (what the tool serves for its own context URL)."""
        self.document(url)
        return (self.directory / self._manifest[url].file).read_bytes()

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """pyld document-loader protocol."""
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": self.document(url),
            "contentType": "application/ld+json",
            # "static" lets pyld reuse the resolved context; safe because the cache is ours (see above).
            "tag": "static",
        }

    def pyld_options(self) -> dict[str, Any]:
        """Loader options for one pyld call (a fresh resolver over this loader's private cache)."""
        return {
            # pyld 3.3 resolves relative IRIs against "http://example.org/base/" when base is "" (its
            # default), so they would be signed as that; None keeps them relative (as jsonld.js's base: null),
            # where the safe-mode check sees them.
            "base": None,
            "documentLoader": self,
            "contextResolver": ContextResolver(self._resolved_cache, self),
        }


_default_loader: OfflineDocumentLoader | None = None
_default_lock = threading.Lock()


def default_loader() -> OfflineDocumentLoader:
    """The process-wide loader over the shipped contexts, built on first use (not at import)."""
    global _default_loader
    if _default_loader is None:
        with _default_lock:
            if _default_loader is None:
                _default_loader = OfflineDocumentLoader()
    return _default_loader
