"""The pilot dashboard from the tool's database: figures per pilot, outcome, targets; charts; CSV/XLSX/PDF."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import LiveTool
from tests.integration.dashboard.helpers import submit_attempt
from tests.integration.pilots.helpers import create_pilot, launch, make_coordinator, sign_in
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform

COURSE_B = {"id": "course-b", "label": "B", "title": "Course B",
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection"]}


class _Cells(HTMLParser):
    """data-level/data-key rows → {figure: text}; data-outcome rows → cells; data-target rows → cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self.outcomes: dict[str, list[str]] = {}
        self.targets: dict[str, list[str]] = {}
        self._row: dict[str, str] | None = None
        self._list: list[str] | None = None
        self._cell: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "tr" and "data-level" in a:
            self._row = self.rows.setdefault(f"{a['data-level']}:{a['data-key']}", {})
        elif tag == "tr" and "data-outcome" in a:
            self._list = self.outcomes.setdefault(a["data-outcome"], [])
        elif tag == "tr" and "data-target" in a:
            self._list = self.targets.setdefault(a["data-target"], [])
        elif tag == "td" and self._row is not None and "data-figure" in a:
            self._cell = a["data-figure"]
            self._row[self._cell] = ""
        elif tag in ("td", "th") and self._list is not None:
            self._list.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row, self._list = None, None
        elif tag == "td":
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._row is not None and self._cell is not None:
            self._row[self._cell] += data.strip()
        elif self._list is not None and self._list:
            self._list[-1] += data.strip()


def cells(html: str) -> _Cells:
    parser = _Cells()
    parser.feed(html)
    return parser


@pytest.fixture
def journeys(registered: tuple[LiveTool, TestPlatform]) -> dict[str, Any]:
    """Pilot it-manu-1: course-1 (4 learners) and course-b (1 learner); pilot be-wood-1 has no course."""
    tool, platform = registered
    create_pilot(tool, "it-manu-1", target=10)
    create_pilot(tool, "be-wood-1", sector="wood", country="BE", target=20)
    people = {name: PlatformUser(sub=name, name=name.title()) for name in ("ana", "ben", "cy", "dee", "eli")}
    ana, _ = launch(tool, platform, people["ana"], custom={"pilot": "it-manu-1"})
    ben, _ = launch(tool, platform, people["ben"])
    cy, _ = launch(tool, platform, people["cy"])
    launch(tool, platform, people["dee"])  # only launched
    eli, _ = launch(tool, platform, people["eli"], context=COURSE_B, custom={"pilot": "it-manu-1"},
                    resource_link={"id": "rl-b", "title": "B"})
    submit_attempt(ana, {"lo1", "lo2", "lo3"})  # mastered at the first attempt
    submit_attempt(ben, {"lo1"})  # lo1 only …
    submit_attempt(ben, {"lo1", "lo2", "lo3"})  # … then mastered at the second
    submit_attempt(cy, {"lo1", "lo2"})  # not mastered
    submit_attempt(eli, {"lo1", "lo2", "lo3"})
    make_coordinator(tool)
    http, answer = sign_in(tool)
    assert answer.status_code == 303
    return {"tool": tool, "platform": platform, "http": http}


