"""Validate an ELM export against the EDC SHACL shapes with pyshacl, offline (no context is ever fetched).

pyshacl and rdflib are imported on first use only: the tool itself never needs them at run time.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyld import jsonld

from lti_tool.credentials.proof.contexts import CONTEXTS_DIR, OfflineDocumentLoader

ELM_CONTEXTS_DIR = CONTEXTS_DIR / "elm"


@dataclass(frozen=True)
class ShaclReport:
    """pyshacl's verdict and its text report."""

    conforms: bool
    text: str


@functools.cache
def elm_loader() -> OfflineDocumentLoader:
    """Offline loader over the pinned ELM contexts (VC 1.1 + EDC application profile), built on first use."""
    return OfflineDocumentLoader(directory=ELM_CONTEXTS_DIR)


@functools.cache
def _shapes(path: Path) -> Any:
    import rdflib

    return rdflib.Graph().parse(path, format="turtle")


def to_graph(document: Mapping[str, Any]) -> Any:
    """The RDF graph of a JSON-LD document, expanded by pyld with the offline ELM loader."""
    import rdflib

    options = {**elm_loader().pyld_options(), "format": "application/n-quads"}
    graph = rdflib.Graph()
    graph.parse(data=str(jsonld.to_rdf(dict(document), options)), format="nt")
    return graph


def validate_elm(document: Mapping[str, Any], shapes_path: Path) -> ShaclReport:
    """Validate ``document`` against the SHACL shapes in ``shapes_path`` (e.g. EDC-generic-no-cv.ttl)."""
    import pyshacl

    conforms, _, text = pyshacl.validate(to_graph(document), shacl_graph=_shapes(shapes_path), inference="none")
    return ShaclReport(bool(conforms), str(text))
