"""did:key and multibase written from the specs (did:key method; multibase base58btc), for test data only."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_PUB_MULTICODEC = b"\xed\x01"


def base58btc(data: bytes) -> str:
    """Bitcoin base58 (leading zero bytes become '1')."""
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _ALPHABET[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def did_key_of(key: Ed25519PrivateKey) -> str:
    """did:key of an Ed25519 key: 'z' + base58btc(0xed01 + 32-byte public key)."""
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "did:key:z" + base58btc(_ED25519_PUB_MULTICODEC + raw)


def proof_value_of(signature: bytes) -> str:
    """Multibase base58btc of a signature."""
    return "z" + base58btc(signature)
