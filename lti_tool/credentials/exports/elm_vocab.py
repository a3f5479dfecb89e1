"""EU controlled vocabularies the ELM v3 export needs: countries, languages and the fixed EDC concepts."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

COUNTRY_SCHEME = "http://publications.europa.eu/resource/authority/country"
LANGUAGE_SCHEME = "http://publications.europa.eu/resource/authority/language"

# ISO 3166-1 alpha-2 (and the EU's "EL" for Greece) → EU country authority code and English name, for the EU,
# EEA, Switzerland, the UK and the candidate countries: who a MASTERY issuer can plausibly be. The one country
# table: the ELM export and the plain-language reader (page, PDF) both read it.
_COUNTRIES = {
    "AT": ("AUT", "Austria"), "BE": ("BEL", "Belgium"), "BG": ("BGR", "Bulgaria"), "HR": ("HRV", "Croatia"),
    "CY": ("CYP", "Cyprus"), "CZ": ("CZE", "Czechia"), "DK": ("DNK", "Denmark"), "EE": ("EST", "Estonia"),
    "FI": ("FIN", "Finland"), "FR": ("FRA", "France"), "DE": ("DEU", "Germany"), "GR": ("GRC", "Greece"),
    "EL": ("GRC", "Greece"), "HU": ("HUN", "Hungary"), "IE": ("IRL", "Ireland"), "IT": ("ITA", "Italy"),
    "LV": ("LVA", "Latvia"), "LT": ("LTU", "Lithuania"), "LU": ("LUX", "Luxembourg"), "MT": ("MLT", "Malta"),
    "NL": ("NLD", "Netherlands"), "PL": ("POL", "Poland"), "PT": ("PRT", "Portugal"), "RO": ("ROU", "Romania"),
    "SK": ("SVK", "Slovakia"), "SI": ("SVN", "Slovenia"), "ES": ("ESP", "Spain"), "SE": ("SWE", "Sweden"),
    "IS": ("ISL", "Iceland"), "LI": ("LIE", "Liechtenstein"), "NO": ("NOR", "Norway"), "CH": ("CHE", "Switzerland"),
    "GB": ("GBR", "United Kingdom"), "AL": ("ALB", "Albania"), "BA": ("BIH", "Bosnia and Herzegovina"),
    "GE": ("GEO", "Georgia"), "MD": ("MDA", "Moldova"), "ME": ("MNE", "Montenegro"), "MK": ("MKD", "North Macedonia"),
    "RS": ("SRB", "Serbia"), "TR": ("TUR", "Türkiye"), "UA": ("UKR", "Ukraine"), "XK": ("XKX", "Kosovo"),
}  # fmt: skip

# ISO 639-1 → EU language authority code (the 24 official EU languages).
_LANGUAGES = {
    "bg": ("BUL", "Bulgarian"), "cs": ("CES", "Czech"), "da": ("DAN", "Danish"), "de": ("DEU", "German"),
    "el": ("ELL", "Greek"), "en": ("ENG", "English"), "es": ("SPA", "Spanish"), "et": ("EST", "Estonian"),
    "fi": ("FIN", "Finnish"), "fr": ("FRA", "French"), "ga": ("GLE", "Irish"), "hr": ("HRV", "Croatian"),
    "hu": ("HUN", "Hungarian"), "it": ("ITA", "Italian"), "lt": ("LIT", "Lithuanian"), "lv": ("LAV", "Latvian"),
    "mt": ("MLT", "Maltese"), "nl": ("NLD", "Dutch"), "pl": ("POL", "Polish"), "pt": ("POR", "Portuguese"),
    "ro": ("RON", "Romanian"), "sk": ("SLK", "Slovak"), "sl": ("SLV", "Slovenian"), "sv": ("SWE", "Swedish"),
}  # fmt: skip


class EdcConcept(StrEnum):
    """Fixed concepts of the EDC vocabularies (data.europa.eu/snb) used by every export."""

    GENERIC_PROFILE = "http://data.europa.eu/snb/credential/e34929035b"
    ECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
    NON_FORMAL = "http://data.europa.eu/snb/learning-setting/e207a81fc7"
    SHORT_PROGRAMME = "http://data.europa.eu/snb/learning-opportunity/74a4a268e8"


# The EDC shape the export claims (and is tested against): generic profile, no controlled-vocabulary checks.
EDC_SCHEMA = "http://data.europa.eu/snb/model/ap/edc-generic-no-cv"
_SCHEME_OF = {
    EdcConcept.GENERIC_PROFILE: ("http://data.europa.eu/snb/credential/25831c2", "Generic"),
    EdcConcept.ECTS: ("http://data.europa.eu/snb/education-credit/25831c2", "European Credit Transfer System"),
    EdcConcept.NON_FORMAL: ("http://data.europa.eu/snb/learning-setting/25831c2", "non-formal learning"),
    EdcConcept.SHORT_PROGRAMME: ("http://data.europa.eu/snb/learning-opportunity/25831c2", "Short learning programme"),
}


def concept(iri: str, label: str, scheme: str | None = None, notation: str | None = None,
            lang: str = "en") -> dict[str, Any]:
    """An ELM ``Concept`` (SKOS) with its label in ``lang`` (English unless said)."""
    node: dict[str, Any] = {"id": iri, "type": "Concept", "prefLabel": {lang: label}}
    if scheme:
        node["inScheme"] = {"id": scheme, "type": "ConceptScheme"}
    if notation:
        node["notation"] = notation
    return node


def edc_concept(which: EdcConcept) -> dict[str, Any]:
    """One of the fixed EDC concepts, with its scheme and label."""
    scheme, label = _SCHEME_OF[which]
    return concept(which.value, label, scheme)


def country(code: str) -> dict[str, Any]:
    """The EU country authority concept for an ISO 3166-1 alpha-2 code (ValueError if not covered)."""
    try:
        eu_code, name = _COUNTRIES[code.upper()]
    except KeyError:
        raise ValueError(f"country {code!r} is not in the ELM export's country table") from None
    return concept(f"{COUNTRY_SCHEME}/{eu_code}", name, COUNTRY_SCHEME, "country")


def country_name(code: str) -> str:
    """The English name of an ISO 3166-1 alpha-2 country code in the table, or "" (pages name the country)."""
    return _COUNTRIES.get(code.upper(), ("", ""))[1]


def language(code: str) -> dict[str, Any]:
    """The EU language authority concept for an ISO 639-1 code (English when the code is not an EU language)."""
    eu_code, name = _LANGUAGES.get(code.lower().split("-")[0], _LANGUAGES["en"])
    return concept(f"{LANGUAGE_SCHEME}/{eu_code}", name, LANGUAGE_SCHEME, "language")
