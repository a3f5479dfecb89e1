"""Platform key sets: cached, fetched again once for an unknown kid, never more."""

from __future__ import annotations

from typing import Any

import pytest

from lti_tool.errors import LaunchError
from lti_tool.launch.platform_keys import PlatformKeyCache


class CountingFetcher:
    def __init__(self, *key_sets: dict[str, Any]) -> None:
        self.key_sets = list(key_sets)
        self.calls = 0

    def __call__(self, url: str) -> dict[str, Any]:
        self.calls += 1
        return self.key_sets[min(self.calls, len(self.key_sets)) - 1]


def test_known_kid_is_served_from_cache() -> None:
    fetch = CountingFetcher({"keys": [{"kid": "a"}]})
    cache = PlatformKeyCache(ttl_seconds=300, timeout_seconds=1, fetcher=fetch)
    assert cache.find_key("u", "a") == {"kid": "a"}
    assert cache.find_key("u", "a") == {"kid": "a"}
    assert fetch.calls == 1


def test_unknown_kid_refetches_once_then_finds_the_rotated_key() -> None:
    fetch = CountingFetcher({"keys": [{"kid": "a"}]}, {"keys": [{"kid": "b"}]})
    cache = PlatformKeyCache(ttl_seconds=300, timeout_seconds=1, fetcher=fetch)
    cache.find_key("u", "a")
    assert cache.find_key("u", "b") == {"kid": "b"}
    assert fetch.calls == 2


def test_unknown_kid_after_refetch_is_refused() -> None:
    fetch = CountingFetcher({"keys": [{"kid": "a"}]})
    cache = PlatformKeyCache(ttl_seconds=300, timeout_seconds=1, fetcher=fetch)
    cache.find_key("u", "a")
    with pytest.raises(LaunchError) as error:
        cache.find_key("u", "zzz")
    assert error.value.code == "unknown_kid"
    assert fetch.calls == 2


def test_expired_cache_is_refetched() -> None:
    fetch = CountingFetcher({"keys": [{"kid": "a"}]})
    cache = PlatformKeyCache(ttl_seconds=0, timeout_seconds=1, fetcher=fetch)
    cache.find_key("u", "a")
    cache.find_key("u", "a")
    assert fetch.calls == 2


def test_unreachable_key_set_is_a_launch_error_not_a_crash() -> None:
    cache = PlatformKeyCache(ttl_seconds=300, timeout_seconds=0.5)
    with pytest.raises(LaunchError) as error:
        cache.find_key("http://127.0.0.1:9/jwks", "a")
    assert error.value.code == "jwks_unavailable"


def _rsa_jwk(kid: str) -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(rsa.generate_private_key(65537, 2048).public_key(), as_dict=True)
    return {**jwk, "kid": kid, "alg": "RS256"}


def test_a_key_is_parsed_once_per_fetched_key_set_and_a_rotated_one_replaces_it() -> None:
    first, rotated = _rsa_jwk("a"), _rsa_jwk("a")
    fetch = CountingFetcher({"keys": [first]}, {"keys": [rotated]})
    cache = PlatformKeyCache(ttl_seconds=300, timeout_seconds=1, fetcher=fetch)
    parsed = cache.public_key("u", "a")
    assert cache.public_key("u", "a") is parsed  # not parsed again
    assert parsed.key.public_numbers().n == int.from_bytes(_b64(first["n"]), "big")
    cache._refresh("u")  # what an expired TTL does
    assert cache.public_key("u", "a").key.public_numbers().n == int.from_bytes(_b64(rotated["n"]), "big")


def _b64(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
