"""OIDC login states kept server-side, consumed exactly once (the replay guard pylti1p3next lacks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.db import note_write, utcnow
from lti_tool.launch.models import LoginState
from lti_tool.launch.registry_cache import GENERATION_NOW, GenerationCheck

_INSERT = sa.insert(LoginState)  # run on the connection: plain Core
# The login's INSERT returning the registry generation, for a login that used the cached registrations unread
# (GenerationCheck): the generation's read rides on the write the login makes anyway (one round trip less).
_INSERT_CHECKED = sa.insert(LoginState).returning(GENERATION_NOW)
# The launch's consumption of its login state, built once and run as Core (as _INSERT): building the statement
# and the ORM's execution steps cost more CPU than the DELETE's round trip (bench/launch.py --profile).
_TAKE = sa.delete(LoginState).where(
    LoginState.state == sa.bindparam("taken_state"), LoginState.nonce == sa.bindparam("taken_nonce"),
    LoginState.expires_at >= sa.bindparam("now"),
).returning(LoginState.target_link_uri)
_TAKE_CHECKED = _TAKE.returning(GENERATION_NOW)  # the same, with the registry generation (see _INSERT_CHECKED)


def take_cte() -> sa.CTE:
    """`take`'s DELETE … RETURNING (target_link_uri, registry generation) as a CTE named "taken", for a launch's
    first write to consume its login state in the same statement (launch.services); binds as `take_params`."""
    return _TAKE_CHECKED.cte("taken")


def take_params(state: str, nonce: str) -> dict[str, object]:
    """The bind values of `take_cte` (and of `take`)."""
    return {"taken_state": state, "taken_nonce": nonce, "now": utcnow()}


class LoginStateStore:
    """Create, read and atomically consume login states in the tool's database."""

    def __init__(self, session: so.Session, *, lifetime_seconds: int, check: GenerationCheck | None = None) -> None:
        """`check`: the request used the cached registrations unread; create and take confirm its generation with
        their own statement (RegistryMoved when it moved: the caller rolls back and runs again)."""
        self._session = session
        self._lifetime = dt.timedelta(seconds=lifetime_seconds)
        self._check = check

    def create(self, *, state: str, nonce: str, platform_pk: int, target_link_uri: str,
               binding: str, storage_target: str, login_params: dict[str, Any]) -> None:
        """Remember a login in flight (the sweeper, lti_tool.bounds.sweeper, deletes expired ones)."""
        # A Core INSERT: the login never reads the row back, and the ORM's unit of work cost more CPU than the
        # round trip itself (bench/launch.py).
        values = {
            "state": state, "nonce": nonce, "platform_pk": platform_pk, "target_link_uri": target_link_uri,
            "binding": binding, "storage_target": storage_target, "login_params": login_params,
            "expires_at": utcnow() + self._lifetime,
        }
        if self._check is None:
            self._session.connection().execute(_INSERT, values)
        else:
            generation = self._session.connection().execute(_INSERT_CHECKED, values).scalar_one()
            note_write(self._session)  # even if the check below fails: the caller rolls back first
            self._check.confirm(generation)
        note_write(self._session)  # the request boundary commits it

    def get(self, state: str) -> LoginState | None:
        """The live login state, or None when unknown, used or expired."""
        row = self._session.get(LoginState, state)
        if row is None or row.expires_at < utcnow():
            return None
        return row

    def confirm_generation(self, generation: int | None) -> None:
        """Confirm the registry generation a statement built on `take_cte` returned (as `take` does its own)."""
        if self._check is not None:
            self._check.confirm(generation)

    def sweep(self) -> int:
        """Delete expired login states; returns how many."""
        result = self._session.execute(sa.delete(LoginState).where(LoginState.expires_at < utcnow()))
        return int(result.rowcount)  # type: ignore[attr-defined]

    def take(self, state: str, nonce: str) -> str | None:
        """Delete the live state if it carries this nonce, in one round trip; its target_link_uri, else None.

        The same atomic DELETE as `consume` (one winner across workers), with RETURNING instead of a prior read.
        """
        params = take_params(state, nonce)
        note_write(self._session)  # a Core write: the request boundary commits it
        if self._check is None:
            target: str | None = self._session.connection().execute(_TAKE, params).scalar_one_or_none()
            return target
        row = self._session.connection().execute(_TAKE_CHECKED, params).one_or_none()
        if row is None:
            return None  # nothing taken, so no generation returned: the caller's refusal checks it (RegistryMoved)
        self._check.confirm(row[1])
        return str(row[0])

    def consume(self, state: str, nonce: str) -> bool:
        """Delete the state if it carries this nonce; True only for the one caller that deleted it.

        A single DELETE is atomic on SQLite and PostgreSQL alike, so two workers replaying the same
        id_token at once cannot both succeed.
        """
        params = {"taken_state": state, "taken_nonce": nonce, "now": utcnow()}
        note_write(self._session)  # a Core write: the request boundary commits it
        if self._check is None:
            return self._session.connection().execute(_TAKE, params).first() is not None
        row = self._session.connection().execute(_TAKE_CHECKED, params).first()
        if row is not None:
            self._check.confirm(row[1])
        return row is not None
