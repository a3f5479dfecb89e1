"""Catalogue queries and the public JSON shape of a unit (never its answer keys)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.catalogue.models import Unit
from lti_tool.catalogue.rendering import render_markdown, study_figures
from lti_tool.catalogue.unit_assets import FIGURE_FILES_KEY
from lti_tool.catalogue.unit_texts import localized
from lti_tool.launch.models import ResourceLink

SECTOR_ORDER = ("wood", "agrofood", "building", "manufacturing")


def current_units(db: so.Session) -> list[Unit]:
    """The newest version of every unit, by sector then slug."""
    units = list(db.scalars(sa.select(Unit).where(Unit.is_current.is_(True)).order_by(Unit.slug)))
    return sorted(units, key=lambda u: (SECTOR_ORDER.index(u.sector) if u.sector in SECTOR_ORDER else 99, u.slug))


def current_unit(db: so.Session, slug: str) -> Unit | None:
    """The newest version of one unit."""
    return db.scalar(sa.select(Unit).where(Unit.slug == slug, Unit.is_current.is_(True)))


def unit_json(unit: Unit, lang: str) -> dict[str, Any]:
    """The catalogue entry of DESIGN.md §3 (``GET /api/units``); texts in ``lang`` with English fallback."""
    doc = unit.document
    return {
        "slug": unit.slug,
        "version": unit.version,
        "title": localized(doc["title"], lang),
        "summary": localized(doc.get("summary", ""), lang),
        "sector": unit.sector,
        "eqf_level": unit.eqf_level,
        "ects": unit.ects,
        "workload_hours": unit.workload_hours,
        "participation": unit.participation,
        "assessment_type": localized(doc.get("assessment_type", ""), lang),
        "esco": list(doc.get("esco", [])),
        "outcomes": [
            {"id": o["id"], "title": localized(o["title"], lang), "esco": list(o.get("esco", []))}
            for o in doc["outcomes"]
        ],
    }


@dataclass(frozen=True)
class StudyView:
    """The study part of a unit's page in one language: sections (safe HTML, figures), references, workload."""

    sections: list[dict[str, Any]]
    references: list[dict[str, Any]]
    workload: dict[str, Any] | None


def study_view(unit: Unit, text_lang: str, table_label: str = "Table") -> StudyView:
    """What the learner's unit page shows of the study text, every text in ``text_lang`` (English fallback);
    ``table_label`` names the tables' scrolling regions in the page's language."""
    doc = unit.document

    def pick(text: Any) -> str:
        return localized(text, text_lang)

    files = doc.get(FIGURE_FILES_KEY, {})
    sections = [
        {"id": s["id"], "title": pick(s["title"]), "html": render_markdown(pick(s["body"]), table_label),
         "kind": s.get("kind", "study"), "minutes": s.get("minutes"), "figures": study_figures(s, files, pick)}
        for s in doc.get("sections", [])
    ]
    references = [{"title": pick(r["title"]), "url": r["url"], "publisher": r.get("publisher"),
                   "read": pick(r["read"])} for r in doc.get("references", [])]
    return StudyView(sections, references, doc.get("workload"))


def course_placements(db: so.Session, context_pk: int) -> list[ResourceLink]:
    """The resource links of one course, with the unit each one places."""
    return list(db.scalars(sa.select(ResourceLink).where(ResourceLink.context_pk == context_pk)
                           .order_by(ResourceLink.id)))


def pin_placement_unit(db: so.Session, link: ResourceLink) -> Unit | None:
    """The unit version a placement uses, pinning it on first use (the version the LMS asked for, if loaded)."""
    if link.unit_slug is None:
        return None
    if link.unit_pk is not None:
        pinned = db.get(Unit, link.unit_pk)
        if pinned is not None and pinned.slug == link.unit_slug:
            return pinned
    unit = None
    if link.requested_version:
        unit = db.scalar(sa.select(Unit).where(Unit.slug == link.unit_slug, Unit.version == link.requested_version))
    unit = unit or current_unit(db, link.unit_slug)
    if unit is not None:
        link.unit_pk = unit.id
    return unit


def upgrade_placement(db: so.Session, link: ResourceLink) -> Unit | None:
    """Move a placement to the newest version of its unit (a teacher's decision; old attempts keep theirs)."""
    unit = current_unit(db, link.unit_slug) if link.unit_slug else None
    if unit is not None:
        link.unit_pk = unit.id
        link.requested_version = unit.version
    return unit