def test_overview_counts_each_stage_per_pilot_unit_and_outcome(journeys: dict[str, Any]) -> None:
    tool, http = journeys["tool"], journeys["http"]
    page = http.get(tool.url + "/pilots", timeout=60)
    assert page.status_code == 200, page.text[:300]
    found = cells(page.text)
    pilot = found.rows["pilot:it-manu-1"]
    assert {k: pilot[k] for k in ("enrolled", "launched", "attempted", "mastered", "credentials_issued",
                                  "credentials_revoked")} == {
        "enrolled": "5", "launched": "5", "attempted": "4", "mastered": "3", "credentials_issued": "3",
        "credentials_revoked": "0"}
    assert pilot["attempts_to_mastery"] == "1.33"  # ana 1, ben 2, eli 1
    assert re.fullmatch(r"\d+\.\d", pilot["median_minutes"])
    assert found.rows["pilot:be-wood-1"]["launched"] == "0"
    assert found.rows["country:IT"]["mastered"] == "3" and found.rows["sector:manufacturing"]["attempted"] == "4"
    assert found.rows["unit:manufacturing-circular-design"]["mastered"] == "3"
    assert found.rows["project:all"]["launched"] == "5"
    # Outcome lo1: met by all 4 learners who submitted; lo3 by 3 of 4.
    assert found.outcomes["manufacturing-circular-design/lo1"][2:] == ["4", "4", "100.0"]
    assert found.outcomes["manufacturing-circular-design/lo3"][2:] == ["4", "3", "75.0"]
    assert found.targets["pilots_running"][1:] == ["2", "13"]
    assert found.targets["learners_reached"][1:] == ["5", "≥ 100"]
    assert found.targets["skills:manufacturing"][1] == "4"  # the unit names 4 ESCO skills
    assert found.targets["skills:wood"][1] == "0"
    # Questionnaire cells stay empty below 5 answers.
    assert "fewer than 5 answers" in pilot["relevance"]
    # Every chart is an image with a text alternative, and its SVG is served without scripts running.
    for src in re.findall(r'<img src="([^"]+\.svg)" alt="([^"]+)"', page.text):
        chart = http.get(tool.url + src[0], timeout=60)
        assert chart.status_code == 200 and chart.headers["Content-Type"].startswith("image/svg+xml")
        assert "script-src" not in chart.headers["Content-Security-Policy"]
        assert "<svg" in chart.text and "http" not in re.sub(r'xmlns(:xlink)?="[^"]+"', "", chart.text).split(
            "<!--")[0]
    assert len(re.findall(r'<img src="[^"]+\.svg" alt="', page.text)) == 3


def test_one_pilots_page_and_its_exports_carry_the_same_figures(journeys: dict[str, Any]) -> None:
    tool, http = journeys["tool"], journeys["http"]
    page = http.get(tool.url + "/pilots/it-manu-1", timeout=60)
    assert page.status_code == 200
    assert 'data-context="course-1"' in page.text and 'data-context="course-b"' in page.text
    shown = cells(page.text).rows["pilot:it-manu-1"]
    body = http.get(tool.url + "/pilots/it-manu-1/export.csv", timeout=60)
    assert body.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in body.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig"))))
    header = lines[1]
    row = next(line for line in lines if len(line) > 2 and line[1] == "it-manu-1")
    as_csv = dict(zip(header, row, strict=True))
    assert as_csv["Mastered"] == shown["mastered"] == "3" and as_csv["Launched"] == "5"
    xlsx = http.get(tool.url + "/pilots/it-manu-1/export.xlsx", timeout=60)
    book = load_workbook(io.BytesIO(xlsx.content))
    sheet = book["Figures"]
    rows = list(sheet.iter_rows(values_only=True))
    pilot_row = dict(zip(rows[0], next(r for r in rows if r[1] == "it-manu-1"), strict=True))
    assert pilot_row["Mastered"] == 3 and pilot_row["Attempts to mastery (mean)"] == 1.33
    assert {"Figures", "Outcomes", "Targets"} <= set(book.sheetnames)
    pdf = http.get(tool.url + "/pilots/it-manu-1/export.pdf", timeout=60)
    assert pdf.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "MASTERY pilot report" in text and "it-manu-1" in text


def test_the_dashboard_speaks_the_coordinators_language(journeys: dict[str, Any]) -> None:
    tool = journeys["tool"]
    make_coordinator(tool, "coord-it", locale="it")
    http, _ = sign_in(tool, "coord-it")
    page = http.get(tool.url + "/pilots", timeout=60)
    assert '<html lang="it"' in page.text and "Discenti raggiunti" in page.text
    csv_it = http.get(tool.url + "/pilots/export.csv", timeout=60).content.decode("utf-8-sig")
    assert "Padroneggiato" in csv_it or "Tasso di padronanza" in csv_it


def test_a_teacher_launch_is_refused_even_with_a_pilot_course(journeys: dict[str, Any]) -> None:
    tool, platform = journeys["tool"], journeys["platform"]
    teacher, _ = launch(tool, platform, PlatformUser(sub="t9", name="T"), roles=[LtiRoles.INSTRUCTOR])
    assert teacher.http.get(tool.url + "/pilots/it-manu-1", timeout=30).status_code == 403
