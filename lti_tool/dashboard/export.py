"""CSV for spreadsheet users (pure): UTF-8 with a BOM, CRLF rows, formula injection neutralised."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

BOM = "\ufeff"  # Excel reads a BOM-less CSV as the locale's code page and garbles accented names
# A cell a spreadsheet would run as a formula (OWASP "CSV Injection"): = + - @, and tab / CR that some
# programs skip before looking at the first character.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9_-]+")

Cell = str | int | float | bool | None


def safe_cell(value: Cell) -> str:
    """One cell as text; text that starts like a formula gets a leading apostrophe so it stays text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)  # a number is never a formula
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """The whole file: BOM, header, one line per row, every cell through safe_cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 line ends
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return (BOM + out.getvalue()).encode("utf-8")


def filename(*parts: str) -> str:
    """A download name made of safe characters only (it goes into a Content-Disposition header)."""
    stem = "-".join(p for p in (_UNSAFE_FILENAME.sub("-", part).strip("-") for part in parts) if p)
    return f"{stem or 'export'}.csv"
