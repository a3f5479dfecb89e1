"""A response or an answer key in words, for the teacher's view of an attempt (pure: no Flask, no SQLAlchemy).

Option and target ids become their texts in the teacher's language; numbers keep their unit; practical work
is its text (the evidence files are listed separately).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lti_tool.catalogue.unit_texts import localized

_NOTHING = "–"


def _texts(choices: Sequence[Mapping[str, Any]] | None, lang: str) -> dict[str, str]:
    return {str(c["id"]): localized(c["text"], lang) for c in choices or ()}


def in_words(item_def: Mapping[str, Any], value: Any, lang: str, *, yes: str = "true", no: str = "false") -> str:
    """``value`` (a response, or a key in the response's shape) as a teacher reads it; "–" when empty."""
    if value is None or value == "" or value == [] or value == {}:
        return _NOTHING
    kind = item_def.get("type")
    options = _texts(item_def.get("options"), lang)
    if kind == "single_choice":
        return options.get(str(value), str(value))
    if kind in ("multiple_response", "ordering") and isinstance(value, list):
        joiner = "; " if kind == "multiple_response" else " → "
        return joiner.join(options.get(str(v), str(v)) for v in value)
    if kind == "true_false":
        return yes if value is True else no if value is False else str(value)
    if kind == "numeric":
        unit = localized(item_def["unit"], lang) if item_def.get("unit") else ""
        number = value.get("value") if isinstance(value, Mapping) else value
        return f"{number:g} {unit}".strip() if isinstance(number, int | float) else str(number)
    if kind == "matching" and isinstance(value, Mapping):
        targets = _texts(item_def.get("targets"), lang)
        return "; ".join(f"{options.get(str(k), str(k))} → {targets.get(str(v), str(v))}" for k, v in value.items())
    if kind == "short_text":
        return " / ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if kind == "practical" and isinstance(value, Mapping):
        return str(value.get("text") or _NOTHING)
    return str(value)
