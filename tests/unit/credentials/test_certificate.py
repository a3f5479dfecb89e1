"""Printable certificate: a real PDF with the Annex I elements in plain language and a QR code that decodes."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import io
from typing import Any

import pypdf
import pytest
from PIL import Image

from lti_tool.credentials.exports.pdf import certificate_pdf, find_font
from lti_tool.credentials.exports.qr import qr_png, qr_svg
from lti_tool.credentials.exports.reader import present
from lti_tool.credentials.issuing.builder import build_credential
from lti_tool.credentials.issuing.inputs import IssuerInfo, LearnerInfo, UnitInfo

URL = "https://mastery.example/credentials/3f1c9a52-8d2e-4c55-9a51-0c6d2d1b8e11"


def pdf_text(pdf: bytes) -> str:
    """All text of the PDF, whitespace collapsed (line breaks fall anywhere in long lines)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def decode_qr(image: Image.Image) -> list[str]:
    """Texts of the QR codes in ``image`` (zxing-cpp)."""
    zxingcpp = pytest.importorskip("zxingcpp")
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_pdf_has_every_element_in_plain_language(credential: dict[str, Any], unit: UnitInfo) -> None:
    pdf = certificate_pdf(credential, URL)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in (
        "Ada Lovelace",
        unit.title,
        "MASTERY test issuer",
        "Lombardia, Italy",
        "November 20, 2026",
        "European Qualifications Framework level 5",
        "1 ECTS (25 hours of learning)",
        "Type of assessment testing",
        "Form of participation Online",
        "Quality assurance internal review by the awarding body",
        "Learning outcome LO1: Explain sustainable forest certification - 90 %, achieved",
        "ESCO skills: sustainable forest management",
        "ESCO skills: wood preservation",
        "overall result of 82.5 %",
        URL,
    ):
        assert expected in text, expected


def test_qr_in_the_pdf_decodes_to_the_verification_url(credential: dict[str, Any]) -> None:
    reader = pypdf.PdfReader(io.BytesIO(certificate_pdf(credential, URL)))
    images = [image.image for page in reader.pages for image in page.images]
    assert len(images) == 1
    assert decode_qr(images[0]) == [URL]


def test_pdf_link_points_at_the_verification_url(credential: dict[str, Any]) -> None:
    reader = pypdf.PdfReader(io.BytesIO(certificate_pdf(credential, URL)))
    links = [a.get_object()["/A"]["/URI"] for a in reader.pages[0].get("/Annots", [])]
    assert URL in links


@pytest.mark.skipif(find_font() is None, reason="no DejaVu TrueType font installed (fonts-dejavu-core)")
def test_unicode_names_print_as_written(
    issuer: IssuerInfo, learner: LearnerInfo, unit: UnitInfo, issued: dt.datetime
) -> None:
    name = "Łukasz Żółć-Ørsted Ἀθηνᾶ Андрей"
    document = build_credential(
        credential_id="urn:uuid:1",
        issuer=issuer,
        learner=dataclasses.replace(learner, name=name),
        unit=unit,
        overall_score=0.5,
        issued=issued,
        achievement_base_url="https://mastery.example/achievements",
    )
    assert name in pdf_text(certificate_pdf(document, URL))


def test_learner_without_a_name(credential: dict[str, Any]) -> None:
    anonymous = copy.deepcopy(credential)
    anonymous["credentialSubject"]["identifier"] = [
        i for i in anonymous["credentialSubject"]["identifier"] if i["identityType"] != "name"
    ]
    assert "(name not provided by the learning platform)" in pdf_text(certificate_pdf(anonymous, URL))


