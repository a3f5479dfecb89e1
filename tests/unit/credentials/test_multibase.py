"""base58btc, Multikey and did:key."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.credentials.proof.multibase import (
    MultibaseError,
    b58decode,
    b58encode,
    did_key,
    did_key_verification_method,
    ed25519_from_did_key,
    ed25519_from_multikey,
    ed25519_multikey,
    multibase_decode,
    public_key_bytes,
)


@given(st.binary(max_size=128))
def test_base58_round_trip(data: bytes) -> None:
    assert b58decode(b58encode(data)) == data


@given(st.integers(min_value=0, max_value=8), st.binary(max_size=32))
def test_leading_zero_bytes_become_ones(zeros: int, rest: bytes) -> None:
    encoded = b58encode(b"\0" * zeros + rest.lstrip(b"\0"))
    assert encoded.startswith("1" * zeros)
    assert b58decode(encoded) == b"\0" * zeros + rest.lstrip(b"\0")


def test_base58_known_values() -> None:
    # Bitcoin-alphabet reference values.
    assert b58encode(b"hello world") == "StV1DL6CwTryKyV"
    assert b58encode(b"\0\0\x01") == "112"
    assert b58encode(b"") == ""


def test_base58_rejects_characters_outside_alphabet() -> None:
    for bad in ("0", "O", "I", "l", "+"):
        with pytest.raises(MultibaseError):
            b58decode("z" + bad)


def test_multibase_requires_z_prefix() -> None:
    with pytest.raises(MultibaseError, match="base58btc"):
        multibase_decode("uAAAA")


def test_test_seed_gives_the_did_of_the_mastery_vectors(test_key: Ed25519PrivateKey) -> None:
    assert did_key(test_key.public_key()) == "did:key:z6MkmoZp9A7cbuBuArfS3V13bsCXxV7GGabS77RGsKtpoHiY"
    method = did_key_verification_method(test_key.public_key())
    assert method == (
        "did:key:z6MkmoZp9A7cbuBuArfS3V13bsCXxV7GGabS77RGsKtpoHiY#z6MkmoZp9A7cbuBuArfS3V13bsCXxV7GGabS77RGsKtpoHiY"
    )


def test_did_key_round_trip() -> None:
    key = Ed25519PrivateKey.generate().public_key()
    assert ed25519_multikey(key).startswith("z6Mk")
    assert public_key_bytes(ed25519_from_did_key(did_key(key))) == public_key_bytes(key)
    assert public_key_bytes(ed25519_from_did_key(did_key_verification_method(key))) == public_key_bytes(key)


def test_did_key_fragment_must_repeat_the_key() -> None:
    key = ed25519_multikey(Ed25519PrivateKey.generate().public_key())
    other = ed25519_multikey(Ed25519PrivateKey.generate().public_key())
    with pytest.raises(MultibaseError, match="fragment"):
        ed25519_from_did_key(f"did:key:{key}#{other}")


def test_multikey_must_be_ed25519() -> None:
    # 0x1200 is secp256r1's multicodec, not Ed25519.
    with pytest.raises(MultibaseError, match="Ed25519"):
        ed25519_from_multikey("z" + b58encode(b"\x80\x24" + b"\x02" * 33))
    with pytest.raises(MultibaseError):
        ed25519_from_did_key("did:web:example.com")
