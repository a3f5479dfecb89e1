"""What the AGS, NRPS and grade-sync code asks of a client of the platforms' LTI Advantage services. The
adapter (``client.ServicesClient``: httpx, tokens cached in the database) is chosen in ``create_app``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

import httpx
from sqlalchemy import orm as so

from lti_tool.launch.models import Platform
from lti_tool.lms import tokens


class LmsServices(Protocol):
    """Authorised calls to a platform's services, with access tokens for the scopes asked."""

    def token(self, session: so.Session, platform: Platform, scopes: Iterable[str]) -> tokens.AccessToken:
        """A usable access token for these scopes."""
        ...

    def call(self, session: so.Session, platform: Platform, scopes: Iterable[str], method: str, url: str, *,
             what: str, accept: str | None = None, content_type: str | None = None,
             json_body: Any = None) -> httpx.Response:
        """An authorised call; raises ``ServiceError`` when the LMS refuses or fails."""
        ...

    def pages(self, session: so.Session, platform: Platform, scopes: Iterable[str], url: str, *,
              what: str, accept: str, max_pages: int = 100) -> Iterator[httpx.Response]:
        """GET ``url`` and every page its Link rel="next" headers lead to."""
        ...

    def close(self) -> None:
        """Close the connections."""
        ...
