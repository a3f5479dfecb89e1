"""A learner's response to one item: check its shape and normalise it (the learner API contract).

Pure module. The shape is that of the item's `answer` in the unit file (DESIGN.md section 3), except
numeric → one number, short_text → one string, practical → {"text": str, "upload": upload id}.
A ``None`` response means "no answer yet" and is kept as ``None`` (it scores 0).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from lti_tool.assessment.numbers import UnreadableNumber, format_number, parse_number, symbols
from lti_tool.catalogue.items import (
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
from lti_tool.errors import N_, ValidationFailed

__all__ = [
    "MAX_PRACTICAL_TEXT_LENGTH",
    "MAX_TEXT_LENGTH",
    "Response",
    "key_response",
    "option_ids",
    "target_ids",
    "validate_response",
]

# A normalised response: str (single_choice, short_text), list[str] (multiple_response, ordering), bool,
# float (numeric), dict[str, str] (matching, practical), or None (unanswered).
Response = str | bool | float | list[str] | dict[str, str] | None

MAX_TEXT_LENGTH = 5000
# A practical report is a page or two of prose, not one answer: it gets more room than short_text.
MAX_PRACTICAL_TEXT_LENGTH = 50_000
AMBIGUOUS_NUMBER = N_("“%(text)s” can be read as two different numbers. Write it without thousands "
                      "separators, with “%(mark)s” as the decimal mark, for example %(example)s.")
_UPLOAD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_PRACTICAL_KEYS = ("text", "upload")


def option_ids(item: Item) -> list[str]:
    """The ids of the item's options, in file order (none for an item without options)."""
    match item:
        case SingleChoice() | MultipleResponse() | Ordering() | Matching():
            return [option.id for option in item.options]
        case _:
            return []


def target_ids(item: Item) -> list[str]:
    """The ids of a matching item's targets (right-hand side), in file order."""
    return [target.id for target in item.targets] if isinstance(item, Matching) else []


def validate_response(item: Item, raw: Any, locale: str | None = None) -> Response:
    """Check a raw learner response against the item and return it normalised; raise ValidationFailed.

    ``locale`` is the launch's: a number typed as text is read with its decimal mark (or a point).
    """
    if raw is None:
        return None
    where = f"item {item.id}"
    match item:
        case SingleChoice():
            return _single_choice(item, raw, where)
        case MultipleResponse():
            return _multiple_response(item, raw, where)
        case TrueFalse():
            return _true_false(raw, where)
        case Numeric():
            return _numeric(raw, where, locale)
        case Ordering():
            return _ordering(item, raw, where)
        case Matching():
            return _matching(item, raw, where)
        case ShortText():
            return _short_text(raw, where)
        case Practical():
            return _practical(raw, where)


def key_response(item: Item) -> Response:
    """The item's answer key in the learner-API response shape (None for practical items)."""
    match item:
        case Numeric():
            return item.value
        case ShortText():
            return item.accepted[0]
        case MultipleResponse():
            return list(item.correct)
        case Ordering():
            return list(item.order)
        case Matching():
            return item.key
        case SingleChoice() | TrueFalse():
            return item.correct
        case Practical():
            return None


# --- one check per item type ---------------------------------------------------------------------


def _single_choice(item: SingleChoice, raw: Any, where: str) -> str:
    _require(isinstance(raw, str), f"{where}: the response must be one option id (a string)")
    _known(raw, option_ids(item), where, "option")
    return str(raw)


def _multiple_response(item: MultipleResponse, raw: Any, where: str) -> list[str]:
    chosen = _id_list(raw, where)
    allowed = option_ids(item)
    for choice in chosen:
        _known(choice, allowed, where, "option")
    _no_repeats(chosen, where)
    return chosen


def _true_false(raw: Any, where: str) -> bool:
    _require(isinstance(raw, bool), f"{where}: the response must be true or false")
    return bool(raw)


def _numeric(raw: Any, where: str, locale: str | None = None) -> float:
    if isinstance(raw, str):
        raw = _parse_number_text(raw, where, locale)
    _require(isinstance(raw, (int, float)) and not isinstance(raw, bool), f"{where}: the response must be a number")
    try:
        value = float(raw)
    except OverflowError:
        raise ValidationFailed(f"{where}: the number is too large") from None
    _require(math.isfinite(value), f"{where}: the number must be finite (not NaN or infinity)")
    return value


