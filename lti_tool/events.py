"""Domain events: what happened, published inside the caller's transaction, heard by subscribers in order.

A service that changes something says what happened (``publish(db, AttemptResult(...))``); what else must
happen in the same transaction (the gradebook, the credential, the learning record) subscribes to it. The
subscribers and their order are listed once, in ``lti_tool.wire_events`` (create_app), so the order that
matters is written down in one place. A subscriber receives what the event knows: the attempt's responses
and item scores, the credential just issued; it never reads them again.

Subscribers run synchronously on the caller's session: no commit, no network. An exception in one rolls the
whole transaction back, as it did when these were direct calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import orm as so

if TYPE_CHECKING:
    from flask import Flask

    from lti_tool.assessment.mastery import UnitResult
    from lti_tool.assessment.models import Attempt
    from lti_tool.assessment.scoring import ItemScore
    from lti_tool.catalogue.models import Unit
    from lti_tool.credentials.models import Credential
    from lti_tool.launch.models import LaunchSession

@dataclass(frozen=True)
class Launched:
    """A validated LTI launch opened a session (custom: the launch's custom parameters)."""

    session: LaunchSession
    custom: Mapping[str, object]
    at: dt.datetime


@dataclass(frozen=True)
class SectionRead:
    """The learner's unit page reports a study section read (the section exists in the placement's unit)."""

    session: LaunchSession
    unit: Unit
    section_id: str
    at: dt.datetime


@dataclass(frozen=True)
class AttemptStarted:
    """A new attempt exists (flushed, inside the start's savepoint)."""

    attempt: Attempt
    at: dt.datetime


@dataclass(frozen=True)
class AttemptResult:
    """An attempt's result was fixed (submit, expiry, a teacher closing it) or changed (a teacher's review).

    ``responses`` are the saved responses it was scored from and ``scores`` the score of each drawn item.
    """

    attempt: Attempt
    result: UnitResult
    responses: Mapping[str, Any]
    scores: Mapping[str, ItemScore]
    at: dt.datetime


@dataclass(frozen=True)
class CredentialIssued:
    """A mastered attempt is backed by this live credential (newly signed, or the one it already had)."""

    credential: Credential
    attempt: Attempt
    at: dt.datetime


@dataclass(frozen=True)
class CredentialRevoked:
    """A credential was revoked (its status bit is set; ``credential.revocation_reason`` says why)."""

    credential: Credential
    at: dt.datetime


@dataclass(frozen=True)
class AttemptResetByTeacher:
    """A teacher set an attempt aside (it no longer counts); ``teacher`` is their launch session."""

    attempt: Attempt
    teacher: LaunchSession
    at: dt.datetime


E = TypeVar("E")
Subscriber = Callable[[so.Session, Any], None]


@dataclass
class Events:
    """The subscribers of each event type, called in the order they were subscribed."""

    _subscribers: dict[type, list[Subscriber]] = field(default_factory=dict)

    def subscribe(self, event_type: type[E], *subscribers: Callable[[so.Session, E], None]) -> None:
        """Add subscribers to an event type, after those already there."""
        self._subscribers.setdefault(event_type, []).extend(subscribers)

    def subscribers(self, event_type: type) -> tuple[Subscriber, ...]:
        """The subscribers of an event type, in order."""
        return tuple(self._subscribers.get(event_type, ()))

    def publish(self, db: so.Session, event: object) -> None:
        """Call every subscriber of the event's type, in order, in the caller's transaction."""
        for subscriber in self._subscribers.get(type(event), ()):
            subscriber(db, event)


def publish(db: so.Session, event: object) -> None:
    """Publish an event to the current app's subscribers (the one place domain code reaches the wiring)."""
    from lti_tool.runtime import runtime, wired

    wired(runtime().parts.events, "the domain events").publish(db, event)


def install(app: Flask, events: Events) -> None:
    """Give the app its events and their subscribers (create_app lists them: lti_tool.wire_events)."""
    from lti_tool.runtime import runtime

    runtime(app).parts.events = events
