"""Rebuild the ``translations`` of lti_tool/catalogue/esco_labels.json from ESCO's own files in standards/esco/.

Usage: .venv/bin/python scripts/esco_labels.py

Reads every ``greenSkillsCollection_<lang>_<version>.rows.csv`` (rows copied unchanged from an official ESCO
release, see standards/esco/README.txt) next to the English rows of the same release. A label is taken only where
that release's English preferred label is the one ESCO v1.2.0 gives (the labels the tool shows in English): where
ESCO changed the English label after that release, its translation may name the old wording, so the skill stays
English in that language until a v1.2 translation is copied in. Nothing is ever translated here.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ESCO_DIR = ROOT / "standards" / "esco"
LABELS_JSON = ROOT / "lti_tool" / "catalogue" / "esco_labels.json"
ROWS = re.compile(r"greenSkillsCollection_(?P<lang>[a-z]{2})_v(?P<version>[0-9.]+)\.rows\.csv")


def _labels(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["conceptUri"]: row["preferredLabel"].strip() for row in csv.DictReader(handle)}


def build(current: dict[str, str]) -> tuple[dict[str, dict[str, str]], list[str]]:
    """The translations by language and the source files they came from."""
    translations: dict[str, dict[str, str]] = {}
    sources = []
    for path in sorted(ESCO_DIR.glob("greenSkillsCollection_*_v*.rows.csv")):
        match = ROWS.fullmatch(path.name)
        if not match or match["lang"] == "en":
            continue
        english = _labels(ESCO_DIR / f"greenSkillsCollection_en_v{match['version']}.rows.csv")
        for uri, label in _labels(path).items():
            if label and english.get(uri) == current.get(uri, "").strip():
                translations.setdefault(match["lang"], {})[uri] = label
        sources.append(f"standards/esco/{path.name} (ESCO v{match['version']})")
    return {lang: dict(sorted(labels.items())) for lang, labels in sorted(translations.items())}, sources


def main() -> int:
    data = json.loads(LABELS_JSON.read_text(encoding="utf-8"))
    translations, sources = build(data["labels"])
    data["_translations_source"] = (
        "ESCO's preferred labels from " + "; ".join(sources)
        + ", kept only where that release's English label equals v1.2.0's; built by scripts/esco_labels.py"
    )
    data["translations"] = translations
    LABELS_JSON.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print({lang: len(labels) for lang, labels in translations.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
