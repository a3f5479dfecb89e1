"""Canonical N-Quads (RDFC-1.0 / URDNA2015) of the MASTERY credential shape, without JSON-LD expansion.

pyld spends almost all of a sign or verify in JSON-LD expansion (DESIGN.md §6). Our own credentials have
one fixed shape (builder.py), so their RDF is known term by term: ``shapes.py`` lists, for each object
position, the JSON keys it may hold, their predicate IRIs and their literal datatypes, copied from what
pyld 3.3 produces with the pinned contexts. This module walks a document against those shapes, emits its
triples and labels the blank nodes with RDFC-1.0's first-degree hashes. Anything that does not fit the
shape exactly (an unknown key, another ``@context``, a relative IRI, a null, a non-finite number …)
raises NotOurShape, and the caller falls back to pyld, which also runs the JSON-LD safe-mode check.
When two blank nodes share a first-degree hash the N-degree step is needed: pyld's own URDNA2015 then
labels the triples we emitted (still without expansion).
tests/unit/credentials/test_fast_nquads.py proves the output byte-identical to pyld on varied credentials.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pyld.canon import URDNA2015

from lti_tool.credentials.proof.canonical import canonicalize_safe
from lti_tool.credentials.proof.contexts import OfflineDocumentLoader
from lti_tool.credentials.proof.shapes import (
    CREDENTIAL_SHAPE,
    PROOF_OPTIONS_SHAPE,
    RDF_TYPE,
    SHAPES,
    Prop,
    Shape,
    ValueKind,
)

__all__ = ["NotOurShape", "canonical_nquads", "canonicalize_any", "is_our_shape"]

Quad = tuple[str, str, str]

# Only schemes that can never be read as a JSON-LD compact IRI ("http(s)://…") or whose prefix no
# pinned context defines as a term (urn, did); anything else goes to pyld.
_ABSOLUTE_IRI = re.compile(r"^(?:https?://|urn:|did:)[^\s<>\"{}|\\^`]*$")
# pyld 3.3 nquads.escape: exactly these five characters (other control characters pass through raw).
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", '"': '\\"'})
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r", '"': '"'}
_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class NotOurShape(ValueError):
    """The document is not exactly the MASTERY credential shape: canonicalise it with pyld instead."""


def _iri(value: Any) -> str:
    if not isinstance(value, str) or not _ABSOLUTE_IRI.match(value):
        raise NotOurShape(f"not an absolute IRI we emit: {value!r}")
    return f"<{value}>"


def _number(value: Any) -> str:
    # pyld 3.3 _object_to_rdf: integral values (1, 1.0) print as integers, others as canonical doubles.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise NotOurShape(f"not a finite number: {value!r}")
    if float(value).is_integer():
        if abs(value) >= 1e21:
            raise NotOurShape("numbers from 1e21 up are printed as doubles: left to pyld")
        return str(int(value))
    return re.sub(r"(\d)0*E\+?(-)?0*(\d)", r"\1E\2\3", f"{value:1.15E}")


class _Emitter:
    """Collects the triples of one document walk; blank nodes get provisional labels ``_:bN``."""

    def __init__(self) -> None:
        self.quads: set[Quad] = set()
        self._next = 0

    def node(self, obj: Any, shape: Shape) -> str:
        if not isinstance(obj, Mapping):
            raise NotOurShape(f"{shape.name}: expected an object")
        if "id" in obj:
            subject = _iri(obj["id"])
        elif shape.needs_id:
            raise NotOurShape(f"{shape.name}: missing id")
        else:
            subject = f"_:b{self._next}"
            self._next += 1
        for key, value in obj.items():
            if key == "id" or (key == "@context" and shape.root):
                continue
            if key == "type":
                for kind in _values(value):
                    iri = shape.types.get(kind) if isinstance(kind, str) else None
                    if iri is None:
                        raise NotOurShape(f"{shape.name}: type {kind!r} is not ours")
                    self.quads.add((subject, RDF_TYPE, iri))
                continue
            prop = shape.props.get(key)
            if prop is None:
                raise NotOurShape(f"{shape.name}: key {key!r} is not ours")
            for item in _values(value):
                self.quads.add((subject, prop.iri, self.value(item, prop)))
        return subject

    def value(self, item: Any, prop: Prop) -> str:
        kind = prop.kind
        if kind is ValueKind.NODE:
            return self.node(item, SHAPES[prop.shape])
        if kind is ValueKind.IRI:
            return _iri(item)
        if kind is ValueKind.VOCAB:
            if not isinstance(item, str) or item not in prop.vocab:
                raise NotOurShape(f"{item!r} is not a known vocabulary term")
            return prop.vocab[item]
        if kind is ValueKind.BOOLEAN:
            if not isinstance(item, bool):
                raise NotOurShape(f"not a boolean: {item!r}")
            text = "true" if item else "false"
        elif kind is ValueKind.NUMBER:
            text = _number(item)
        else:
            if not isinstance(item, str):
                raise NotOurShape(f"not a string: {item!r}")
            text = item.translate(_ESCAPES)
        return f'"{text}"^^{prop.datatype}' if prop.datatype else f'"{text}"'


def _values(value: Any) -> Sequence[Any]:
    if value is None:
        raise NotOurShape("null values are dropped by JSON-LD: left to pyld")
    return value if isinstance(value, list) else (value,)


def _term(text: str) -> dict[str, str]:
    """pyld's dataset form of one of our N-Quads terms."""
    if text[0] == "<":
        return {"type": "IRI", "value": text[1:-1]}
    if text[0] == "_":
        return {"type": "blank node", "value": text}
    end = text.rindex('"')  # a datatype IRI never holds a quote: the last one closes the literal
    value = _UNESCAPE.sub(lambda m: _UNESCAPES[m.group(1)], text[1:end])
    return {"type": "literal", "value": value, "datatype": text[end + 4 : -1] if end + 1 < len(text) else XSD_STRING}


