"""Rebuild the ``translations`` of lti_tool/catalogue/esco_labels.json from ESCO's own files in standards/esco/.

Usage: .venv/bin/python scripts/esco_labels.py

Reads the rows copied unchanged from official ESCO releases (see standards/esco/README.txt), in two forms:

- ``greenSkillsCollection_<lang>_v<version>.rows.csv``: rows of that release's CSV download in one language, read
  next to the English rows of the same release (``greenSkillsCollection_en_v<version>.rows.csv``, else the whole
  English file ``greenSkillsCollection_en_v<version>.csv``);
- ``localApiSkills_v<version>.rows.json``: skills as ESCO's own local API server of that release gave them, each with
  its preferred label in several languages, English among them.

A label is taken only where that release's English preferred label is the one ESCO v1.2.0 gives (the labels the tool
shows in English): where ESCO changed the English label after that release, its translation may name the old
wording, so the skill stays English in that language until a newer release's rows are copied in. Where two releases
give a label in the same language, the newer one is kept. Only the tool's own languages are kept. Nothing is ever
translated here.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lti_tool.locales import SUPPORTED_LOCALES  # noqa: E402  (the project root is put on the path just above)

ESCO_DIR = ROOT / "standards" / "esco"
LABELS_JSON = ROOT / "lti_tool" / "catalogue" / "esco_labels.json"
ENGLISH = "en"
CSV_ROWS = re.compile(r"greenSkillsCollection_(?P<lang>[a-z]{2})_v(?P<version>[0-9.]+)\.rows\.csv")
API_ROWS = re.compile(r"localApiSkills_v(?P<version>[0-9.]+)\.rows\.json")

# (language, skill URI, that release's English label, label in the language)
Row = tuple[str, str, str, str]


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _csv_labels(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["conceptUri"]: row["preferredLabel"].strip() for row in csv.DictReader(handle)}


def _csv_rows(path: Path, lang: str, version: str) -> Iterator[Row]:
    english_rows = ESCO_DIR / f"greenSkillsCollection_{ENGLISH}_v{version}.rows.csv"
    whole_file = ESCO_DIR / f"greenSkillsCollection_{ENGLISH}_v{version}.csv"
    english = _csv_labels(english_rows if english_rows.exists() else whole_file)
    for uri, label in _csv_labels(path).items():
        yield lang, uri, english.get(uri, ""), label


def _api_rows(path: Path) -> Iterator[Row]:
    for skill in json.loads(path.read_text(encoding="utf-8")):
        labels = {lang: str(text).strip() for lang, text in skill["prefLabel"].items()}
        for lang, label in labels.items():
            if lang != ENGLISH:
                yield lang, skill["uri"], labels.get(ENGLISH, ""), label


def sources() -> list[tuple[tuple[int, ...], Path, list[Row]]]:
    """Every file of ESCO rows in standards/esco/, oldest release first."""
    found = []
    for path in ESCO_DIR.iterdir():
        if (match := CSV_ROWS.fullmatch(path.name)) and match["lang"] != ENGLISH:
            found.append((_version(match["version"]), path, list(_csv_rows(path, match["lang"], match["version"]))))
        elif match := API_ROWS.fullmatch(path.name):
            found.append((_version(match["version"]), path, list(_api_rows(path))))
    return sorted(found, key=lambda source: (source[0], source[1].name))


def build(current: dict[str, str]) -> tuple[dict[str, dict[str, str]], list[str]]:
    """The translations by language and the source files they came from."""
    translations: dict[str, dict[str, str]] = {}
    used = []
    for version, path, rows in sources():
        kept = [(lang, uri, label) for lang, uri, english, label in rows
                if lang in SUPPORTED_LOCALES and label and english == current.get(uri, "").strip()]
        for lang, uri, label in kept:
            translations.setdefault(lang, {})[uri] = label  # a newer release replaces an older one's label
        languages = ", ".join(sorted({lang for lang, _uri, _label in kept}))
        used.append(f"standards/esco/{path.name} (ESCO v{'.'.join(map(str, version))}: {languages})")
    return {lang: dict(sorted(labels.items())) for lang, labels in sorted(translations.items())}, used


def main() -> int:
    data = json.loads(LABELS_JSON.read_text(encoding="utf-8"))
    translations, used = build(data["labels"])
    data["_translations_source"] = (
        "ESCO's preferred labels from " + "; ".join(used)
        + ", kept only where that release's English label equals v1.2.0's (the newer release where two give one);"
        " built by scripts/esco_labels.py"
    ) if used else "none: no official ESCO rows in another language are in standards/esco/ (see its README.txt)"
    data["translations"] = translations
    LABELS_JSON.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print({lang: len(labels) for lang, labels in translations.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
