"""Bitstring Status List: bit order, encoding, entries and the list credential."""

from __future__ import annotations

import base64
import datetime as dt
import gzip

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from lti_tool.credentials.proof.dataintegrity import sign, verify
from lti_tool.credentials.proof.multibase import did_key, did_key_verification_method
from lti_tool.credentials.proof.resolver import Resolver
from lti_tool.credentials.status.bitstring import (
    MIN_BITS,
    Bitstring,
    StatusListError,
    parse_entry,
    read_status,
    status_entry,
    status_list_credential,
)

from .conftest import STATUS_LIST_URL, load_example


def test_bit_order_is_most_significant_first() -> None:
    bits = Bitstring.zeros()
    bits.set(0)
    bits.set(9)
    assert bits.data[0] == 0b1000_0000 and bits.data[1] == 0b0100_0000
    assert bits.get(0) and bits.get(9) and not bits.get(1)
    bits.set(0, False)
    assert bits.data[0] == 0 and not bits.get(0)


@settings(max_examples=30)
@given(st.sets(st.integers(min_value=0, max_value=MIN_BITS - 1), max_size=40))
def test_encode_decode_round_trip(indexes: set[int]) -> None:
    bits = Bitstring.zeros()
    for index in indexes:
        bits.set(index)
    decoded = Bitstring.decode(bits.encode())
    assert decoded.data == bits.data
    assert all(decoded.get(i) for i in indexes)
    assert sum(bin(byte).count("1") for byte in decoded.data) == len(indexes)


def test_encoding_is_u_base64url_without_padding_of_gzip() -> None:
    encoded = Bitstring.zeros().encode()
    assert encoded.startswith("u") and "=" not in encoded and "+" not in encoded and "/" not in encoded
    body = encoded[1:]
    assert gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))) == bytes(MIN_BITS // 8)
    assert Bitstring.zeros().encode() == encoded  # mtime=0: same bits, same bytes


def test_short_lists_and_bad_indexes_are_refused() -> None:
    with pytest.raises(StatusListError):
        Bitstring.zeros(1024)
    short = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(16))).decode().rstrip("=")
    with pytest.raises(StatusListError, match="fewer than"):
        Bitstring.decode(short)
    with pytest.raises(StatusListError):
        Bitstring.decode("zNotBase64url")
    with pytest.raises(StatusListError, match="outside"):
        Bitstring.zeros().get(MIN_BITS)


def test_mastery_vectors_index_42_revoked_and_7_active() -> None:
    list_credential = load_example("mastery-status-list-1.BitstringStatusListCredential.TESTKEY.json")
    revoked = parse_entry(load_example("mastery-wood-u1.bitstring-status-revoked.TESTKEY.json")["credentialStatus"])
    active = parse_entry(load_example("mastery-wood-u1.bitstring-status-active.TESTKEY.json")["credentialStatus"])
    assert (revoked.index, active.index) == (42, 7)
    assert read_status(revoked, list_credential) is True
    assert read_status(active, list_credential) is False


def test_1edtech_revoked_vector_entry_is_rejected_strictly() -> None:
    # Integer statusListIndex, and the list credential's id is not the URL the entry names (DESIGN §6).
    entry = load_example("bitstring-status-revoked.1edtech-validator-testvector.json")["credentialStatus"]
    with pytest.raises(StatusListError, match="string"):
        parse_entry(entry)
    fixed = parse_entry(entry | {"statusListIndex": str(entry["statusListIndex"])})
    list_credential = load_example("bitstring-status-list-credential.1edtech-validator-testvector.json")
    with pytest.raises(StatusListError, match="is not"):
        read_status(fixed, list_credential)
    with pytest.raises(StatusListError, match="does not belong"):
        parse_entry(entry | {"statusListIndex": "23", "id": "https://elsewhere.example/list#23"})


def test_entry_builder_matches_parser() -> None:
    entry = status_entry(STATUS_LIST_URL, 1234)
    assert entry == {
        "id": f"{STATUS_LIST_URL}#1234",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "1234",
        "statusListCredential": STATUS_LIST_URL,
    }
    parsed = parse_entry(entry)
    assert (parsed.list_url, parsed.index, parsed.purpose) == (STATUS_LIST_URL, 1234, "revocation")


def test_list_credential_signs_verifies_and_flips(test_key: Ed25519PrivateKey) -> None:
    bits = Bitstring.zeros()
    issuer = did_key(test_key.public_key())
    method = did_key_verification_method(test_key.public_key())
    when = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    entry = parse_entry(status_entry(STATUS_LIST_URL, 99))
    before = sign(status_list_credential(STATUS_LIST_URL, issuer, bits, when), test_key, method, when)
    assert verify(before, Resolver()).ok
    assert read_status(entry, before) is False
    bits.set(99)
    after = sign(status_list_credential(STATUS_LIST_URL, issuer, bits, when), test_key, method, when)
    assert verify(after, Resolver()).ok
    assert read_status(entry, after) is True
    assert read_status(parse_entry(status_entry(STATUS_LIST_URL, 98)), after) is False
    with pytest.raises(StatusListError, match="purpose"):
        read_status(parse_entry(status_entry(STATUS_LIST_URL, 99) | {"statusPurpose": "suspension"}), after)
    with pytest.raises(StatusListError, match="is not"):
        read_status(parse_entry(status_entry("https://other.example/status/9", 99)), after)
