"""JSON parsing that turns absurdly nested input into a parse error (a 4xx), not a RecursionError (a 5xx)."""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's provider; `[[[[…` a hundred thousand deep is "not valid JSON" like any other malformed body."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("the JSON is nested too deeply") from exc
