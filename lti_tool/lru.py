"""A bounded least-recently-used map shared by the threads of one process.

cachetools' ``LRUCache`` keeps the order and the bound; it is not thread-safe (its own documentation), so every
access goes through one lock. Used for the per-process caches of rendered fragments, unit documents and autosave
facts.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LockedLRU(Generic[K, V]):
    """At most ``maxsize`` entries; the least recently used one goes first."""

    def __init__(self, maxsize: int) -> None:
        self._entries: LRUCache[K, V] = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value under ``key`` (now the most recently used), or None."""
        with self._lock:
            return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` under ``key``, dropping the least recently used entry beyond the bound."""
        with self._lock:
            self._entries[key] = value

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
