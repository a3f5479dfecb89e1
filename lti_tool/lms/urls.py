"""Service URL building (pure): scores URL from a line item URL, query parameters kept intact."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def scores_url(lineitem_url: str) -> str:
    """The score publish URL of a line item: ``/scores`` inserted into the path (AGS 2.0 §3.4).

    Moodle's line item URLs carry a query string (``…/lineitem?type_id=1``): appending to the string
    would put ``/scores`` into the query, so the path is edited and the query and fragment are kept.
    """
    return _with_path_suffix(lineitem_url, "/scores")


def results_url(lineitem_url: str) -> str:
    """The results URL of a line item: ``/results`` inserted into the path, the query kept (AGS 2.0 §3.3)."""
    return _with_path_suffix(lineitem_url, "/results")


def _with_path_suffix(url: str, suffix: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"not an absolute URL: {url!r}")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + suffix, parts.query, parts.fragment))


def with_query(url: str, **params: str | int) -> str:
    """``url`` with ``params`` added to (or replacing the same names in) its query; other parameters kept."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query.extend((k, str(v)) for k, v in params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
