"""Fixtures for the outbox tests: statements in bulk, an app wired to the session's Ralph LRS."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
from flask import Flask

from lti_tool.catalogue.items import Choice, SingleChoice
from lti_tool.runtime import current_settings, replace_settings, runtime
from lti_tool.xapi import statements as st
from lti_tool.xapi.lrs import LrsProbe
from lti_tool.xapi.lrs_client import LrsClient
from lti_tool.xapi.profile import Profile
from lti_tool.xapi.refs import LtiScope, UnitRef
from tests.lrs_fixtures import RalphLrs

BASE = "http://127.0.0.1:5000"  # the `app` fixture's TOOL_BASE_URL
T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
UNIT = UnitRef("wood-chain-of-custody", "1.0.0", "Chain of custody", ("http://data.europa.eu/esco/skill/x1",), 4)


def learner(issuer: str | None = None) -> LtiScope:
    """A learner of a platform of their own (so LRS reads see only this test's statements)."""
    return LtiScope(issuer or f"https://lms-{uuid.uuid4().hex[:8]}.example.org", f"sub-{uuid.uuid4()}", "dep-1", "c-1")


def answered(count: int, registration: uuid.UUID, who: LtiScope | None = None) -> list[dict]:
    """`count` valid, distinct statements sharing one registration (item answers of one attempt)."""
    who = who or learner()
    options = (Choice("a", "A"), Choice("b", "B"))
    return [
        st.item_answered(Profile(BASE), who, UNIT, registration,
                         SingleChoice(id=f"q{i}", outcome_id="lo1", prompt="Q?", options=options, correct="a"),
                         "a", True, T0 + dt.timedelta(milliseconds=i))
        for i in range(count)
    ]


def poisoned() -> dict:
    """Bytes Ralph refuses with 422 (no verb) — our validation would never let it in."""
    return {"id": str(uuid.uuid4()), "actor": {"mbox": "mailto:poison@example.org"},
            "object": {"id": "http://example.org/poison"}}


class RecordingTransport(httpx.BaseTransport):
    """The real HTTP transport, noting the statement ids of every POST (what went over the wire)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.posted: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.posted.extend(s["id"] for s in json.loads(request.content))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def lrs_client(ralph_lrs: RalphLrs) -> Iterator[LrsClient]:
    """A client of the session's Ralph with short timeouts."""
    with LrsClient(ralph_lrs.url, ralph_lrs.username, ralph_lrs.password, timeout=5, connect_timeout=1) as client:
        yield client


@pytest.fixture
def lrs_app(app: Flask, ralph_lrs: RalphLrs) -> Flask:
    """The app with LRS_URL/LRS_USERNAME/LRS_PASSWORD pointing at the session's Ralph."""
    settings = current_settings(app).model_copy(
        update={"lrs_url": ralph_lrs.url, "lrs_username": ralph_lrs.username, "lrs_password": ralph_lrs.password})
    replace_settings(app, settings)
    runtime(app).parts.lrs_probe = LrsProbe(settings)
    return app
