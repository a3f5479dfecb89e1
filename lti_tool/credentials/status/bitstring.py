"""Bitstring Status List v1.0 (W3C): the compressed bitstring, its credential and credential entries."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from lti_tool.credentials.proof.contexts import ContextUrl
from lti_tool.credentials.proof.dataintegrity import CREATED_FORMAT

# Spec §2.1: at least 16 KB (131,072 entries) so a single index does not identify its holder.
MIN_BITS = 131_072
MULTIBASE_BASE64URL = "u"


class StatusPurpose(StrEnum):
    """statusPurpose values we issue."""

    REVOCATION = "revocation"
    SUSPENSION = "suspension"


class StatusListError(ValueError):
    """An encodedList, index or entry is malformed."""


@dataclass
class Bitstring:
    """A mutable bitstring; bit 0 is the most significant bit of the first byte (spec §3.2)."""

    data: bytearray

    @classmethod
    def zeros(cls, bits: int = MIN_BITS) -> Bitstring:
        """An all-zero list of at least MIN_BITS bits (rounded up to whole bytes)."""
        if bits < MIN_BITS:
            raise StatusListError(f"a status list needs at least {MIN_BITS} bits, got {bits}")
        return cls(bytearray((bits + 7) // 8))

    @property
    def size(self) -> int:
        """Number of bits."""
        return len(self.data) * 8

    def get(self, index: int) -> bool:
        """Bit ``index``."""
        self._check(index)
        return bool((self.data[index // 8] >> (7 - index % 8)) & 1)

    def set(self, index: int, value: bool = True) -> None:
        """Set (or clear) bit ``index``."""
        self._check(index)
        mask = 1 << (7 - index % 8)
        if value:
            self.data[index // 8] |= mask
        else:
            self.data[index // 8] &= ~mask & 0xFF

    def encode(self) -> str:
        """``encodedList``: multibase base64url (no padding) of the GZIP-compressed bytes."""
        # mtime=0 makes the output depend only on the bits (stable signatures, cacheable bytes).
        packed = gzip.compress(bytes(self.data), mtime=0)
        return MULTIBASE_BASE64URL + base64.urlsafe_b64encode(packed).decode().rstrip("=")

    @classmethod
    def decode(cls, encoded: str) -> Bitstring:
        """Parse an ``encodedList``; refuses a list shorter than MIN_BITS."""
        if not encoded.startswith(MULTIBASE_BASE64URL):
            raise StatusListError("encodedList must be multibase base64url ('u…')")
        body = encoded[1:]
        try:
            raw = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except (ValueError, OSError, EOFError) as exc:
            raise StatusListError(f"encodedList is not base64url GZIP data: {exc}") from exc
        if len(raw) * 8 < MIN_BITS:
            raise StatusListError(f"status list has {len(raw) * 8} bits, fewer than {MIN_BITS}")
        return cls(bytearray(raw))

    def _check(self, index: int) -> None:
        if not 0 <= index < self.size:
            raise StatusListError(f"status index {index} outside 0..{self.size - 1}")


def status_list_credential(
    list_url: str,
    issuer: str | Mapping[str, Any],
    bits: Bitstring,
    valid_from: dt.datetime,
    purpose: StatusPurpose = StatusPurpose.REVOCATION,
) -> dict[str, Any]:
    """An unsigned BitstringStatusListCredential (VC DM 2.0) for the caller to sign."""
    return {
        "@context": [ContextUrl.CREDENTIALS_V2.value],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer if isinstance(issuer, str) else dict(issuer),
        "validFrom": valid_from.astimezone(dt.UTC).strftime(CREATED_FORMAT),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose.value,
            "encodedList": bits.encode(),
        },
    }


def status_entry(list_url: str, index: int, purpose: StatusPurpose = StatusPurpose.REVOCATION) -> dict[str, Any]:
    """A ``credentialStatus`` BitstringStatusListEntry (index as a string, per spec §2.1)."""
    if index < 0:
        raise StatusListError("status index must be ≥ 0")
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose.value,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


@dataclass(frozen=True)
class EntryRef:
    """A parsed, strictly checked credentialStatus entry."""

    list_url: str
    index: int
    purpose: str


def parse_entry(entry: Mapping[str, Any]) -> EntryRef:
    """Check a BitstringStatusListEntry strictly (string index, list URL matching the entry id)."""
    if entry.get("type") != "BitstringStatusListEntry":
        raise StatusListError(f"unsupported credentialStatus type {entry.get('type')!r}")
    index = entry.get("statusListIndex")
    if not isinstance(index, str) or not index.isdigit():
        raise StatusListError(f"statusListIndex must be a string of digits, got {index!r}")
    list_url = entry.get("statusListCredential")
    if not isinstance(list_url, str) or not list_url:
        raise StatusListError("statusListCredential is missing")
    entry_id = entry.get("id")
    if isinstance(entry_id, str) and entry_id.split("#", 1)[0] != list_url:
        raise StatusListError(f"entry id {entry_id!r} does not belong to list {list_url!r}")
    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str):
        raise StatusListError("statusPurpose is missing")
    return EntryRef(list_url, int(index), purpose)


def read_status(entry: EntryRef, list_credential: Mapping[str, Any]) -> bool:
    """The bit for ``entry`` in an (already verified) status list credential; True = status set."""
    if list_credential.get("id") != entry.list_url:
        raise StatusListError(f"status list credential id {list_credential.get('id')!r} is not {entry.list_url!r}")
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") not in ("BitstringStatusList", ["BitstringStatusList"]):
        raise StatusListError("credentialSubject is not a BitstringStatusList")
    if subject.get("statusPurpose") != entry.purpose:
        raise StatusListError(f"list purpose {subject.get('statusPurpose')!r} ≠ entry purpose {entry.purpose!r}")
    return Bitstring.decode(str(subject.get("encodedList", ""))).get(entry.index)
