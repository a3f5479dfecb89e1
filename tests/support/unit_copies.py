"""Copy a shipped unit into a test's own content folder: the unit file (possibly changed), its translation
files and its figures, laid out as docs/authoring.md says, so `content load` of the copy sees a whole unit."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from lti_tool.settings import PROJECT_ROOT

UNITS = PROJECT_ROOT / "content" / "units"


def copy_unit(slug: str, folder: Path, doc: dict[str, Any]) -> Path:
    """Write ``doc`` as ``folder/<doc slug>.yaml`` with the translations and figures of shipped unit ``slug``."""
    new_slug = doc["slug"]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{new_slug}.yaml"
    target.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for translation in sorted((UNITS / "translations").glob(f"{slug}.*.yaml")):
        lang = translation.name[len(slug) + 1:-len(".yaml")]
        if "." in lang:  # another unit whose slug starts with this one
            continue
        (folder / "translations").mkdir(exist_ok=True)
        shutil.copy(translation, folder / "translations" / f"{new_slug}.{lang}.yaml")
    figures = UNITS / "figures" / slug
    if figures.is_dir():
        shutil.copytree(figures, folder / "figures" / new_slug)
    return target