def _ordering(item: Ordering, raw: Any, where: str) -> list[str]:
    order = _id_list(raw, where)
    allowed = option_ids(item)
    for choice in order:
        _known(choice, allowed, where, "option")
    _no_repeats(order, where)
    missing = [choice for choice in allowed if choice not in order]
    _require(not missing, f"{where}: the order must list every option once; missing {', '.join(missing)}")
    return order


def _matching(item: Matching, raw: Any, where: str) -> dict[str, str]:
    _require(isinstance(raw, Mapping), f"{where}: the response must map option ids to target ids")
    lefts, rights = option_ids(item), target_ids(item)
    pairs: dict[str, str] = {}
    for left, right in raw.items():
        _require(isinstance(left, str), f"{where}: option ids must be strings")
        _known(left, lefts, where, "option")
        if right is None:
            continue  # a left entry the learner has not matched yet
        _require(isinstance(right, str), f"{where}: the target of {left!r} must be a target id (a string)")
        _known(right, rights, where, "target")
        pairs[left] = right
    return pairs


def _short_text(raw: Any, where: str) -> str:
    _require(isinstance(raw, str), f"{where}: the response must be one text (a string)")
    return _text(raw, where, MAX_TEXT_LENGTH)


def _practical(raw: Any, where: str) -> dict[str, str]:
    if isinstance(raw, str):
        raw = {"text": raw}
    _require(isinstance(raw, Mapping), f"{where}: the response must be {{'text': ..., 'upload': ...}}")
    unknown = [str(key) for key in raw if key not in _PRACTICAL_KEYS]
    _require(not unknown, f"{where}: unknown field(s) {', '.join(unknown)}; use 'text' and/or 'upload'")
    evidence: dict[str, str] = {}
    text = raw.get("text")
    if text is not None:
        _require(isinstance(text, str), f"{where}: 'text' must be a string")
        if text.strip():
            evidence["text"] = _text(text, where, MAX_PRACTICAL_TEXT_LENGTH)
    upload = raw.get("upload")
    if upload is not None:
        _require(isinstance(upload, str) and bool(_UPLOAD_ID.match(upload)), f"{where}: 'upload' is not an upload id")
        evidence["upload"] = upload
    _require(bool(evidence), f"{where}: give a text, an upload, or both")
    return evidence


# --- helpers -------------------------------------------------------------------------------------


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValidationFailed(message)


def _known(value: str, allowed: Sequence[str], where: str, what: str) -> None:
    if value not in allowed:
        shown = value if len(value) <= 40 else value[:37] + "..."
        raise ValidationFailed(f"{where}: {shown!r} is not one of the {what} ids ({', '.join(allowed)})")


def _id_list(raw: Any, where: str) -> list[str]:
    is_list = isinstance(raw, (list, tuple)) and all(isinstance(choice, str) for choice in raw)
    _require(is_list, f"{where}: the response must be a list of option ids")
    return [str(choice) for choice in raw]


def _no_repeats(ids: Sequence[str], where: str) -> None:
    repeated = sorted({choice for choice in ids if ids.count(choice) > 1})
    _require(not repeated, f"{where}: option id(s) given more than once: {', '.join(repeated)}")


def _text(raw: str, where: str, limit: int) -> str:
    _require(len(raw) <= limit, f"{where}: the text is longer than {limit} characters")
    # PostgreSQL cannot store NUL in text or jsonb; no person types one.
    _require("\x00" not in raw, f"{where}: the text contains a NUL character")
    return raw.strip()


def _parse_number_text(text: str, where: str, locale: str | None) -> float:
    try:
        return float(parse_number(text, locale))
    except UnreadableNumber as error:
        if not error.ambiguous:
            raise ValidationFailed(N_("%(where)s: the response must be a number"), where=where) from None
        raise ValidationFailed(
            AMBIGUOUS_NUMBER, code="ambiguous_number", text=text.strip()[:64], **number_hint(locale)) from None


def number_hint(locale: str | None) -> dict[str, str]:
    """The decimal mark and an example number the launch locale's way (for the ambiguity message)."""
    return {"mark": symbols(locale).decimal, "example": format_number(1234.5, locale)}
