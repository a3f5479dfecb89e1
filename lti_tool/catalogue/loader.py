"""Import validated unit files into the database; idempotent, and old versions are kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.catalogue.models import Unit
from lti_tool.catalogue.schema import FieldError, UnitFileError, content_hash, iter_unit_files, read_unit_file
from lti_tool.catalogue.unit_quality import quality_warnings
from lti_tool.catalogue.unit_texts import complete_languages, completeness


@dataclass
class LoadReport:
    """What a load did, file by file."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[UnitFileError] = field(default_factory=list)
    # `content check` only: authoring-rule warnings and per-language completeness, by "slug@version".
    warnings: dict[str, list[FieldError]] = field(default_factory=dict)
    languages: dict[str, list[LanguageStatus]] = field(default_factory=dict)


@dataclass(frozen=True)
class LanguageStatus:
    """How much of a unit's learner-visible text one language gives, and whether the unit offers it."""

    lang: str
    given: int
    total: int
    offered: bool
    status: str

    def __str__(self) -> str:
        percent = 100 * self.given // self.total if self.total else 100
        label = f"{self.lang} {percent} %"
        if self.offered:
            return f"{label} ({self.status})"
        return label


def unit_paths(path: Path) -> list[Path]:
    """One file, or every unit file of a folder."""
    return [path] if path.is_file() else iter_unit_files(path)


def check_units(path: Path) -> LoadReport:
    """Validate unit files without touching the database."""
    report = LoadReport()
    for file in unit_paths(path):
        try:
            doc = read_unit_file(file)
        except UnitFileError as error:
            report.errors.append(error)
        else:
            label = f"{doc['slug']}@{doc['version']}"
            report.unchanged.append(label)
            report.warnings[label] = quality_warnings(doc)
            report.languages[label] = _language_statuses(doc)
    return report


def _language_statuses(doc: dict[str, Any]) -> list[LanguageStatus]:
    offered = complete_languages(doc)
    declared = doc.get("translations")
    if not isinstance(declared, dict):
        declared = {}
    statuses = []
    for lang, (given, total) in completeness(doc).items():
        status = "source" if lang == "en" else str(declared.get(lang, {}).get("status", "offered"))
        statuses.append(LanguageStatus(lang, given, total, lang in offered, status))
    return statuses


def load_units(db: so.Session, path: Path) -> LoadReport:
    """Load every valid unit file; a changed file must carry a new version (old ones stay for old attempts)."""
    report = LoadReport()
    for file in unit_paths(path):
        try:
            doc = read_unit_file(file)
            label = _load_one(db, doc, str(file))
        except UnitFileError as error:
            report.errors.append(error)
            continue
        (report.added if label.startswith("+") else report.unchanged).append(label[1:])
    return report


def _load_one(db: so.Session, doc: dict[str, Any], source: str) -> str:
    digest = content_hash(doc)
    label = f"{doc['slug']}@{doc['version']}"
    existing = db.scalar(sa.select(Unit).where(Unit.slug == doc["slug"], Unit.version == doc["version"]))
    if existing is not None:
        if existing.content_hash != digest:
            raise UnitFileError(source, [FieldError(
                "version", f"version {doc['version']} of {doc['slug']} is already loaded with other content; "
                           "give the changed unit a new version")])
        return "=" + label
    for older in db.scalars(sa.select(Unit).where(Unit.slug == doc["slug"], Unit.is_current.is_(True))):
        older.is_current = False
    db.add(_build_unit(doc, digest))
    db.flush()
    return "+" + label


def _build_unit(doc: dict[str, Any], digest: str) -> Unit:
    # The outcomes and items live in the document only; the typed unit (Unit.doc) reads them.
    return Unit(
        slug=doc["slug"], version=str(doc["version"]), content_hash=digest, is_current=True, sector=doc["sector"],
        eqf_level=int(doc["eqf_level"]), workload_hours=float(doc["workload_hours"]), ects=float(doc["ects"]),
        participation=doc["participation"], document=doc,
    )
