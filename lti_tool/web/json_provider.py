"""JSON parsing that turns absurdly nested input, or a NUL character in a string, into a parse error (a 4xx).

PostgreSQL cannot store U+0000 in text or jsonb: let through, it became a 500 at the database (issue 11).
"""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's provider; `[[[[…` a hundred thousand deep is "not valid JSON" like any other malformed body."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("the JSON is nested too deeply") from exc
        if _has_nul(value):
            raise ValueError("the JSON contains a NUL character")
        return value


def _has_nul(value: Any) -> bool:
    stack = [value]  # iterative: a legal but deep document must not overflow the stack here either
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
