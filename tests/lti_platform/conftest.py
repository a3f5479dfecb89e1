"""Fixtures of the platform's self-tests: the platform itself and a stub tool registered with it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .fixtures import platform  # noqa: F401 - the fixture under test, used by the tests below
from .platform import TestPlatform
from .stub_tool import StubTool


@pytest.fixture
def tool(platform: TestPlatform) -> Iterator[StubTool]:  # noqa: F811 - the imported fixture
    """A started stub tool whose JWKS the platform trusts."""
    stub = StubTool(platform).start()
    yield stub
    stub.stop()
    assert not stub.server_errors, stub.server_errors
