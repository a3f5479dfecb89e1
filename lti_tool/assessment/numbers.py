"""A number as a learner types it: the launch locale's decimal mark or a point, never a silent misreading.

Pure module (Babel's CLDR data, no Flask). The rule, the same in the page's check (attempt.js) and here:
- digits with one separator: that separator is the decimal mark ("3,5" and "3.5" are 3.5 everywhere), unless it
  is the locale's thousands separator followed by exactly three digits ("1.234" in Italian, "1,234" in English):
  that could be either, so it is refused as ambiguous;
- more separators: only a number written exactly as the locale groups it ("1.234,5" in Italian) is accepted;
  anything else ("1.234,5" in English) is ambiguous;
- spaces between digit groups are read as thousands separators where the locale uses a space (fi, bg, fr).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)

from lti_tool.percent import percent_value

__all__ = ["NumberSymbols", "UnreadableNumber", "format_number", "format_percentage", "parse_number", "percent_value",
           "symbols"]

_SPACES = re.compile(r"(?<=\d)[\s\u00a0\u202f\u2009]+(?=\d)")
_PLAIN = re.compile(r"^[+-]?\d*[.,]?\d+$|^[+-]?\d+[.,]?$")
_EXPONENT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+$")
_GROUPED_LOOKING = re.compile(r"^[+-]?\d{1,3}[.,]\d{3}$")
MAX_LENGTH = 64


@dataclass(frozen=True)
class NumberSymbols:
    """The locale's decimal mark and thousands separator (CLDR)."""

    decimal: str
    group: str


class UnreadableNumber(ValueError):
    """Text that is not a number (``ambiguous`` False) or can be read as two numbers (``ambiguous`` True)."""

    def __init__(self, text: str, *, ambiguous: bool) -> None:
        super().__init__(text)
        self.text = text
        self.ambiguous = ambiguous


def _locale(tag: str | None) -> Locale:
    try:
        return Locale.parse((tag or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def symbols(tag: str | None) -> NumberSymbols:
    """Decimal mark and group separator of a locale tag ("it", "bg-BG", "fr_BE"); English for an unknown tag."""
    locale = _locale(tag)
    return NumberSymbols(decimal=get_decimal_symbol(locale), group=get_group_symbol(locale))


def parse_number(text: str, tag: str | None) -> Decimal:
    """The number a learner typed, read with the launch locale; raise UnreadableNumber."""
    locale = _locale(tag)
    marks = symbols(tag)
    cleaned = text.strip()
    if len(cleaned) > MAX_LENGTH:
        raise UnreadableNumber(text, ambiguous=False)
    if _SPACES.search(cleaned):
        if not marks.group.isspace():
            raise UnreadableNumber(text, ambiguous=False)
        cleaned = _SPACES.sub(marks.group, cleaned)
    if _EXPONENT.match(cleaned):
        return Decimal(cleaned)
    if _PLAIN.match(cleaned):
        if _GROUPED_LOOKING.match(cleaned) and cleaned.lstrip("+-")[-4] == marks.group:
            raise UnreadableNumber(text, ambiguous=True)
        return _decimal(cleaned.replace(",", "."), text)
    if not re.fullmatch(r"[+-]?[\d.,\s\u00a0\u202f]+", cleaned) or not any(ch.isdigit() for ch in cleaned):
        raise UnreadableNumber(text, ambiguous=False)
    try:
        return parse_decimal(cleaned, locale=locale, strict=True)
    except NumberFormatError:
        raise UnreadableNumber(text, ambiguous=True) from None


def _decimal(text: str, original: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise UnreadableNumber(original, ambiguous=False) from None


def format_number(value: float | Decimal, tag: str | None) -> str:
    """A number written the locale's way without thousands separators (what the learner would type)."""
    return format_decimal(value, format="0.##########", locale=_locale(tag), group_separator=False)


def format_percentage(fraction: float, tag: str | None) -> str:
    """A score as the locale writes a percentage, with at most one decimal ("82,5 %" in French, "82.5%" in English)."""
    locale = _locale(tag)
    number = format_decimal(percent_value(fraction), format="#,##0.#", locale=locale)
    pattern = locale.percent_formats[None].pattern  # e.g. "#,##0\u00a0%": only the number and the sign change
    head, _, tail = pattern.partition(";")[0].partition("#,##0")
    return f"{head}{number}{tail}".replace("%", locale.number_symbols.get("latn", {}).get("percentSign", "%"))
