"""Autosave of one response: the learner's answers kept as they type, one statement after an attempt's first.

The attempt's fixed facts (owner, placement, deadline, drawn items, unit) are cached per process after its first
autosave; the upsert itself checks what may have changed since (state, deadline) and whose attempt it is, so the
database has the last word. Anything the fast path cannot decide alone takes the full path (``services.own_attempt``
first), which gives the same answers and errors in the same order.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from lti_tool.assessment.models import Attempt, AttemptResponse, AttemptState
from lti_tool.assessment.responses import validate_response
from lti_tool.assessment.services import own_attempt
from lti_tool.catalogue.unit_doc import UnitDoc
from lti_tool.db import note_write, table_of
from lti_tool.errors import N_, Conflict, NotFound, ValidationFailed
from lti_tool.launch.models import LaunchSession
from lti_tool.lru import LockedLRU


def save_response(db: so.Session, launch: LaunchSession, attempt_id: str, item_id: str, raw: Any,
                  *, now: dt.datetime) -> Any:
    """Autosave one response; returns it normalised.

    After the first autosave of an attempt in this process, one statement: the attempt's fixed facts (owner,
    placement, deadline, drawn items, unit) come from a per-process cache and its state is checked by the upsert
    itself. Anything the fast path cannot decide alone (a practical task, an answer it refuses, an attempt no
    longer in progress) takes the full path, which gives the same answers and errors in the same order.
    """
    facts = _FACTS.get(attempt_id)
    upsert = _guarded_response_upsert(db.get_bind().dialect.name)
    if facts is not None and upsert is not None and facts.admits(launch, item_id, now):
        item = facts.doc.item(item_id)
        if not item.is_practical:
            try:
                value = validate_response(item, raw, launch.locale)
            except ValidationFailed:
                pass  # the full path says why, after its checks of the attempt's state and deadline
            else:
                saved = db.connection().execute(upsert, {
                    "attempt_id": attempt_id, "item_id": item_id, "response": value, "saved_at": now,
                    "user_pk": launch.user_pk, "resource_link_pk": launch.resource_link_pk,
                    "in_progress": AttemptState.IN_PROGRESS}).first()
                if saved is not None:
                    note_write(db)  # a Core statement on the session's connection: the request boundary commits
                    return value
    return _save_response_checked(db, launch, attempt_id, item_id, raw, now=now)


def _save_response_checked(db: so.Session, launch: LaunchSession, attempt_id: str, item_id: str, raw: Any,
                           *, now: dt.datetime) -> Any:
    """Autosave with the attempt read first: ownership, state, deadline, the item drawn, then the answer."""
    attempt = own_attempt(db, launch, attempt_id)
    if attempt.state != AttemptState.IN_PROGRESS:
        raise Conflict(N_("This attempt has been submitted; its answers can no longer change."), code="submitted")
    if attempt.deadline_at is not None and now > attempt.deadline_at:
        raise Conflict(N_("The time limit of this attempt has passed; answers can no longer be saved."),
                       code="time_limit_passed")
    drawn = frozenset(entry["item_id"] for entry in attempt.selection)
    if item_id not in drawn:
        raise NotFound(N_("Item “%(item_id)s” is not part of this attempt."), item_id=item_id)
    _FACTS.put(attempt.id, _AttemptFacts(attempt.user_pk, attempt.resource_link_pk, attempt.deadline_at, drawn,
                                         attempt.unit.doc))
    item = attempt.unit.doc.item(item_id)
    upsert = _response_upsert(db.get_bind().dialect.name)
    if not item.is_practical and upsert is not None:
        # One statement whether the item was answered before or not (a concurrent autosave included).
        value = validate_response(item, raw, launch.locale)
        db.execute(upsert, {"attempt_id": attempt.id, "item_id": item_id, "response": value, "saved_at": now})
        return value
    stmt = sa.select(AttemptResponse).where(AttemptResponse.attempt_id == attempt.id,
                                            AttemptResponse.item_id == item_id)
    row = db.scalar(stmt)
    if item.is_practical and row is not None:
        raw = _keep_upload(raw, row.response)
    value = validate_response(item, raw, launch.locale)
    if row is None:
        try:
            with db.begin_nested():
                db.add(AttemptResponse(attempt_id=attempt.id, item_id=item_id, response=value, saved_at=now))
            return value
        except IntegrityError:
            row = db.scalar(stmt)  # a concurrent autosave of the same item won the insert
            assert row is not None
    row.response, row.saved_at = value, now
    return value


@dataclass(frozen=True, slots=True)
class _AttemptFacts:
    """What never changes about an attempt once started: its learner, placement, deadline, drawn items, unit."""

    user_pk: int
    resource_link_pk: int
    deadline_at: dt.datetime | None
    drawn: frozenset[str]
    doc: UnitDoc

    def admits(self, launch: LaunchSession, item_id: str, now: dt.datetime) -> bool:
        """The launch's own attempt, before its deadline, and an item drawn for it."""
        return (self.user_pk == launch.user_pk and self.resource_link_pk == launch.resource_link_pk
                and (self.deadline_at is None or now <= self.deadline_at) and item_id in self.drawn)


