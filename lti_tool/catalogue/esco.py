"""ESCO skill labels: the one source of the preferred labels of the skills units cite (pure, no Flask, no DB).

``esco_labels.json`` holds conceptUri -> preferredLabel of the whole ESCO v1.2.0 green skills collection in
English (``labels``) and, under ``translations``, ESCO's own preferred labels in other languages for the skills
the units cite, where an official ESCO release gives one (``_translations_source`` names the release files, all
copied into ``standards/esco/``; ``scripts/esco_labels.py`` rebuilds the translations from them). A label is never
translated here: a language ESCO's data gives us no label in falls back to English, and says so (``lang``).
The deep-linking picker, the unit page and the credentials all read it through here.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["ESCO_LABELS_FILE", "EscoLabel", "esco_label", "esco_labels", "esco_translations"]

ESCO_LABELS_FILE = Path(__file__).resolve().parent / "esco_labels.json"
ESCO_LANGUAGE = "en"  # the language of ``labels``: every skill of the green collection has one


class EscoLabel(NamedTuple):
    """A skill's preferred label and the language it is in (a page marks it ``lang`` when not the page's)."""

    text: str
    lang: str


@functools.cache
def _data() -> dict[str, Any]:
    return dict(json.loads(ESCO_LABELS_FILE.read_text(encoding="utf-8")))


def esco_labels() -> dict[str, str]:
    """Every bundled English label by skill URI, read once per process."""
    return dict(_data()["labels"])


def esco_translations() -> dict[str, dict[str, str]]:
    """ESCO's own labels in other languages: language -> skill URI -> preferred label."""
    return {lang: dict(labels) for lang, labels in _data().get("translations", {}).items()}


def esco_label(uri: str, lang: str = ESCO_LANGUAGE) -> EscoLabel:
    """The skill's ESCO preferred label in ``lang``, else in English, else the last part of its URI.

    ``lang`` may be a locale (``fr-BE``): its primary language subtag picks the label.
    """
    primary = (lang or ESCO_LANGUAGE).split("-", 1)[0].lower()
    data = _data()
    translated = data.get("translations", {}).get(primary, {}).get(uri)
    if translated and primary != ESCO_LANGUAGE:
        return EscoLabel(translated, primary)
    return EscoLabel(data["labels"].get(uri) or uri.rstrip("/").rsplit("/", 1)[-1], ESCO_LANGUAGE)
