"""The verifier's outbound fetch refuses plain HTTP and internal addresses (an upload picks the URL)."""

from __future__ import annotations

import pytest

from lti_tool.credentials.verification.remote import RemoteFetcher, RemoteFetchError


@pytest.mark.parametrize("url", ["http://example.org/did.json", "https://127.0.0.1/did.json",
                                 "https://localhost:8443/x", "https://10.0.0.8/.well-known/did.json",
                                 "https://[::1]/did.json", "file:///etc/passwd"])
def test_refused_without_a_request(url: str) -> None:
    with pytest.raises(RemoteFetchError):
        RemoteFetcher(timeout=1).fetch_json(url)
