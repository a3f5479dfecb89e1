"""ESCO skill labels: the one source of the preferred (en) labels of the skills units cite (pure, no Flask, no DB).

``esco_labels.json`` holds conceptUri -> preferredLabel of the whole ESCO v1.2.0 green skills collection
(its ``_source`` names the file and its hash); the deep-linking picker, the unit page and the credentials
all read it through here.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

__all__ = ["ESCO_LABELS_FILE", "esco_label", "esco_labels"]

ESCO_LABELS_FILE = Path(__file__).resolve().parent / "esco_labels.json"


@functools.cache
def esco_labels() -> dict[str, str]:
    """Every bundled label by skill URI, read once per process."""
    raw = json.loads(ESCO_LABELS_FILE.read_text(encoding="utf-8"))
    return dict(raw["labels"])


def esco_label(uri: str) -> str:
    """The skill's English preferred label, or the last part of its URI when it is not in the bundled list."""
    return esco_labels().get(uri) or uri.rstrip("/").rsplit("/", 1)[-1]
