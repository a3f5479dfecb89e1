"""The roster of a context for the teacher dashboard: NRPS read through a short-lived cache in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy import orm as so

from lti_tool.db import utcnow
from lti_tool.launch.claims import Claim
from lti_tool.launch.models import Context
from lti_tool.launch.services import recent_claim
from lti_tool.lms.errors import ServiceError
from lti_tool.lms.models import RosterCache
from lti_tool.lms.nrps import Member, fetch_members
from lti_tool.lms.protocol import LmsServices

ROSTER_TTL_SECONDS = 300


@dataclass(frozen=True)
class Roster:
    """A context's members, when they were read, and whether this is an old copy kept after a failed refresh."""

    members: tuple[Member, ...]
    fetched_at: dt.datetime
    from_cache: bool
    stale: bool = False
    error: str | None = None  # why the refresh failed, when stale

    def learners(self) -> list[Member]:
        """The members with a learner role."""
        return [m for m in self.members if m.is_learner]


def memberships_url(session: so.Session, context: Context) -> str | None:
    """The context_memberships_url of the most recent launch in this context that carried the NRPS claim."""
    claim = recent_claim(session, Claim.NRPS, lambda value: isinstance(value, dict) and isinstance(
        value.get("context_memberships_url"), str), context_pk=context.id)
    return str(claim["context_memberships_url"]) if claim is not None else None


def get_roster(session: so.Session, client: LmsServices, context: Context, *, url: str | None = None,
               refresh: bool = False, now: dt.datetime | None = None,
               ttl_seconds: int = ROSTER_TTL_SECONDS) -> Roster:
    """The roster from the cache while it is fresh, else from the platform; an old copy if the platform fails."""
    now = now or utcnow()
    cached = session.scalar(sa.select(RosterCache).where(RosterCache.context_pk == context.id))
    fresh = cached is not None and cached.expires_at > now and url in (None, cached.memberships_url)
    if cached is not None and fresh and not refresh:
        return Roster(_members(cached), cached.fetched_at, from_cache=True)
    source = url or (cached.memberships_url if cached is not None else None) or memberships_url(session, context)
    if source is None:
        raise ServiceError("The LMS has not offered this course's roster to the tool (no NRPS claim in any "
                           "launch).", retryable=False, code="no_roster_service")
    try:
        members = fetch_members(client, session, context.deployment.platform, source)
    except ServiceError as error:
        if cached is None:
            raise
        return Roster(_members(cached), cached.fetched_at, from_cache=True, stale=True, error=error.message)
    _store(session, context, source, members, now=now, ttl_seconds=ttl_seconds)
    return Roster(tuple(members), now, from_cache=False)


def _members(row: RosterCache) -> tuple[Member, ...]:
    found = (Member.from_json(m) for m in row.members if isinstance(m, dict))
    return tuple(m for m in found if m is not None)


def _store(session: so.Session, context: Context, url: str, members: list[Member], *, now: dt.datetime,
           ttl_seconds: int) -> None:
    values = {"memberships_url": url, "members": [m.to_json() for m in members], "fetched_at": now,
              "expires_at": now + dt.timedelta(seconds=ttl_seconds)}
    for _ in range(2):
        row = session.scalar(sa.select(RosterCache).where(RosterCache.context_pk == context.id))
        if row is not None:
            for name, value in values.items():
                setattr(row, name, value)
            session.flush()
            return
        try:
            with session.begin_nested():
                session.add(RosterCache(context_pk=context.id, **values))
            return
        except sa_exc.IntegrityError:
            continue  # another request cached it first: overwrite that row
