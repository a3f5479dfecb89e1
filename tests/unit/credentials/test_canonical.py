"""URDNA2015 canonicalisation and the JSON-LD safe-mode check."""

from __future__ import annotations

import copy
import hashlib

import pytest
from pyld import jsonld

from lti_tool.credentials.proof.canonical import UnsafeDocumentError, canonicalize_safe, expand_strict
from lti_tool.credentials.proof.contexts import default_loader

from .conftest import load_example, pyld_nquads

VECTOR = "impl-guide.signed-eddsa-rdfc-2022.1edtech-testvector.json"


def test_1edtech_vector_canonical_form_is_reproduced() -> None:
    # The README of spec/openbadges-3.0 records the hashes of the official canonical forms.
    document = load_example(VECTOR)
    proof = document.pop("proof")
    options = {k: v for k, v in proof.items() if k != "proofValue"} | {"@context": document["@context"]}
    assert hashlib.sha256(canonicalize_safe(document).encode()).hexdigest().startswith("87f65a76")
    assert hashlib.sha256(canonicalize_safe(options).encode()).hexdigest().startswith("d34009ce")


def test_urdna2015_is_used_not_pyld_default() -> None:
    document = load_example("complete-openbadgecredential.unsigned.json")
    ours = canonicalize_safe(document)
    pyld_default = jsonld.normalize(document, {"format": "application/n-quads", **default_loader().pyld_options()})
    urdna = jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads", **default_loader().pyld_options()}
    )
    assert ours == urdna
    assert ours != pyld_default  # pyld 3.3 defaults to URGNA2012, which labels blank nodes differently


def test_safe_canonicalisation_equals_plain_for_a_clean_document() -> None:
    document = load_example("complete-openbadgecredential.unsigned.json")
    assert canonicalize_safe(document) == pyld_nquads(document)


def test_undefined_term_is_named() -> None:
    document = load_example(VECTOR)
    document["credentialSubject"]["achievement"]["favouriteColour"] = "green"
    with pytest.raises(UnsafeDocumentError, match="favouriteColour"):
        expand_strict(document)
    # Without the check pyld drops it silently: the canonical form does not change.
    assert pyld_nquads(document) == pyld_nquads(load_example(VECTOR))


def test_undefined_type_and_relative_iri_are_named() -> None:
    document = load_example(VECTOR)
    typed = copy.deepcopy(document)
    typed["type"].append("SuperBadge")
    with pytest.raises(UnsafeDocumentError, match="SuperBadge"):
        expand_strict(typed)
    relative = copy.deepcopy(document)
    relative["credentialSubject"]["id"] = "learner-7"
    with pytest.raises(UnsafeDocumentError, match="learner-7"):
        expand_strict(relative)


def test_canonicalize_safe_names_undefined_terms_and_relative_iris() -> None:
    document = load_example(VECTOR)
    document.pop("proof")
    document["credentialSubject"]["achievement"]["favouriteColour"] = "green"
    document["credentialSubject"]["id"] = "learner-7"
    document["type"].append("SuperBadge")
    with pytest.raises(UnsafeDocumentError) as caught:
        canonicalize_safe(document)
    text = str(caught.value)
    assert "favouriteColour" in text and "learner-7" in text and "SuperBadge" in text


def test_canonicalize_safe_names_iris_pyld_would_silently_skip() -> None:
    """An @id-typed value with a space is left out of pyld's RDF without a word: safe mode must say so."""
    document = load_example(VECTOR)
    document.pop("proof")
    clean = canonicalize_safe(document)
    document["credentialSubject"]["id"] = "did:example:ebfeb1f7 12ec 11e2"
    assert "did:example:ebfeb1f7 12ec 11e2" not in pyld_nquads(document)  # pyld drops it silently
    with pytest.raises(UnsafeDocumentError, match="not a valid IRI"):
        canonicalize_safe(document)
    assert clean  # the untouched document still canonicalises
