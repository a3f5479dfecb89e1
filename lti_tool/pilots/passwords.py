"""Coordinator passwords: argon2id through argon2-cffi (the reference binding of the PHC winner)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi's defaults follow RFC 9106's second recommendation (64 MiB, 3 passes, 4 lanes).
_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so both cases take the same time (made on first use)."""
    return _HASHER.hash("not-a-real-password")


MIN_LENGTH = 12


def hash_password(password: str) -> str:
    """An argon2id PHC string for a new password."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; an unknown user (None) costs the same work and fails."""
    try:
        return _HASHER.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """The hash was made with weaker parameters than today's: store a new one at the next sign-in."""
    return _HASHER.check_needs_rehash(stored_hash)
