"""base58btc, multibase ``z`` strings, Ed25519 Multikey encoding and did:key (method ``key``)."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: value for value, char in enumerate(_ALPHABET)}
# Multicodec "ed25519-pub" (0xed) as an unsigned varint: 0xed 0x01.
ED25519_PUB_PREFIX = b"\xed\x01"
MULTIBASE_BASE58BTC = "z"
DID_KEY_PREFIX = "did:key:"


class MultibaseError(ValueError):
    """A multibase, Multikey or did:key value is malformed."""


def b58encode(data: bytes) -> str:
    """Bitcoin-alphabet base58 of ``data`` (leading zero bytes become '1')."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    out: list[str] = []
    while number:
        number, rem = divmod(number, 58)
        out.append(_ALPHABET[rem])
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    """Inverse of b58encode; raises MultibaseError on a character outside the alphabet."""
    number = 0
    for char in text:
        value = _INDEX.get(char)
        if value is None:
            raise MultibaseError(f"invalid base58btc character {char!r}")
        number = number * 58 + value
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc: ``z`` + base58btc."""
    return MULTIBASE_BASE58BTC + b58encode(data)


def multibase_decode(text: str) -> bytes:
    """Decode a multibase base58btc (``z``…) string."""
    if not text.startswith(MULTIBASE_BASE58BTC):
        raise MultibaseError(f"only multibase base58btc ('z…') is supported, got {text[:8]!r}")
    return b58decode(text[1:])


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key."""
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def ed25519_multikey(key: Ed25519PublicKey) -> str:
    """Multikey ``publicKeyMultibase`` of an Ed25519 key (``z6Mk…``)."""
    return multibase_encode(ED25519_PUB_PREFIX + public_key_bytes(key))


def ed25519_from_multikey(value: str) -> Ed25519PublicKey:
    """Parse a Multikey ``publicKeyMultibase`` holding an Ed25519 key."""
    raw = multibase_decode(value)
    if not raw.startswith(ED25519_PUB_PREFIX) or len(raw) != 34:
        raise MultibaseError("publicKeyMultibase is not an Ed25519 Multikey (0xed01 + 32 bytes)")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def did_key(key: Ed25519PublicKey) -> str:
    """did:key identifier of an Ed25519 key."""
    return DID_KEY_PREFIX + ed25519_multikey(key)


def did_key_verification_method(key: Ed25519PublicKey) -> str:
    """The verification method URL of a did:key (``did:key:z…#z…``)."""
    multikey = ed25519_multikey(key)
    return f"{DID_KEY_PREFIX}{multikey}#{multikey}"


def ed25519_from_did_key(did: str) -> Ed25519PublicKey:
    """The Ed25519 key a did:key (optionally with its ``#fragment``) encodes; the fragment must match."""
    if not did.startswith(DID_KEY_PREFIX):
        raise MultibaseError(f"not a did:key: {did!r}")
    identifier, _, fragment = did[len(DID_KEY_PREFIX) :].partition("#")
    if fragment and fragment != identifier:
        raise MultibaseError("a did:key verification method fragment must repeat the key")
    return ed25519_from_multikey(identifier)
