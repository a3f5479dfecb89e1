"""RDF Dataset Canonicalization (URDNA2015 / RDFC-1.0) via pyld, with a "safe mode" check.

pyld has no safe mode: a property no context defines is silently left out of the RDF, so it would be
left out of the signed data too (a tampered undefined field would still verify). We expand first and
refuse any document whose expansion drops a term or leaves a relative IRI (which RDF conversion drops).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pyld import jsonld

from lti_tool.credentials.contexts import OfflineDocumentLoader, UnknownContextError, default_loader

# pyld 3.3's normalize defaults to URGNA2012 and rejects the name "RDFC-1.0"; URDNA2015 is RDFC-1.0.
_NORMALIZE = {"algorithm": "URDNA2015", "format": "application/n-quads"}
# RFC 2606 reserves ".invalid": no real IRI can live there, so any IRI under it was relative in the input.
_RELATIVE_MARKER = "https://relative-iri.invalid/"
_RELATIVE_IN_QUADS = re.compile(r"<https://relative-iri\.invalid/([^>]*)>")


class CanonicalizationError(ValueError):
    """The JSON-LD document could not be turned into canonical N-Quads."""


class UnsafeDocumentError(CanonicalizationError):
    """The document carries data that would not be signed (an undefined term or a relative IRI)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("JSON-LD safe mode: " + "; ".join(problems))


def expand_strict(document: Mapping[str, Any], loader: OfflineDocumentLoader | None = None) -> list[Any]:
    """Expand ``document`` offline; raise UnsafeDocumentError naming every dropped term."""
    loader = loader or default_loader()
    dropped: list[str] = []

    def on_dropped(term: str | None) -> None:
        dropped.append(str(term))

    try:
        expanded = jsonld.expand(dict(document), loader.pyld_options(), on_property_dropped=on_dropped)
    except jsonld.JsonLdError as exc:
        raise CanonicalizationError(f"JSON-LD expansion failed: {_root_message(exc)}") from exc
    problems = [f"term {name!r} is not defined by any @context and would be dropped" for name in dropped]
    problems += [
        f"{where} {iri!r} is not an absolute IRI and would be dropped" for where, iri in _relative_iris(expanded)
    ]
    if problems:
        raise UnsafeDocumentError(sorted(set(problems)))
    return expanded


def canonicalize(document: Mapping[str, Any] | list[Any], loader: OfflineDocumentLoader | None = None) -> str:
    """Canonical N-Quads (URDNA2015) of a JSON-LD document or of an already expanded one."""
    loader = loader or default_loader()
    options: dict[str, Any] = {**_NORMALIZE, **loader.pyld_options()}
    try:
        result = jsonld.normalize(document if isinstance(document, list) else dict(document), options)
    except jsonld.JsonLdError as exc:
        raise CanonicalizationError(f"canonicalisation failed: {_root_message(exc)}") from exc
    return str(result)


def canonicalize_safe(document: Mapping[str, Any], loader: OfflineDocumentLoader | None = None) -> str:
    """Canonical N-Quads (URDNA2015) after the safe-mode check, in a single JSON-LD expansion."""
    loader = loader or default_loader()
    dropped: list[str] = []
    # The processor-level hook sees every term the expansion inside normalize() drops; relative IRIs are
    # resolved against a reserved ".invalid" base so they show up in the N-Quads instead of vanishing.
    processor = _CapturingProcessor(on_property_dropped=lambda term: dropped.append(str(term)))
    options: dict[str, Any] = {**_NORMALIZE, **loader.pyld_options(), "base": _RELATIVE_MARKER}
    try:
        quads = str(processor.normalize(dict(document), options))
    except jsonld.JsonLdError as exc:
        raise CanonicalizationError(f"canonicalisation failed: {_root_message(exc)}") from exc
    problems = [f"term {name!r} is not defined by any @context and would be dropped" for name in dropped]
    problems += [
        f"IRI {iri!r} is relative and would be dropped" for iri in sorted(set(_RELATIVE_IN_QUADS.findall(quads)))
    ]
    # pyld's RDF conversion also skips, without a word, any statement whose IRI is not well formed (a space in
    # an @id-typed value): the expansion it made shows them.
    problems += [f"{where} {iri!r} is not a valid IRI and would be dropped"
                 for where, iri in _malformed_iris(processor.expanded)]
    if problems:
        raise UnsafeDocumentError(sorted(set(problems)))
    return quads


class _CapturingProcessor(jsonld.JsonLdProcessor):
    """pyld's processor, keeping the expansion that normalize() makes (no second expansion needed)."""

    expanded: Any = None

    def expand(self, input_: Any, options: Any) -> Any:
        self.expanded = super().expand(input_, options)
        return self.expanded


_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`]')


def _malformed_iris(node: Any, where: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(node, list):
        for item in node:
            found += _malformed_iris(item, where)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@id" and isinstance(value, str) and not value.startswith("_:") and _IRI_FORBIDDEN.search(value):
                found.append((f"@id under {where or 'the root'}", value))
            elif key == "@type" and "@value" not in node:
                for t in value if isinstance(value, list) else [value]:
                    if isinstance(t, str) and _IRI_FORBIDDEN.search(t):
                        found.append((f"type under {where or 'the root'}", t))
            elif key not in ("@value", "@language", "@direction"):
                found += _malformed_iris(value, key)
    return found


def _relative_iris(node: Any, where: str = "") -> list[tuple[str, str]]:
    # RDF conversion silently skips a relative @id/@type; in expanded form every one is visible.
    found: list[tuple[str, str]] = []
    if isinstance(node, list):
        for item in node:
            found += _relative_iris(item, where)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@id" and isinstance(value, str) and not _absolute(value):
                found.append((f"@id under {where or 'the root'}", value))
            elif key == "@type" and "@value" not in node:
                for t in value if isinstance(value, list) else [value]:
                    if isinstance(t, str) and not _absolute(t):
                        found.append((f"type under {where or 'the root'}", t))
            elif key not in ("@value", "@language", "@direction"):
                found += _relative_iris(value, key)
    return found


def _absolute(iri: str) -> bool:
    # Blank node identifiers are fine; anything else needs a scheme.
    return iri.startswith("_:") or (":" in iri and not iri.startswith(":"))


def _root_message(exc: BaseException) -> str:
    # pyld wraps the loader's error several levels deep; the innermost one is the useful sentence.
    seen: BaseException = exc
    while seen.__cause__ is not None:
        seen = seen.__cause__
    if isinstance(seen, UnknownContextError):
        return str(seen)
    return f"{exc} ({seen})" if seen is not exc else str(exc)
