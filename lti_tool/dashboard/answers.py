"""A response or an answer key in words, for the teacher's view of an attempt (pure: no Flask, no SQLAlchemy).

Option and target ids become their texts in the teacher's language; numbers keep their unit; practical work
is its text (the evidence files are listed separately).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lti_tool.catalogue.items import (
    Choice,
    Item,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Practical,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from lti_tool.catalogue.unit_texts import localized

_NOTHING = "–"


def _texts(choices: Sequence[Choice], lang: str) -> dict[str, str]:
    return {choice.id: localized(choice.text, lang) for choice in choices}


def in_words(item: Item, value: Any, lang: str, *, yes: str = "true", no: str = "false") -> str:
    """``value`` (a response, or a key in the response's shape) as a teacher reads it; "–" when empty."""
    if value is None or value == "" or value == [] or value == {}:
        return _NOTHING
    match item:
        case SingleChoice():
            return _texts(item.options, lang).get(str(value), str(value))
        case MultipleResponse() | Ordering() if isinstance(value, list):
            options = _texts(item.options, lang)
            joiner = "; " if isinstance(item, MultipleResponse) else " → "
            return joiner.join(options.get(str(v), str(v)) for v in value)
        case TrueFalse():
            return yes if value is True else no if value is False else str(value)
        case Numeric():
            unit = localized(item.unit, lang) if item.unit else ""
            return f"{value:g} {unit}".strip() if isinstance(value, int | float) else str(value)
        case Matching() if isinstance(value, Mapping):
            options, targets = _texts(item.options, lang), _texts(item.targets, lang)
            return "; ".join(f"{options.get(str(k), str(k))} → {targets.get(str(v), str(v))}" for k, v in value.items())
        case ShortText():
            return " / ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        case Practical() if isinstance(value, Mapping):
            return str(value.get("text") or _NOTHING)
    return str(value)
