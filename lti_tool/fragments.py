"""Parts of a page rendered once per process: HTML that depends only on immutable content and the page language.

The unit page a launch lands on spends most of its template time on the study text (table of contents, sections,
figures, references): the same bytes for every learner of one unit version in one language. It is rendered once
per key here and then pasted into the page (measured with bench/launch.py; see docs/scaling.md). A fragment
must carry nothing of the request (no launch token, no CSRF token, no user data): callers key it by everything
it is made of.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import Flask, current_app
from markupsafe import Markup

from lti_tool.lru import LockedLRU
from lti_tool.runtime import runtime, wired

T = TypeVar("T")


class FragmentCache(LockedLRU[Hashable, Any]):
    """A bounded LRU of rendered fragments (and what goes with them), shared by the threads of one process."""

    def __init__(self, maxsize: int = 128) -> None:
        super().__init__(maxsize)


def install(app: Flask) -> None:
    """Give the app its empty fragment cache (create_app)."""
    runtime(app).parts.fragments = FragmentCache()


def fragment_cache(app: Flask | None = None) -> FragmentCache:
    """This app's fragment cache."""
    return wired(runtime(app).parts.fragments, "the fragment cache")


def cached(key: Hashable, make: Callable[[], T]) -> T:
    """The value stored under `key` in this app's fragment cache, made by `make()` on a miss."""
    cache = fragment_cache()
    found = cache.get(key)
    if found is None:
        found = make()
        cache.put(key, found)
    return found


def render_fragment(template: str, **context: Any) -> Markup:
    """`template` rendered with `context` only, for caching.

    Through the Jinja environment directly: the context processors (launch and CSRF tokens, the pilot notices) are
    request data and must not reach a shared fragment; `_()` and `url_for` are Jinja globals.
    """
    # An autoescaped template's output, as render_template would return it.
    return Markup(current_app.jinja_env.get_template(template).render(**context))  # noqa: S704
