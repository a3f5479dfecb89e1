"""Units placed through Deep Linking: recorded when the answer is signed, listed until their first launch."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.catalogue.models import DeepLinkPlacement
from lti_tool.launch.models import LaunchSession, ResourceLink


def record_deep_link(db: so.Session, teacher: LaunchSession, picked: Iterable[tuple[str, str | None, str]],
                     now: dt.datetime) -> int:
    """Record each (slug, version, title) a teacher placed from a course; how many (none outside a course)."""
    if teacher.context_pk is None:
        return 0
    rows = [DeepLinkPlacement(context_pk=teacher.context_pk, unit_slug=slug, unit_version=version, title=title[:1024],
                              placed_by_pk=teacher.user_pk, placed_at=now) for slug, version, title in picked]
    db.add_all(rows)
    return len(rows)


def not_yet_opened(db: so.Session, context_pk: int, links: Sequence[ResourceLink]) -> list[DeepLinkPlacement]:
    """Placements the LMS has not launched yet: per unit, the records beyond the resource links already seen."""
    launched = Counter(link.unit_slug for link in links)
    waiting = []
    for record in db.scalars(sa.select(DeepLinkPlacement).where(DeepLinkPlacement.context_pk == context_pk)
                             .order_by(DeepLinkPlacement.placed_at, DeepLinkPlacement.id)):
        if launched[record.unit_slug] > 0:
            launched[record.unit_slug] -= 1  # this record became a resource link at its first launch
        else:
            waiting.append(record)
    return waiting
