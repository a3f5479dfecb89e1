"""The per-process cache of rendered page fragments: bounded, least recently used out first."""

from __future__ import annotations

from lti_tool.fragments import FragmentCache


def test_the_least_recently_used_fragment_leaves_first() -> None:
    cache = FragmentCache(maxsize=2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # "b" is now the least recently used
    cache.put("c", "C")
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == ("A", None, "C", 2)
