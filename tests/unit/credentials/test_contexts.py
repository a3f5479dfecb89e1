"""Offline, hash-pinned JSON-LD document loader."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from lti_tool.credentials.proof.canonical import CanonicalizationError, canonicalize_safe
from lti_tool.credentials.proof.contexts import (
    CONTEXTS_DIR,
    ContextIntegrityError,
    ContextUrl,
    OfflineDocumentLoader,
    UnknownContextError,
    read_manifest,
)

from .conftest import OB_SPEC


def test_every_manifest_hash_matches_its_file() -> None:
    for entry in read_manifest().values():
        assert hashlib.sha256((CONTEXTS_DIR / entry.file).read_bytes()).hexdigest() == entry.sha256


def test_shipped_copies_are_byte_identical_to_spec() -> None:
    spec_files = {p.name: p for p in (OB_SPEC / "context").rglob("*") if p.is_file()}
    for entry in read_manifest().values():
        if entry.url == ContextUrl.MASTERY_V1:
            continue
        assert (CONTEXTS_DIR / entry.file).read_bytes() == spec_files[entry.file].read_bytes(), entry.file


def test_every_emitted_context_url_is_shipped() -> None:
    loader = OfflineDocumentLoader()
    for url in ContextUrl:
        assert "@context" in loader.document(url.value)


def test_ob_context_is_the_pinned_3_0_3() -> None:
    entry = read_manifest()[ContextUrl.OB_303.value]
    assert entry.sha256 == "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761"


def test_unknown_url_is_a_clear_error_and_never_fetched() -> None:
    loader = OfflineDocumentLoader()
    with pytest.raises(UnknownContextError, match="not shipped"):
        loader("https://example.org/evil-context.jsonld", {})
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://example.org/evil-context.jsonld"],
        "type": ["VerifiableCredential"],
    }
    with pytest.raises(CanonicalizationError, match="evil-context.jsonld"):
        canonicalize_safe(document, loader)


def test_a_modified_context_file_is_refused(tmp_path: Path) -> None:
    directory = tmp_path / "contexts"
    shutil.copytree(CONTEXTS_DIR, directory)
    edited = json.loads((directory / "context-3.0.3.json").read_text())
    edited["@context"]["jti"] = "https://example.org/jti"  # what the 1EdTech validator's edited copy does
    (directory / "context-3.0.3.json").write_text(json.dumps(edited))
    loader = OfflineDocumentLoader(directory)
    with pytest.raises(ContextIntegrityError, match="manifest pins"):
        loader.document(ContextUrl.OB_303.value)


def test_loader_answers_pyld_shape_and_caches() -> None:
    loader = OfflineDocumentLoader()
    first = loader(ContextUrl.CREDENTIALS_V2.value, {})
    assert first["documentUrl"] == ContextUrl.CREDENTIALS_V2.value
    assert first["tag"] == "static"
    assert loader(ContextUrl.CREDENTIALS_V2.value, {})["document"] is first["document"]
    assert loader.raw_bytes(ContextUrl.MASTERY_V1.value) == (CONTEXTS_DIR / "mastery-v1.jsonld").read_bytes()
