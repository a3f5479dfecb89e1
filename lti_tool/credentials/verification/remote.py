"""Fetch another issuer's DID document or status list over HTTPS: bounded in time and size, no redirects."""

from __future__ import annotations

import ipaddress
import json
import socket
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

MAX_BYTES = 1024 * 1024


class RemoteFetchError(LookupError):
    """The document could not be fetched or is not a JSON object."""


def _refuse_internal(host: str, port: int) -> None:
    # An uploaded credential chooses the URL: never let it make the tool call into its own network.
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)}
    except (OSError, UnicodeError) as exc:
        raise RemoteFetchError(f"{host} does not resolve: {exc}") from exc
    for address in addresses:
        if not ipaddress.ip_address(str(address).split("%", 1)[0]).is_global:
            raise RemoteFetchError(f"{host} resolves to a non-public address; not fetched")


class JsonFetcher(Protocol):
    """What verification asks of the outside web: a JSON object at a URL (chosen in ``create_app``)."""

    def fetch_json(self, url: str) -> dict[str, Any]:
        """The JSON object at ``url``; RemoteFetchError on anything else."""
        ...


@dataclass(frozen=True)
class RemoteFetcher:
    """GET a JSON object from an https URL (the verifier's only outbound call)."""

    timeout: float = 5.0
    max_bytes: int = MAX_BYTES

    def fetch_json(self, url: str) -> dict[str, Any]:
        """The JSON object at ``url``; RemoteFetchError on anything else."""
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise RemoteFetchError(f"only https URLs are fetched, not {url!r}")
        _refuse_internal(parts.hostname, parts.port or 443)
        try:
            with (
                httpx.Client(timeout=self.timeout, follow_redirects=False) as client,
                client.stream("GET", url, headers={"Accept": "application/json, application/ld+json"}) as answer,
            ):
                if answer.status_code != 200:
                    raise RemoteFetchError(f"{url} answered HTTP {answer.status_code}")
                body = bytearray()
                for chunk in answer.iter_bytes():
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise RemoteFetchError(f"{url} is larger than {self.max_bytes} bytes")
        except httpx.HTTPError as exc:
            raise RemoteFetchError(f"{url} could not be fetched: {exc}") from exc
        try:
            document = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise RemoteFetchError(f"{url} is not JSON") from exc
        if not isinstance(document, dict):
            raise RemoteFetchError(f"{url} is not a JSON object")
        return document
