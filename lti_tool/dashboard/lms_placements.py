"""Units placed in a course that the tool learns of from the LMS's gradebook (AGS line items), not from a launch.

A unit can reach a course without the tool's Deep Linking answer (an activity added by hand, a course copy or
restore): the LMS then still has its gradebook column. The tool reads the course's line items (AGS 2.0 §3.2)
and lists those that name a MASTERY unit (``resourceId`` = unit slug, as the tool's deep-linking answer sets
it) and a resource link nobody has launched yet. A failing LMS never breaks the dashboard: the page says the
list may be incomplete.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import orm as so

from lti_tool.catalogue.models import DeepLinkPlacement
from lti_tool.launch.claims import Claim
from lti_tool.launch.models import Context
from lti_tool.launch.services import recent_claim
from lti_tool.lms.ags import AgsEndpoint, course_lineitems
from lti_tool.lms.errors import ServiceError
from lti_tool.lms.protocol import LmsServices


@dataclass(frozen=True)
class LmsPlacement:
    """A gradebook column of the course that belongs to a MASTERY unit nobody has opened yet."""

    label: str
    unit_slug: str
    resource_link_id: str | None
    lineitem_url: str


@dataclass(frozen=True)
class LmsPlacements:
    """What the line items said, or why they could not be read (``error`` is the code, for the page)."""

    placements: tuple[LmsPlacement, ...] = ()
    error: str | None = None


def ags_endpoint(session: so.Session, context: Context) -> AgsEndpoint | None:
    """The AGS endpoint claim (with a line item container) of the most recent launch in this context."""
    claim = recent_claim(session, Claim.AGS_ENDPOINT, _has_container, context_pk=context.id)
    return AgsEndpoint.from_claim(claim)


def _has_container(claim: object) -> bool:
    endpoint = AgsEndpoint.from_claim(claim if isinstance(claim, dict) else None)
    return endpoint is not None and bool(endpoint.lineitems)


def placed_in_lms(session: so.Session, client: LmsServices, context: Context, *, unit_slugs: Collection[str],
                  launched_links: Collection[str]) -> LmsPlacements:
    """The course's line items of MASTERY units whose resource link has not been launched (never raises)."""
    endpoint = ags_endpoint(session, context)
    if endpoint is None:
        return LmsPlacements(error="no_lineitems_service")
    try:
        items = course_lineitems(client, session, context.deployment.platform, endpoint)
    except ServiceError as error:
        return LmsPlacements(error=error.code)
    found = []
    for item in items:
        slug = item.get("resourceId")
        link = item.get("resourceLinkId")
        if not isinstance(slug, str) or slug not in unit_slugs:
            continue  # another tool's column, or a manual one: not a MASTERY unit
        if isinstance(link, str) and link in launched_links:
            continue  # listed already, with its learners
        found.append(LmsPlacement(label=str(item.get("label") or slug), unit_slug=slug,
                                  resource_link_id=link if isinstance(link, str) else None,
                                  lineitem_url=str(item["id"])))
    return LmsPlacements(tuple(found))


def without_lms_placements(waiting: Sequence[DeepLinkPlacement],
                           in_lms: Sequence[LmsPlacement]) -> list[DeepLinkPlacement]:
    """The Deep Linking records the LMS's gradebook does not list already (one column per placed activity)."""
    columns = Counter(p.unit_slug for p in in_lms)
    kept = []
    for record in waiting:
        if columns[record.unit_slug] > 0:
            columns[record.unit_slug] -= 1  # the same placement, seen from the LMS's side
        else:
            kept.append(record)
    return kept
