"""pytest plugin: a `platform` fixture (function scope) serving a fresh TestPlatform on loopback.

Use it from a conftest with `pytest_plugins = ["lti_platform.fixtures"]` (or the dotted path under which
the tests import this package).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .platform import TestPlatform


@pytest.fixture
def platform() -> Iterator[TestPlatform]:
    """A started TestPlatform; stopped after the test. Set `tool_jwks_url` before the tool calls services."""
    test_platform = TestPlatform().start()
    try:
        yield test_platform
    finally:
        test_platform.stop()
        # A handler that crashed is a bug in the platform or a test: never let it pass silently.
        assert not test_platform.server_errors, test_platform.server_errors
