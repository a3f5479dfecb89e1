"""The tool's Flask class: Flask's own, with one per-request cost of Flask taken out (see ToolFlask)."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable
from typing import Any

from flask import Flask


class ToolFlask(Flask):
    """Flask whose ``ensure_sync`` decides once per function that it is a plain (synchronous) one.

    Flask 3.1.3's ``ensure_sync`` calls ``inspect.iscoroutinefunction`` on every before/after/teardown hook,
    view, context processor and error handler each time it runs it: 13.5 calls a request, 27 a launch, ~0.8 µs
    each (8,100 calls in 300 launches of ``bench/launch.py --profile``). Whether a function is a coroutine
    function never changes, so a function Flask returned as-is is remembered, weakly: the closures that
    ``after_this_request`` registers per request leave the set with their request, and nothing is kept alive.
    Anything else (an ``async def`` view or hook, a callable that cannot be weakly referenced) goes through
    Flask's own ``ensure_sync`` every time: without the ``async`` extra (asgiref) Flask refuses it at each call,
    exactly as before (tests/unit/web/test_flask_app.py).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain_functions: weakref.WeakSet[Callable[..., Any]] = weakref.WeakSet()

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if func in self._plain_functions:  # False for what cannot be weakly referenced (WeakSet's own answer)
            return func
        checked = super().ensure_sync(func)
        if checked is func:
            with contextlib.suppress(TypeError):  # not weakly referenceable: checked by Flask each time
                self._plain_functions.add(func)
        return checked
