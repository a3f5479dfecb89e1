"""Units, their learning outcomes and items, stored per version so old attempts keep their unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.catalogue.schema import content_hash
from lti_tool.catalogue.unit_doc import UnitDoc, parse_cached
from lti_tool.db import Base, utcnow


class Unit(Base):
    """One version of a MASTERY unit, loaded from ``content/units/<slug>.yaml``."""

    __tablename__ = "unit"
    __table_args__ = (sa.UniqueConstraint("slug", "version"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(128), index=True)
    version: so.Mapped[str] = so.mapped_column(sa.String(32))
    content_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    is_current: so.Mapped[bool] = so.mapped_column(default=True)
    sector: so.Mapped[str] = so.mapped_column(sa.String(32))
    eqf_level: so.Mapped[int] = so.mapped_column()
    workload_hours: so.Mapped[float] = so.mapped_column()
    ects: so.Mapped[float] = so.mapped_column()
    participation: so.Mapped[str] = so.mapped_column(sa.String(32))
    # The whole validated unit document (texts with their translations, sections, policy).
    document: so.Mapped[dict[str, Any]] = so.mapped_column()
    loaded_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    outcomes: so.Mapped[list[LearningOutcome]] = so.relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="LearningOutcome.position"
    )

    @property
    def doc(self) -> UnitDoc:
        """The typed unit, parsed once per unit version and content (a process-wide cache: unit_doc.parse_cached)."""
        parsed: UnitDoc | None = self.__dict__.get("_parsed_doc")
        if parsed is None or parsed.source is not self.document:
            parsed = parse_cached(self.id, self.content_hash, self.document)
            self.__dict__["_parsed_doc"] = parsed
        return parsed

    @so.validates("document")
    def _hash_follows_document(self, _key: str, document: dict[str, Any]) -> dict[str, Any]:
        # content_hash names the content (and keys the parsed-unit cache), whoever writes the document.
        self.content_hash = content_hash(document)
        return document


class LearningOutcome(Base):
    """A learning outcome of one unit version, with its mastery threshold."""

    __tablename__ = "learning_outcome"
    __table_args__ = (sa.UniqueConstraint("unit_pk", "outcome_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    unit_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    outcome_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    position: so.Mapped[int] = so.mapped_column()
    threshold: so.Mapped[float] = so.mapped_column()
    esco: so.Mapped[list[str]] = so.mapped_column(default=list)

    unit: so.Mapped[Unit] = so.relationship(back_populates="outcomes")
    items: so.Mapped[list[Item]] = so.relationship(
        back_populates="outcome", cascade="all, delete-orphan", order_by="Item.position"
    )


class Item(Base):
    """An assessment item; ``answer`` is the key and never leaves the server."""

    __tablename__ = "item"
    __table_args__ = (sa.UniqueConstraint("outcome_pk", "item_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    outcome_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("learning_outcome.id", ondelete="CASCADE"), index=True)
    item_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    position: so.Mapped[int] = so.mapped_column()
    type: so.Mapped[str] = so.mapped_column(sa.String(32))
    # The item as written in the unit file (prompt, options, answer, rubric).
    definition: so.Mapped[dict[str, Any]] = so.mapped_column()
    answer: so.Mapped[Any | None] = so.mapped_column(sa.JSON)

    outcome: so.Mapped[LearningOutcome] = so.relationship(back_populates="items")


class DeepLinkPlacement(Base):
    """A unit a teacher placed through Deep Linking, recorded when the tool signed the answer to the LMS.

    The LMS gives the new activity its resource link id only at its first launch; until then this record is
    how the course dashboard knows the unit is placed (LTI Deep Linking 2.0 §4.2).
    """

    __tablename__ = "deep_link_placement"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    context_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("context.id", ondelete="CASCADE"), index=True)
    unit_slug: so.Mapped[str] = so.mapped_column(sa.String(128))
    unit_version: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    title: so.Mapped[str] = so.mapped_column(sa.String(1024), default="")
    placed_by_pk: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("lti_user.id", ondelete="SET NULL"))
    placed_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
