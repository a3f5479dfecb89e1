"""One problem in a unit file, addressed by a dotted/indexed field path such as outcomes[1].items[0].answer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeGuard


@dataclass(frozen=True)
class FieldError:
    """A problem at one field of a unit; `field` is "" for the whole file, `line` is set for YAML errors."""

    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.field or (f"line {self.line}" if self.line is not None else "(file)")
        return f"{where}: {self.message}"


def format_path(parts: Iterable[str | int]) -> str:
    """Join path parts as `outcomes[1].items[0].answer` (ints become [i], keys join with dots)."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def is_number(value: object) -> TypeGuard[float]:
    """A number in a unit file (YAML's true/false are not numbers, though Python counts a bool as an int)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)
