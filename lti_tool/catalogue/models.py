"""Units, their learning outcomes and items, stored per version so old attempts keep their unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.catalogue.schema import content_hash
from lti_tool.catalogue.unit_doc import UnitDoc, parse_cached
from lti_tool.db import Base, utcnow
from lti_tool.lru import LockedLRU


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
    # The whole validated unit document (texts with their translations, sections, policy): ~430 KB of JSON
    # for a unit in seven languages, ~8 ms to parse. Deferred, and read through `document` (parsed once per
    # process), so an autosave or a submit neither fetches nor parses it.
    stored_document: so.Mapped[dict[str, Any]] = so.mapped_column("document", deferred=True)
    loaded_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    @property
    def document(self) -> dict[str, Any]:
        """The unit document, shared by every request of this process: read it, never change it."""
        return _DOCUMENTS.get(self)

    @document.setter
    def document(self, value: dict[str, Any]) -> None:
        self.stored_document = value

    @property
    def doc(self) -> UnitDoc:
        """The typed unit, parsed once per unit version and content (a process-wide cache: unit_doc.parse_cached)."""
        parsed: UnitDoc | None = self.__dict__.get("_parsed_doc")
        if parsed is None or parsed.source is not self.document:
            parsed = parse_cached(self.id, self.content_hash, self.document)
            self.__dict__["_parsed_doc"] = parsed
        return parsed

    @so.validates("stored_document")
    def _hash_follows_document(self, _key: str, document: dict[str, Any]) -> dict[str, Any]:
        # content_hash names the content (and keys the parsed-unit cache), whoever writes the document.
        self.content_hash = content_hash(document)
        return document


class _DocumentCache:
    """Unit documents by (row id, content hash): a stored unit version never changes (loader.py refuses other
    content under a loaded version), and the hash tells a re-created or rewritten row apart."""

    def __init__(self, size: int = 16) -> None:
        self._documents: LockedLRU[tuple[int, str], dict[str, Any]] = LockedLRU(size)

    def get(self, unit: Unit) -> dict[str, Any]:
        if unit.id is None or "stored_document" in unit.__dict__:  # built or rewritten here: the one at hand
            return unit.stored_document
        key = (unit.id, unit.content_hash)
        document = self._documents.get(key)
        if document is None:
            document = unit.stored_document  # one SELECT of the column, at most once per unit version and process
            self._documents.put(key, document)
        return document


_DOCUMENTS = _DocumentCache()


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
