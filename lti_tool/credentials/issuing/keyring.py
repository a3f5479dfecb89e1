"""The issuer's Ed25519 signing keys on disk: the current key and the retired ones kept for old credentials.

The current key lives at ``CREDENTIAL_KEY_PATH`` (PKCS#8 PEM, mode 0600, created once). A rotation renames
it to ``<stem>.retired-<UTC time>.pem`` next to it: the retired public keys stay in the DID document so
old credentials keep verifying, and the retired private key can still re-sign the status lists it signed.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from lti_tool.credentials.proof.multibase import ed25519_multikey


class KeyFileError(RuntimeError):
    """The key file exists but is not an unencrypted Ed25519 PKCS#8 PEM."""


@dataclass(frozen=True)
class IssuerKey:
    """A loaded Ed25519 key and its Multikey (``z6Mk…``), which names it in verification methods."""

    private_key: Ed25519PrivateKey
    multikey: str
    retired: bool


@dataclass(frozen=True)
class KeySet:
    """The current key first, then the retired ones (newest first)."""

    current: IssuerKey
    retired: tuple[IssuerKey, ...]

    @property
    def all(self) -> tuple[IssuerKey, ...]:
        """Every key, current first."""
        return (self.current, *self.retired)

    def by_multikey(self, multikey: str) -> IssuerKey | None:
        """The key (current or retired) whose public Multikey is ``multikey``."""
        return next((key for key in self.all if key.multikey == multikey), None)


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def _write_new(path: Path, key: Ed25519PrivateKey) -> bool:
    """Create ``path`` with mode 0600 holding ``key``; False when another process created it first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(_pem(key))
    return True


def _load(path: Path, *, retired: bool) -> IssuerKey:
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{path} is not an unencrypted PKCS#8 PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} holds a {type(key).__name__}, the credential key must be Ed25519")
    return IssuerKey(key, ed25519_multikey(key.public_key()), retired)


def _retired_paths(path: Path) -> list[Path]:
    # Names sort by their UTC timestamp; newest first.
    return sorted(path.parent.glob(f"{path.stem}.retired-*.pem"), reverse=True)


class KeyRing:
    """Loads the keys lazily and reloads them when the key file changes (a rotation by the CLI)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._keys: KeySet | None = None
        self._stamp: tuple[int, int] | None = None

    def keys(self) -> KeySet:
        """The key set; generates the current key on first use if there is none."""
        with self._lock:
            if not self.path.exists():
                _write_new(self.path, Ed25519PrivateKey.generate())
            stat = self.path.stat()
            stamp = (stat.st_ino, stat.st_mtime_ns)
            if self._keys is None or stamp != self._stamp:
                current = _load(self.path, retired=False)
                retired = tuple(_load(p, retired=True) for p in _retired_paths(self.path))
                self._keys, self._stamp = KeySet(current, retired), stamp
            return self._keys

    def rotate(self, now: dt.datetime) -> KeySet:
        """Retire the current key (kept on disk) and make a new one current."""
        with self._lock:
            fresh = self.path.with_name(f"{self.path.stem}.new-{os.getpid()}.pem")
            fresh.unlink(missing_ok=True)
            _write_new(fresh, Ed25519PrivateKey.generate())
            if self.path.exists():
                stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
                self.path.rename(self.path.with_name(f"{self.path.stem}.retired-{stamp}.pem"))
            fresh.rename(self.path)
            self._keys = None
        return self.keys()