def test_five_long_outcomes_still_fit(credential: dict[str, Any]) -> None:
    long = copy.deepcopy(credential)
    descriptions = long["credentialSubject"]["achievement"]["resultDescription"]
    extra = copy.deepcopy(descriptions[1])
    for n in range(3, 9):
        item = copy.deepcopy(extra)
        item["id"] = item["id"].replace("LO1", f"LO{n}")
        item["name"] = f"Learning outcome LO{n}: " + "a rather long outcome title " * 4
        descriptions.append(item)
    pdf = certificate_pdf(long, URL)
    assert "LO8" in pdf_text(pdf)
    images = [i.image for p in pypdf.PdfReader(io.BytesIO(pdf)).pages for i in p.images]
    assert decode_qr(images[0]) == [URL]


def test_learner_page_qr_png_and_svg() -> None:
    png = Image.open(io.BytesIO(qr_png(URL)))
    assert png.format == "PNG"
    assert decode_qr(png) == [URL]
    svg = qr_svg(URL, title="Verification link")
    assert svg.startswith("<svg") and 'class="qr-code"' in svg and "<title>Verification link</title>" in svg


def test_pdf_prints_what_the_page_reads(credential: dict[str, Any]) -> None:
    # One reader (exports/reader.py) for the public page and the PDF: every fact it reads is on the paper too.
    view = present(credential)
    text = pdf_text(certificate_pdf(credential, URL))
    facts = [view.title, view.learner_name, view.awarding_body, view.country, view.region, view.issued,
             view.overall, view.ects, view.eqf_level, view.assessment, view.participation, view.quality_assurance,
             view.credential_id]
    facts += [f"{o.name} - {o.result}, {'achieved' if o.met else 'not achieved'}" for o in view.outcomes]
    facts += [skill.label for o in view.outcomes for skill in o.skills]
    assert view.outcomes and all(facts), facts
    for fact in facts:
        assert fact in text, fact


def test_country_code_alone_is_named_from_the_one_country_table(credential: dict[str, Any]) -> None:
    coded = copy.deepcopy(credential)
    coded["issuer"]["address"].pop("addressCountry", None)
    coded["issuer"]["address"]["addressCountryCode"] = "CH"  # not an EU state: only the ELM table had it
    assert present(coded).country == "Switzerland (CH)"
    assert "Switzerland (CH)" in pdf_text(certificate_pdf(coded, URL))


NEEDS_FONT = pytest.mark.skipif(find_font() is None, reason="Cyrillic needs the DejaVu TrueType font")
# The certificate's fixed English sentences: none may remain in a certificate of a credential in another language.
ENGLISH_SENTENCES = ("MICRO-CREDENTIAL", "This certifies that", "has been awarded the micro-credential",
                     "overall result of", "Awarding body", "Date of issuing", "European Qualifications Framework",
                     "Notional workload", "hours of learning", "Type of assessment", "Form of participation",
                     "Quality assurance", "Learning outcome", "achieved", "ESCO skills", "Check this credential",
                     "This paper copy", "Credential id", "November")


@pytest.mark.parametrize(("language", "certifies", "overall"), [("it", "Si certifica che", "82,5 %"),
                                                                ("fi", "Täten todistetaan, että", "82,5 %"),
                                                                pytest.param("bg", "С настоящото се удостоверява, че",
                                                                             "82,5 %", marks=NEEDS_FONT)])
def test_a_credential_in_another_language_prints_its_certificate_in_it(
        issuer: IssuerInfo, learner: LearnerInfo, unit: UnitInfo, issued: dt.datetime, language: str,
        certifies: str, overall: str) -> None:
    document = build_credential(credential_id="urn:uuid:2", issuer=issuer, learner=learner,
                                unit=dataclasses.replace(unit, language=language), overall_score=0.825, issued=issued,
                                achievement_base_url="https://mastery.example/achievements")
    text = pdf_text(certificate_pdf(document, URL))
    assert [sentence for sentence in ENGLISH_SENTENCES if sentence in text] == []
    assert certifies in text and overall in text
    view = present(document)
    assert view.language == language
    assert [o.title for o in view.outcomes] == [o.title for o in unit.outcomes]  # the translated prefix is read off
