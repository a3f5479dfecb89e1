"""The languages the tool speaks: the MASTERY pilot languages (Italy, Spain, Finland, Bulgaria, Belgium) and
English."""

from __future__ import annotations

SUPPORTED_LOCALES = ("en", "it", "es", "fi", "bg", "fr", "nl")
