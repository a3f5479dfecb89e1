"""One attempt, one number: the results page, the PDF certificate, the signed credential and the LMS gradebook agree.

The learner masters a unit with one item left blank, so the score has more decimals than any of the four shows;
each shows it rounded by the one rule (``lti_tool.assessment.numbers.percent_value``: one decimal, halves up).
"""

from __future__ import annotations

import io
import re

import pypdf
import pytest
import requests

from lti_tool.assessment.numbers import percent_value
from tests.conftest import LEARNER, LiveTool
from tests.integration.assessment.helpers import launch_learner
from tests.lti_platform import TestPlatform
from tests.support.catalogue import shipped_unit
from tests.unit_files import item_index, key_response

UNIT = "building-energy-efficient-envelope"


@pytest.mark.parametrize(("value", "shown"), [(0.8125, 81.3), (0.825, 82.5), (0.95238095, 95.2), (0.99951, 100.0),
                                              (2 / 3, 66.7), (0.0, 0.0), (1.0, 100.0), (0.00049, 0.0)])
def test_the_rule_is_one_decimal_with_halves_up(value: float, shown: float) -> None:
    assert percent_value(value) == shown


def test_page_pdf_credential_and_gradebook_show_the_same_number(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    learner = launch_learner(tool, platform, UNIT, LEARNER)
    attempt = learner.api("POST", "/api/attempts", {"unit": UNIT}).json()
    index = item_index(shipped_unit(UNIT))
    for item in attempt["items"][1:]:  # the first item stays blank
        learner.api("PUT", f"/api/attempts/{attempt['id']}/responses/{item['id']}",
                    {"response": key_response(index[item["id"]][1])})
    result = learner.api("POST", f"/api/attempts/{attempt['id']}/submit").json()
    assert result["mastered"] is True
    exact = result["score"] * 100
    assert round(exact, 1) != round(exact, 2), f"{exact} needs rounding for the test to mean anything"
    expected = percent_value(result["score"])

    unit_page = learner.http.get(f"{tool.url}/units/{UNIT}", timeout=10).text
    token = re.search(r'<meta name="launch-session" content="([^"]+)"', unit_page).group(1)
    page = learner.http.get(f"{tool.url}/units/{UNIT}/attempts/{attempt['id']}", params={"ls": token}, timeout=10)
    shown_on_page = re.search(r"Overall score:\s*<strong>([\d.]+)\s*%</strong>", page.text).group(1)

    [mine] = learner.api("GET", "/api/me/credentials").json()["credentials"]
    document = requests.get(mine["url"], headers={"Accept": "application/ld+json"}, timeout=10).json()
    overall = next(r for r in document["credentialSubject"]["result"]
                   if r["resultDescription"].endswith("/results/overall"))

    pdf = requests.get(mine["url"].removesuffix("/") + ".pdf", timeout=10)
    assert pdf.status_code == 200, pdf.text[:200]
    pdf_text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages).split())
    shown_in_pdf = re.search(r"overall result of ([\d.]+) %", pdf_text).group(1)

    tool.cli("grades", "deliver", "--once")
    [score] = platform.scores

    assert float(shown_on_page) == float(overall["value"]) == float(shown_in_pdf) == score["scoreGiven"] == expected
