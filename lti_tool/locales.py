"""The languages the tool speaks: the MASTERY pilot languages (Italy, Spain, Finland, Bulgaria, Belgium) and
English."""

from __future__ import annotations

import functools
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations

SUPPORTED_LOCALES = ("en", "it", "es", "fi", "bg", "fr", "nl")
TRANSLATIONS = Path(__file__).resolve().parent / "translations"  # compiled by scripts/i18n.sh (the .mo files)


@functools.cache
def translations(language: str) -> NullTranslations:
    """The tool's catalogue for one language, outside any request (credentials are also issued by the LRS worker
    and the command line); English, or a language without a catalogue, gets the source text."""
    return Translations.load(str(TRANSLATIONS), [language]) if language in SUPPORTED_LOCALES[1:] else NullTranslations()


def country_name(code: str, language: str) -> str:
    """An ISO 3166-1 alpha-2 code as the language names the country (CLDR, through Babel), else the code."""
    try:
        return str(Locale.parse(language).territories.get(code.upper(), code)) if code else ""
    except (ValueError, UnknownLocaleError):
        return code
