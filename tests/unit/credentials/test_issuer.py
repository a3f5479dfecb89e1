"""Issuer identity: did:web only for a public HTTPS base URL; DID document and Profile shapes; key files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lti_tool.credentials.issuing.issuer import did_web, is_public_https, make_issuer
from lti_tool.credentials.issuing.keyring import KeyFileError, KeyRing
from lti_tool.credentials.proof.resolver import did_web_url


@pytest.mark.parametrize(
    ("url", "public"),
    [("https://mastery.example.org", True), ("https://tool.example.eu/mastery", True),
     ("http://mastery.example.org", False), ("https://127.0.0.1:5000", False), ("https://localhost", False),
     ("https://10.1.2.3", False), ("https://tool.local", False), ("https://intranet", False)],
)
def test_public_https(url: str, public: bool) -> None:
    assert is_public_https(url) is public


@pytest.mark.parametrize(
    ("url", "did"),
    [("https://mastery.example.org", "did:web:mastery.example.org"),
     ("https://mastery.example.org:8443/", "did:web:mastery.example.org%3A8443"),
     ("https://example.eu/tools/mastery", "did:web:example.eu:tools:mastery")],
)
def test_did_web_round_trips_to_its_document_url(url: str, did: str) -> None:
    assert did_web(url) == did
    expected = url.rstrip("/") + ("/.well-known" if did.count(":") == 2 else "") + "/did.json"
    assert did_web_url(did) == expected


def test_rotation_keeps_old_keys_listed(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path / "key.pem")
    first = ring.keys().current.multikey
    ring.rotate(dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
    keys = ring.keys()
    assert keys.current.multikey != first and [k.multikey for k in keys.retired] == [first]
    assert (tmp_path / "key.pem").stat().st_mode & 0o777 == 0o600
    web = make_issuer("https://mastery.example.org", keys, name="M", url="", country="IT")
    document = web.did_document()
    assert document["assertionMethod"] == [f"did:web:mastery.example.org#{k.multikey}" for k in keys.all]
    local = make_issuer("http://127.0.0.1:5000", keys, name="M", url="", country="IT")
    assert local.did == f"did:key:{keys.current.multikey}"
    assert local.key_for_issuer(f"did:key:{first}") == keys.retired[0]
    assert local.profile()["otherIdentifier"][0]["identifier"] == f"did:key:{first}"


def test_a_key_file_that_is_not_ed25519_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_text("not a key")
    with pytest.raises(KeyFileError):
        KeyRing(path).keys()
