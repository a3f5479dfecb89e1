"""RDF Dataset Canonicalization (URDNA2015 / RDFC-1.0) via pyld, with a "safe mode" check.

pyld has no safe mode: a property no context defines is silently left out of the RDF, so it would be
left out of the signed data too (a tampered undefined field would still verify). We expand first and
refuse any document whose expansion drops a term or leaves a relative IRI (which RDF conversion drops).

Canonicalisation of untrusted input runs under a work budget (RDFC-1.0 §4.4 and its "Dataset Poisoning"
security consideration: a dataset of blank nodes that all look alike makes Hash N-Degree Quads explode
factorially, so implementations must bound that work). See ``WorkBudget``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyld import jsonld
from pyld.canon import URDNA2015

from lti_tool.credentials.proof.contexts import OfflineDocumentLoader, UnknownContextError, default_loader

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


class CanonicalizationBudgetError(CanonicalizationError):
    """The document needs more canonicalisation work than the budget allows (a "poison" dataset)."""


@dataclass(frozen=True)
class WorkBudget:
    """How much canonicalisation work one document may cost.

    The blank-node limits are checked before the expensive step (Hash N-Degree Quads) starts; the deep
    iteration cap and the deadline stop it while it runs. ``work_factor`` = 1 allows as many deep iterations
    as there are blank nodes left undistinguished by first-degree hashing: digitalbazaar's rdf-canonize
    default (``maxWorkFactor``), so what we accept is what its verifiers accept. The complete OB 3.0 example
    credential needs 20 deep iterations for its 20 such nodes; our own credentials need none.
    """

    max_blank_nodes: int = 256
    max_undistinguished: int = 32
    work_factor: int = 1
    seconds: float = 2.0


DEFAULT_BUDGET = WorkBudget()


class _BudgetedURDNA2015(URDNA2015):
    """pyld's URDNA2015 with the work budget enforced (pyld 3.3 has no limit at all: N=8 → 62 s)."""

    def __init__(self, budget: WorkBudget) -> None:
        super().__init__()
        self._budget = budget
        self._deadline = time.monotonic() + budget.seconds
        self._remaining: int | None = None

    def main(self, dataset: Any, options: Any) -> Any:
        blank_nodes = {
            quad[position]["value"]
            for quads in dataset.values() for quad in quads for position in ("subject", "object")
            if quad[position]["type"] == "blank node"
        } | {name for name in dataset if name.startswith("_:")}
        if len(blank_nodes) > self._budget.max_blank_nodes:
            raise CanonicalizationBudgetError(
                f"{len(blank_nodes)} blank nodes; at most {self._budget.max_blank_nodes} are canonicalised"
            )
        return super().main(dataset, options)

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        if self._remaining is None:
            # First deep call: the map now holds exactly the blank nodes first-degree hashing could not tell
            # apart (RDFC-1.0 §4.4.3 step 5 leaves only those), before any of the factorial work has begun.
            undistinguished = sum(len(ids) for ids in self.hash_to_blank_nodes.values())
            if undistinguished > self._budget.max_undistinguished:
                raise CanonicalizationBudgetError(
                    f"{undistinguished} blank nodes look alike; at most {self._budget.max_undistinguished} "
                    "are compared in depth"
                )
            self._remaining = undistinguished ** self._budget.work_factor
        if self._remaining <= 0:
            raise CanonicalizationBudgetError("the blank nodes need more deep comparisons than the budget allows")
        if time.monotonic() > self._deadline:
            raise CanonicalizationBudgetError(f"canonicalisation took longer than {self._budget.seconds:g} s")
        self._remaining -= 1
        return super().hash_n_degree_quads(id_, issuer)


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


def canonicalize_safe(document: Mapping[str, Any], loader: OfflineDocumentLoader | None = None,
                      budget: WorkBudget = DEFAULT_BUDGET) -> str:
    """Canonical N-Quads (URDNA2015) after the safe-mode check, in a single JSON-LD expansion, within ``budget``."""
    loader = loader or default_loader()
    dropped: list[str] = []
    # The processor-level hook sees every term the expansion inside normalize() drops; relative IRIs are
    # resolved against a reserved ".invalid" base so they show up in the N-Quads instead of vanishing.
    processor = _CapturingProcessor(on_property_dropped=lambda term: dropped.append(str(term)))
    options: dict[str, Any] = {**_NORMALIZE, **loader.pyld_options(), "base": _RELATIVE_MARKER}
    try:
        # What JsonLdProcessor.normalize does, with our budgeted URDNA2015 in place of pyld's unbounded one.
        rdf_options = {key: value for key, value in options.items() if key != "format"}
        dataset = processor.to_rdf(dict(document), {**rdf_options, "produceGeneralizedRdf": False})
        quads = str(_BudgetedURDNA2015(budget).main(dataset, options))
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