def _first_degree_hash(bnode: str, quads: list[Quad]) -> str:
    # RDFC-1.0 §4.6: the node's quads with itself as _:a and every other blank node as _:z.
    lines = sorted(
        f"{'_:a' if s == bnode else ('_:z' if s[0] == '_' else s)} {p} "
        f"{'_:a' if o == bnode else ('_:z' if o[0] == '_' else o)} .\n"
        for s, p, o in quads
    )
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def _label(quads: set[Quad]) -> str:
    """RDFC-1.0 canonical N-Quads of the emitted triples."""
    mentions: dict[str, list[Quad]] = {}
    for quad in quads:
        s, _, o = quad
        if s[0] == "_":
            mentions.setdefault(s, []).append(quad)
        if o[0] == "_":
            mentions.setdefault(o, []).append(quad)
    by_hash = {_first_degree_hash(bnode, used): bnode for bnode, used in mentions.items()}
    if len(by_hash) < len(mentions):
        # Two blank nodes look alike at first degree (e.g. the same skill aligned twice): the N-degree
        # step decides, and pyld's URDNA2015 implements it; it reads our triples, no JSON-LD involved.
        dataset = {"@default": [{"subject": _term(s), "predicate": _term(p), "object": _term(o)} for s, p, o in quads]}
        return str(URDNA2015().main(dataset, {"format": "application/n-quads"}))
    canonical = {bnode: f"_:c14n{i}" for i, (_, bnode) in enumerate(sorted(by_hash.items()))}
    lines = sorted(f"{canonical.get(s, s)} {p} {canonical.get(o, o) if o[0] == '_' else o} .\n" for s, p, o in quads)
    return "".join(lines)


def canonical_nquads(document: Mapping[str, Any]) -> str:
    """Canonical N-Quads of a MASTERY credential or of its proof options; NotOurShape if it is neither."""
    context = document.get("@context")
    shape = PROOF_OPTIONS_SHAPE if document.get("type") == "DataIntegrityProof" else CREDENTIAL_SHAPE
    if context != shape.context:
        raise NotOurShape(f"@context {context!r} is not the pinned MASTERY context list")
    emitter = _Emitter()
    emitter.node(document, shape)
    return _label(emitter.quads)


def is_our_shape(document: Mapping[str, Any]) -> bool:
    """True when ``canonical_nquads`` can canonicalise ``document`` without pyld."""
    try:
        canonical_nquads(document)
    except NotOurShape:
        return False
    return True


def canonicalize_any(document: Mapping[str, Any], loader: OfflineDocumentLoader | None = None) -> str:
    """The fast path for our own shape; pyld with the safe-mode check for anything else."""
    try:
        return canonical_nquads(document)
    except NotOurShape:
        return canonicalize_safe(document, loader)
