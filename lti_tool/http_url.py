"""Absolute http(s) URLs and their origins (RFC 6454), checked one way everywhere (pure)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

HTTP_SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_http_url(value: Any) -> bool:
    """True when ``value`` is an absolute http or https URL with a host (``http://h/p``, not ``/p`` or ``h/p``)."""
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number or out of range
    except ValueError:
        return False
    return parts.scheme.lower() in HTTP_SCHEMES and bool(parts.hostname)


def origin(url: str) -> str:
    """The origin of an http(s) URL as a browser writes it (RFC 6454 §6.2), or "" for anything else.

    Scheme and host in lower case, the user-info dropped, the port only when it is not the scheme's default:
    ``HTTPS://Moodle.Example:443/login`` → ``https://moodle.example``.
    """
    if not is_http_url(url):
        return ""
    parts = urlsplit(url)
    scheme, host, port = parts.scheme.lower(), str(parts.hostname), parts.port
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != _DEFAULT_PORTS[scheme] else "")


def same_origin(url: str, other: str) -> bool:
    """True when both are http(s) URLs on the same scheme, host and port (RFC 6454 §5)."""
    mine = origin(url)
    return bool(mine) and mine == origin(other)
