"""Items as xAPI cmi.interaction activities: interactionType, correctResponsesPattern, response strings.

Spec: xAPI 1.0.3 Data, 2.4.4.1.3 "Interaction Activities" (response patterns use the delimiters
`[,]` between entries, `[.]` between a matching pair and `[:]` between the bounds of a numeric range).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from lti_tool.catalogue.items import (
    Choice,
    Item,
    ItemType,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Practical,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from lti_tool.xapi.profile import ActivityType
from lti_tool.xapi.refs import Response, Text

INTERACTION_TYPE: Mapping[ItemType, str] = {
    ItemType.SINGLE_CHOICE: "choice",
    ItemType.MULTIPLE_RESPONSE: "choice",
    ItemType.TRUE_FALSE: "true-false",
    ItemType.NUMERIC: "numeric",
    ItemType.ORDERING: "sequencing",
    ItemType.MATCHING: "matching",
    ItemType.SHORT_TEXT: "fill-in",
    # A practical task is scored by a teacher against a rubric: no pattern can describe it.
    ItemType.PRACTICAL: "other",
}


def language_map(text: Text) -> dict[str, str]:
    """A unit-file text (string = English, or a language map) as an xAPI language map."""
    # Empty strings are dropped: xAPI forbids empty values (an empty map means "leave the field out").
    if isinstance(text, str):
        return {"en": text} if text else {}
    return {lang: value for lang, value in text.items() if value}


def format_number(value: float | int | Decimal | str) -> str:
    """A number as the shortest exact decimal string (2.0 -> "2", 0.1 -> "0.1")."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _joined(ids: Sequence[str]) -> str:
    return "[,]".join(ids)


def _pairs(pairs: Sequence[tuple[str, str]]) -> str:
    return "[,]".join(f"{left}[.]{right}" for left, right in pairs)


def _components(options: Sequence[Choice]) -> list[dict[str, Any]]:
    components = []
    for option in options:
        component: dict[str, Any] = {"id": option.id}
        if description := language_map(option.text):
            component["description"] = description
        components.append(component)
    return components


def correct_responses_pattern(item: Item) -> list[str] | None:
    """The item's answer key as xAPI correctResponsesPattern (None when it has none)."""
    match item:
        case Practical():
            return None
        case SingleChoice():
            patterns = [item.correct]
        case MultipleResponse():
            patterns = [_joined(item.correct)]
        case Ordering():
            patterns = [_joined(item.order)]
        case TrueFalse():
            patterns = ["true" if item.correct else "false"]
        case Numeric():
            value = Decimal(str(item.value))
            tolerance = abs(Decimal(str(item.tolerance)))
            patterns = [
                format_number(value)
                if tolerance == 0
                else f"{format_number(value - tolerance)}[:]{format_number(value + tolerance)}"
            ]
        case Matching():
            patterns = [_pairs(item.pairs)]
        case ShortText():
            # Each accepted string is an alternative correct response (case does not matter by default).
            patterns = list(item.accepted)
    # Ralph (and xAPI's "no empty values") refuse empty strings: an empty key has no pattern.
    patterns = [pattern for pattern in patterns if pattern]
    return patterns or None


def interaction_definition(item: Item) -> dict[str, Any]:
    """The `definition` of an item's cmi.interaction activity (type, prompt, components, key)."""
    definition: dict[str, Any] = {
        "type": ActivityType.INTERACTION.value,
        "interactionType": INTERACTION_TYPE[item.type],
    }
    if description := language_map(item.prompt):
        definition["description"] = description
    pattern = correct_responses_pattern(item)
    if pattern is not None:
        definition["correctResponsesPattern"] = pattern
    match item:
        case SingleChoice() | MultipleResponse() | Ordering() if item.options:
            definition["choices"] = _components(item.options)
        case Matching():
            # The author's two sides as they are: an option with no pair in the key (a distractor) is still a source.
            definition["source"] = _components(item.options)
            definition["target"] = _components(item.targets)
            definition = {k: v for k, v in definition.items() if v != []}
    return definition


def format_response(item: Item, response: Response) -> str | None:
    """A learner's response in the xAPI response format of the item's type (None if there is none)."""
    if response is None:
        return None
    match item.type:
        case ItemType.TRUE_FALSE:
            if not isinstance(response, bool):
                raise ValueError(f"item {item.id}: a true/false response must be a bool")
            text = "true" if response else "false"
        case ItemType.MULTIPLE_RESPONSE | ItemType.ORDERING:
            if isinstance(response, (str, bytes, Mapping)):
                raise ValueError(f"item {item.id}: expected a list of option ids")
            text = _joined([str(choice) for choice in response])  # type: ignore[union-attr]
        case ItemType.MATCHING:
            if not isinstance(response, Mapping):
                raise ValueError(f"item {item.id}: expected a map of left id -> right id")
            text = _pairs([(str(left), str(right)) for left, right in response.items()])
        case ItemType.NUMERIC:
            if isinstance(response, bool) or not isinstance(response, (int, float, str)):
                raise ValueError(f"item {item.id}: a numeric response must be a number")
            text = format_number(response)
        case _:
            text = str(response)
    return text or None
