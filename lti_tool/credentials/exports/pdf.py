"""Printable PDF certificate of a MASTERY credential (fpdf2): the Annex I elements in plain language + a QR code.

The certificate is written in the credential's own language (its achievement's ``inLanguage``), every fixed
sentence from the tool's catalogue, dates the language's way (Babel).

The PDF is a human-readable copy, not the credential: the QR code and the printed link lead to the public
verification page, where the signed original is checked. It prints what the one reader of a credential
(exports/reader.py, which the public page uses too) reads from our own OB 3.0 credential document.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from lti_tool.credentials.exports.qr import qr_png
from lti_tool.credentials.exports.reader import CredentialView, present
from lti_tool.errors import N_
from lti_tool.locales import SUPPORTED_LOCALES, country_name, translations

# A Unicode TrueType font (learner names are in every EU script); Debian's fonts-dejavu-core installs these.
FONT_CANDIDATES = (
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf")),
)


# The form of participation as the certificate names it (the credential keeps the EU vocabulary's code).
PARTICIPATION = {"online": N_("Online"), "blended": N_("Blended (online and in person)")}


class _Certificate(FPDF):
    def __init__(self, font: Sequence[Path] | None) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)
        if font is not None:
            self.add_font("Body", "", str(font[0]))
            self.add_font("Body", "B", str(font[1]))
            self.family_name = "Body"
        else:
            self.family_name = "Helvetica"

    def text_safe(self, text: str) -> str:
        # The core Helvetica font only covers Latin-1: without a TrueType font, replace what it cannot draw.
        if self.family_name == "Helvetica":
            return text.encode("latin-1", "replace").decode("latin-1")
        return text

    def para(self, text: str, size: float = 10, bold: bool = False, height: float = 5.5) -> None:
        self.set_font(self.family_name, "B" if bold else "", size)
        self.multi_cell(0, height, align="L", text=self.text_safe(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def fact(self, label: str, value: str) -> None:
        self.set_font(self.family_name, "B", 10)
        self.cell(62, 6, self.text_safe(label))
        self.set_font(self.family_name, "", 10)
        self.multi_cell(0, 6, align="L", text=self.text_safe(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def find_font() -> tuple[Path, Path] | None:
    """A regular + bold Unicode TrueType font on this machine, or None (Helvetica, Latin-1 only)."""
    return next(((r, b) for r, b in FONT_CANDIDATES if r.is_file() and b.is_file()), None)


@dataclass(frozen=True)
class Revocation:
    """When and why the issuer revoked the credential (printed on every copy made afterwards)."""

    at: dt.datetime
    reason: str


def _percent(value: float | None, fallback: str, language: str) -> str:
    # The credential's percentage with the language's decimal mark ("82,5 %"), as the reader wrote it otherwise.
    return f"{format_decimal(value, format='#,##0.#', locale=language)} %" if value is not None else fallback


def _date(moment: dt.datetime | None, fallback: str, language: str) -> str:
    return format_date(moment, "long", locale=language) if moment is not None else fallback


def render_pdf(view: CredentialView, verification_url: str, *, font: Sequence[Path] | None = None,
               revocation: Revocation | None = None) -> bytes:
    """The certificate as PDF bytes (A4, one page for up to about eight outcomes), in the credential's language."""
    language = view.language if view.language in SUPPORTED_LOCALES else "en"
    texts = translations(language)
    _, ngettext = texts.gettext, texts.ngettext

    def stated(text: str) -> str:
        return text or _("not stated")

    code = view.country_code
    country = f"{country_name(code, language)} ({code})" if code else view.country
    place = ", ".join(part for part in (view.region, country) if part)
    learner = view.learner_name or _("(name not provided by the learning platform)")
    issued = _date(view.issued_at, view.issued, language)
    pdf = _Certificate(font if font is not None else find_font())
    title = _("%(title)s - micro-credential of %(name)s") % {"title": view.title, "name": learner}
    pdf.set_title(_("REVOKED - %(title)s") % {"title": title} if revocation else title)
    pdf.set_author(view.awarding_body)
    if view.issued_at is not None:
        pdf.set_creation_date(view.issued_at)
    pdf.add_page()
    if revocation is not None:
        pdf.set_text_color(150, 20, 20)
        pdf.para(_("REVOKED on %(date)s because %(reason)s") % {
            "date": format_date(revocation.at, "long", locale=language), "reason": revocation.reason},
            14, bold=True, height=7)
        pdf.para(_("The issuer has withdrawn this credential: it is no longer valid."), 11)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(4)
    pdf.para(_("MICRO-CREDENTIAL"), 11, bold=True)
    pdf.para(", ".join(part for part in (view.awarding_body, place) if part), 10)
    pdf.ln(6)
    pdf.para(_("This certifies that"), 11)
    pdf.para(learner, 22, bold=True, height=11)
    pdf.para(_("has been awarded the micro-credential"), 11)
    pdf.para(view.title, 17, bold=True, height=9)
    pdf.para(_("on %(date)s, with an overall result of %(result)s.") % {
        "date": stated(issued), "result": stated(_percent(view.overall_value, view.overall, language))}, 11)
    pdf.ln(5)
    workload = ngettext("%(num)d hour of learning", "%(num)d hours of learning", view.hours) % {"num": view.hours}
    if view.minutes:
        workload += " " + ngettext("%(num)d minute", "%(num)d minutes", view.minutes) % {"num": view.minutes}
    participation = PARTICIPATION.get(view.participation)
    pdf.fact(_("Awarding body"), stated(view.awarding_body))
    pdf.fact(_("Country / region of the issuer"), stated(place))
    pdf.fact(_("Date of issuing"), stated(issued))
    pdf.fact(_("Level (EQF)"), _("European Qualifications Framework level %(level)s") % {
        "level": stated(view.eqf_level)})
    pdf.fact(_("Notional workload"), _("%(ects)s ECTS (%(workload)s)") % {
        "ects": stated(view.ects), "workload": workload if view.workload else stated("")})
    pdf.fact(_("Type of assessment"), stated(view.assessment))
    pdf.fact(_("Form of participation"), _(participation) if participation else stated(view.participation))
    pdf.fact(_("Quality assurance"), stated(view.quality_assurance))
    pdf.ln(3)
    pdf.para(_("Learning outcomes achieved"), 12, bold=True, height=7)
    for outcome in view.outcomes:
        line = _("%(outcome)s - %(result)s, achieved") if outcome.met else _("%(outcome)s - %(result)s, not achieved")
        result = _percent(outcome.result_value, outcome.result, language) or "? %"
        pdf.para(line % {"outcome": outcome.name, "result": result}, 10, bold=True)
        if outcome.skills:
            pdf.para(_("ESCO skills: %(skills)s") % {
                "skills": "; ".join(skill.label or skill.url for skill in outcome.skills)}, 9, height=5)
        pdf.ln(1)
    pdf.ln(3)
    top = pdf.get_y()
    if top > pdf.h - 65:
        pdf.add_page()
        top = pdf.get_y()
    pdf.image(
        io.BytesIO(qr_png(verification_url, scale=6)),
        x=pdf.l_margin,
        y=top,
        w=38,
        h=38,
        alt_text=_("QR code of %(url)s") % {"url": verification_url},
    )
    pdf.set_xy(pdf.l_margin + 44, top + 4)
    pdf.set_font(pdf.family_name, "B", 10)
    pdf.multi_cell(0, 5.5, align="L", text=pdf.text_safe(_("Check this credential online")), new_x=XPos.LEFT,
                   new_y=YPos.NEXT)
    pdf.set_font(pdf.family_name, "", 9)
    pdf.multi_cell(
        0,
        5,
        align="L",
        text=pdf.text_safe(_(
            "This paper copy is not the credential. Scan the code or open the address below to check the "
            "digitally signed original (Open Badges 3.0) and whether it is still valid."
        )),
        new_x=XPos.LEFT,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(0, 60, 140)
    pdf.multi_cell(0, 5, align="L", text=verification_url, link=verification_url, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(pdf.family_name, "", 7)
    pdf.multi_cell(0, 4, align="L", text=pdf.text_safe(_("Credential id: %(id)s") % {"id": view.credential_id}),
                   new_x=XPos.LEFT, new_y=YPos.NEXT)
    return bytes(pdf.output())


def certificate_pdf(credential: Mapping[str, Any], verification_url: str, *,
                    revocation: Revocation | None = None) -> bytes:
    """PDF certificate of one of our OB 3.0 credentials, its QR code pointing at ``verification_url``."""
    return render_pdf(present(credential), verification_url, revocation=revocation)
