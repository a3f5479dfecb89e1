"""Paging of service containers with `limit` and RFC 8288 Link headers (AGS 2.0, NRPS 2.0 paging)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar
from urllib.parse import urlencode

T = TypeVar("T")


class PagingError(ValueError):
    """A bad limit or page parameter."""


def paginate(items: Sequence[T], query: Mapping[str, str], base_url: str) -> tuple[list[T], dict[str, str]]:
    """Cut one page out of `items` per `limit`/`page` and build the Link header (rel next/prev/first/last)."""
    try:
        limit = int(query["limit"]) if query.get("limit") else 0
        page = int(query.get("page") or 1)
    except ValueError as exc:
        raise PagingError("limit and page must be integers") from exc
    if limit < 0 or page < 1:
        raise PagingError("limit must be >= 0 and page >= 1")
    if not limit:
        return list(items), {}
    last = max(1, -(-len(items) // limit))
    chunk = list(items[(page - 1) * limit : page * limit])

    def url(number: int) -> str:
        # Keep every other query parameter (Moodle's type_id, a role filter …) in the links.
        params = {k: v for k, v in query.items() if k != "page"}
        params["page"] = str(number)
        return f"{base_url}?{urlencode(params)}"

    links = [f'<{url(1)}>; rel="first"', f'<{url(last)}>; rel="last"']
    if page < last:
        links.append(f'<{url(page + 1)}>; rel="next"')
    if page > 1:
        links.append(f'<{url(page - 1)}>; rel="prev"')
    return chunk, {"Link": ", ".join(links)}
