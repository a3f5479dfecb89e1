"""The course roster as the dashboard sees it: NRPS through the cache, or a notice saying why not."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.db import utcnow
from lti_tool.launch.models import Context
from lti_tool.lms.errors import ServiceError
from lti_tool.lms.models import RosterCache
from lti_tool.lms.nrps import Member
from lti_tool.lms.protocol import LmsServices
from lti_tool.lms.roster import get_roster

# After a failed automatic read, page views show our own data for this long instead of waiting on the
# LMS again (a timeout costs the teacher HTTP_TIMEOUT_SECONDS per page); the Refresh button always asks.
FAILURE_BACKOFF = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class RosterState:
    """The learners from the LMS (None when unavailable), when they were read, and what went wrong if anything."""

    learners: tuple[Member, ...] | None
    fetched_at: dt.datetime | None = None
    from_cache: bool = False
    stale: bool = False
    error: str | None = None
    error_code: str | None = None

    @property
    def available(self) -> bool:
        """A roster (maybe an old copy) is at hand."""
        return self.learners is not None

    @property
    def failed(self) -> bool:
        """The last read from the LMS failed (the roster is missing or an old copy)."""
        return self.error is not None


class RecentFailures:
    """Per process: contexts whose roster read just failed, so page views do not wait on the LMS again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failed: dict[int, tuple[dt.datetime, str, str]] = {}

    def get(self, context_pk: int, now: dt.datetime) -> tuple[str, str] | None:
        """The (message, code) of a failure younger than FAILURE_BACKOFF, if any."""
        with self._lock:
            found = self._failed.get(context_pk)
            if found is None or now - found[0] > FAILURE_BACKOFF:
                self._failed.pop(context_pk, None)
                return None
            return found[1], found[2]

    def note(self, context_pk: int, now: dt.datetime, message: str, code: str) -> None:
        """Remember a failure."""
        with self._lock:
            self._failed[context_pk] = (now, message, code)

    def clear(self, context_pk: int) -> None:
        """Forget a failure after a successful read."""
        with self._lock:
            self._failed.pop(context_pk, None)


def roster_state(session: so.Session, client: LmsServices, context: Context, failures: RecentFailures, *,
                 refresh: bool = False, now: dt.datetime | None = None) -> RosterState:
    """The roster of a course for the dashboard; never raises for an LMS failure (the notice says it)."""
    now = now or utcnow()
    if not refresh and (recent := failures.get(context.id, now)) is not None:
        return _cached_only(session, context, now, *recent)
    try:
        roster = get_roster(session, client, context, refresh=refresh, now=now)
    except ServiceError as error:
        failures.note(context.id, now, error.message, error.code)
        return RosterState(None, error=error.message, error_code=error.code)
    if roster.stale:
        failures.note(context.id, now, roster.error or "", "stale")
        return RosterState(tuple(roster.learners()), roster.fetched_at, from_cache=True, stale=True,
                           error=roster.error or "The LMS did not answer.", error_code="stale")
    failures.clear(context.id)
    return RosterState(tuple(roster.learners()), roster.fetched_at, from_cache=roster.from_cache)


def _cached_only(session: so.Session, context: Context, now: dt.datetime, message: str, code: str) -> RosterState:
    """The cached copy without asking the LMS: fresh → as is; expired → marked stale with the recent failure."""
    row = session.scalar(sa.select(RosterCache).where(RosterCache.context_pk == context.id))
    if row is None:
        return RosterState(None, error=message, error_code=code)
    found = (Member.from_json(m) for m in row.members if isinstance(m, dict))
    learners = tuple(m for m in found if m is not None and m.is_learner)
    if row.expires_at > now:
        return RosterState(learners, row.fetched_at, from_cache=True)
    return RosterState(learners, row.fetched_at, from_cache=True, stale=True, error=message, error_code=code)