# Attempt facts by attempt id, the most recent few thousand, per process (ids are random UUIDs).
_FACTS: LockedLRU[str, _AttemptFacts] = LockedLRU(4096)


@functools.cache
def _response_upsert(dialect: str) -> sa.Insert | None:
    """INSERT … ON CONFLICT (attempt_id, item_id) DO UPDATE, built once per dialect (None: not supported)."""
    if dialect not in ("sqlite", "postgresql"):
        return None
    table = table_of(AttemptResponse)
    insert = (sqlite.insert(table) if dialect == "sqlite" else postgresql.insert(table)).values(
        attempt_id=sa.bindparam("attempt_id"), item_id=sa.bindparam("item_id"),
        response=sa.bindparam("response", type_=table.c.response.type),
        saved_at=sa.bindparam("saved_at", type_=table.c.saved_at.type))
    return insert.on_conflict_do_update(index_elements=["attempt_id", "item_id"],
                                        set_={"response": insert.excluded.response,
                                              "saved_at": insert.excluded.saved_at})


@functools.cache
def _guarded_response_upsert(dialect: str) -> sa.Insert | None:
    """The upsert of _response_upsert, written only to the launch's own attempt while it is in progress and
    before its deadline; RETURNING says whether it wrote."""
    if dialect not in ("sqlite", "postgresql"):
        return None
    table, attempts = table_of(AttemptResponse), table_of(Attempt)
    attempt_id = sa.bindparam("attempt_id", type_=table.c.attempt_id.type)
    saved_at = sa.bindparam("saved_at", type_=table.c.saved_at.type)
    values = sa.select(attempt_id, sa.bindparam("item_id", type_=table.c.item_id.type),
                       sa.bindparam("response", type_=table.c.response.type), saved_at).where(
        # The database has the last word on everything the cached facts said: owner, placement, state, deadline.
        sa.exists().where(attempts.c.id == attempt_id, attempts.c.user_pk == sa.bindparam("user_pk"),
                          attempts.c.resource_link_pk == sa.bindparam("resource_link_pk"),
                          attempts.c.state == sa.bindparam("in_progress"),
                          sa.or_(attempts.c.deadline_at.is_(None), attempts.c.deadline_at >= saved_at)))
    insert = (sqlite.insert(table) if dialect == "sqlite" else postgresql.insert(table)).from_select(
        ["attempt_id", "item_id", "response", "saved_at"], values)
    return insert.on_conflict_do_update(index_elements=["attempt_id", "item_id"],
                                        set_={"response": insert.excluded.response,
                                              "saved_at": insert.excluded.saved_at}).returning(table.c.id)


def _keep_upload(raw: Any, saved: Any) -> Any:
    """A practical answer that does not mention its upload keeps the one already saved (the page autosaves the
    text alone; an upload attached through the API must survive it). ``"upload": null`` removes it."""
    if not isinstance(saved, dict) or "upload" not in saved:
        return raw
    if isinstance(raw, str):
        raw = {"text": raw}
    if isinstance(raw, dict) and "upload" not in raw:
        return {**raw, "upload": saved["upload"]}
    return raw
