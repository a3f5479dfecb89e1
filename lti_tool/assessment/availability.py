"""Whether a learner may start an attempt now, and if not, why and until when: the one rule the unit page shows
and ``start_attempt`` enforces. Pure module (reads attempt rows, imports neither Flask nor SQLAlchemy)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from lti_tool.assessment.grade_policy import GradedAttempt, has_mastered

__all__ = ["Availability", "Blocked", "availability"]


class Blocked(StrEnum):
    """Why no new attempt can start (the code of the 409 the API answers)."""

    MASTERED = "mastered"
    NO_ATTEMPTS_LEFT = "no_attempts_left"
    COOLDOWN = "cooldown"


@dataclass(frozen=True)
class Availability:
    """Attempts used and left (practice attempts never count), the next opening after a cooldown."""

    used: int
    max_attempts: int | None
    practice: bool
    blocked: Blocked | None = None
    opens_at: dt.datetime | None = None

    @property
    def left(self) -> int | None:
        """Attempts left, or None without a limit."""
        return None if self.max_attempts is None else max(self.max_attempts - self.used, 0)

    def minutes_to_wait(self, now: dt.datetime) -> int:
        """Whole minutes until the cooldown ends, rounded up."""
        if self.opens_at is None:
            return 0
        return int((self.opens_at - now).total_seconds() // 60) + 1


def availability(attempts: Sequence[GradedAttempt], *, max_attempts: int | None, cooldown: dt.timedelta | None,
                 practice_after_mastery: bool, now: dt.datetime) -> Availability:
    """The learner's standing at one placement, from all their attempts there (oldest first)."""
    practice = has_mastered(attempts)
    # A teacher's reset gives the try back; practice attempts never count toward the limit.
    done = [a for a in attempts if a.state != "reset" and not a.practice]
    standing = Availability(used=len(done), max_attempts=max_attempts, practice=practice)
    if any(a.state == "in_progress" for a in attempts):
        return standing  # an attempt in progress can always be resumed
    if practice and not practice_after_mastery:
        return Availability(len(done), max_attempts, practice, Blocked.MASTERED)
    if not practice and max_attempts is not None and len(done) >= max_attempts:
        return Availability(len(done), max_attempts, practice, Blocked.NO_ATTEMPTS_LEFT)
    last = done[-1] if done else None
    if last is not None and cooldown and last.submitted_at and now < last.submitted_at + cooldown:
        return Availability(len(done), max_attempts, practice, Blocked.COOLDOWN, last.submitted_at + cooldown)
    return standing
