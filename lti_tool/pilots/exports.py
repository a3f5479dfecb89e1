"""The pilot figures as CSV, XLSX (openpyxl) and a printable PDF report (fpdf2); the same tables in each."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import Any

from fpdf import FPDF
from openpyxl import Workbook

from lti_tool.credentials.exports.pdf import find_font
from lti_tool.dashboard.export import csv_bytes, safe_cell
from lti_tool.pilots.figures import COLUMNS, Figures

Translate = Callable[[str], str]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def tables(figures: Figures, label: Callable[[str], str]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(title, header, rows) of every table: groups, outcomes, targets."""
    groups = [[label(f"level:{r.level}"), r.key, r.label, *(_cell(r.values.get(c)) for c in COLUMNS)]
              for r in figures.rows]
    outcomes = [[o.unit, o.outcome, o.title, o.learners, o.met, _cell(o.rate)] for o in figures.outcomes]
    t = figures.targets
    targets = [[label("pilots_running"), t.pilots_running, t.pilots_target],
               [label("learners_reached"), t.learners_reached, t.learners_target],
               *([label("skills") + f" · {label('sector:' + s)}", n, t.skills_target]
                 for s, n in t.skills_by_sector.items())]
    return [
        (label("title:groups"), [label("level"), label("key"), label("name"), *(label(c) for c in COLUMNS)], groups),
        (label("title:outcomes"), [label("unit"), label("outcome"), label("name"), label("learners"), label("met"),
                                   label("rate")], outcomes),
        (label("title:targets"), [label("measure"), label("reached"), label("target")], targets),
    ]


def to_csv(figures: Figures, label: Callable[[str], str]) -> bytes:
    """One CSV file: the three tables one after the other, each with a title line."""
    lines: list[Sequence[Any]] = []
    for title, header, rows in tables(figures, label):
        lines.extend([[title], header, *rows, []])
    return csv_bytes(lines[0], lines[1:])


def to_xlsx(figures: Figures, label: Callable[[str], str]) -> bytes:
    """One sheet per table (texts that look like formulas stay text)."""
    book = Workbook()
    if (default := book.active) is not None:  # a new workbook starts with one empty sheet
        book.remove(default)
    for title, header, rows in tables(figures, label):
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append([safe_cell(v) if isinstance(v, str) else v for v in row])
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _Report(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="landscape", format="A4")
        font = find_font()
        self.family_name = "Helvetica"
        if font is not None:
            self.add_font("Body", "", str(font[0]))
            self.add_font("Body", "B", str(font[1]))
            self.family_name = "Body"
        self.report_title = title
        self.set_title(title)
        self.set_auto_page_break(auto=True, margin=12)

    def text_of(self, value: Any) -> str:
        text = str(_cell(value))
        return text if self.family_name == "Body" else text.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(self.family_name, "", 7)
        self.cell(0, 5, self.text_of(f"{self.report_title} · {self.page_no()}"), align="C")


def to_pdf(figures: Figures, label: Callable[[str], str], title: str, generated: dt.datetime) -> bytes:
    """A printable report: title, date, then each table (long tables flow over pages, header repeated)."""
    pdf = _Report(title)
    pdf.add_page()
    pdf.set_font(pdf.family_name, "B", 16)
    pdf.cell(0, 10, pdf.text_of(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family_name, "", 9)
    pdf.cell(0, 6, pdf.text_of(generated.strftime("%Y-%m-%d %H:%M UTC")), new_x="LMARGIN", new_y="NEXT")
    for name, header, rows in tables(figures, label):
        pdf.ln(3)
        pdf.set_font(pdf.family_name, "B", 12)
        pdf.cell(0, 8, pdf.text_of(name), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(pdf.family_name, "", 6 if len(header) > 8 else 9)
        with pdf.table(repeat_headings=1, text_align="LEFT") as table:
            for line in [header, *rows]:
                row = table.row()
                for value in line:
                    row.cell(pdf.text_of(value))
    return bytes(pdf.output())
