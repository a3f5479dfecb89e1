"""Coordinator accounts and sign-in: argon2id passwords and a per-account lockout.

The per-address rate limit of the sign-in is lti_tool.bounds' (RATE_LIMIT_SIGNIN), applied to the view.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.db import utcnow
from lti_tool.errors import N_, Conflict, NotFound, ToolError, ValidationFailed
from lti_tool.launch.services import hash_token
from lti_tool.pilots.models import Coordinator, CoordinatorSession
from lti_tool.pilots.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
# Five wrong passwords lock the account for 15 minutes (OWASP ASVS 2.2.1 allows at most 100 per hour).
LOCK_AFTER = 5
LOCK_FOR = dt.timedelta(minutes=15)


class SigninRefused(ToolError):
    """Wrong username or password (never says which)."""

    status = 401
    code = "signin_failed"


class SigninLocked(ToolError):
    """Too many failures: the account is locked for a while."""

    status = 423
    code = "account_locked"



@dataclass(frozen=True)
class NewCoordinatorSession:
    """A signed-in session and the bearer token only the browser gets."""

    session: CoordinatorSession
    token: str


def check_password_rules(password: str) -> None:
    """At least MIN_LENGTH characters (NIST SP 800-63B §5.1.1.2: length, not composition rules)."""
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(f"The password needs at least {MIN_LENGTH} characters.")
    if len(password) > 1024:
        raise ValidationFailed("The password is too long (at most 1024 characters).")


def create_coordinator(db: so.Session, username: str, password: str, name: str = "", locale: str = "") -> Coordinator:
    """A new coordinator account."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise ValidationFailed("The username needs 3-64 characters: lower-case letters, digits, '.', '_', '@', '-'.")
    check_password_rules(password)
    if db.scalar(sa.select(Coordinator.id).where(Coordinator.username == username)) is not None:
        raise Conflict(f"The coordinator {username} exists already.")
    account = Coordinator(username=username, name=name.strip()[:255], password_hash=hash_password(password),
                          locale=locale.strip()[:8])
    db.add(account)
    db.flush()
    return account


def set_password(db: so.Session, username: str, password: str) -> None:
    """A new password for an account; unlocks it and ends its sessions."""
    account = db.scalar(sa.select(Coordinator).where(Coordinator.username == username.strip().lower()))
    if account is None:
        raise NotFound(f"There is no coordinator {username}.")
    check_password_rules(password)
    account.password_hash = hash_password(password)
    account.failed_signins, account.locked_until = 0, None
    db.execute(sa.delete(CoordinatorSession).where(CoordinatorSession.coordinator_pk == account.id))



def sign_in(db: so.Session, username: str, password: str, *, lifetime_hours: int,
            now: dt.datetime | None = None) -> NewCoordinatorSession:
    """Check the password and open a session, or refuse (lockout, wrong credentials).

    Failures are committed by the caller even though the sign-in is refused (they are the lockout's memory).
    """
    now = now or utcnow()
    account = db.scalar(sa.select(Coordinator).where(Coordinator.username == username.strip().lower()[:64]))
    if account is not None and account.locked_until is not None and account.locked_until > now:
        raise SigninLocked(N_("This account is locked after too many wrong passwords. Wait 15 minutes or ask an "
                              "administrator to set a new password."))
    # The password is checked even without an account, so a missing username takes as long as a wrong password.
    if not verify_password(account.password_hash if account else None, password[:1024]) or account is None:
        if account is not None:
            account.failed_signins += 1
            if account.failed_signins >= LOCK_AFTER:
                account.locked_until, account.failed_signins = now + LOCK_FOR, 0
        raise SigninRefused(N_("The username or the password is wrong."))
    account.failed_signins, account.locked_until, account.last_signin_at = 0, None, now
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    db.execute(sa.delete(CoordinatorSession).where(CoordinatorSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    session = CoordinatorSession(token_hash=hash_token(token), csrf_token=secrets.token_urlsafe(24),
                                 coordinator=account, expires_at=now + dt.timedelta(hours=lifetime_hours))
    db.add(session)
    db.flush()
    return NewCoordinatorSession(session, token)


def find_coordinator_session(db: so.Session, token: str) -> CoordinatorSession | None:
    """The live coordinator session of a bearer token, or None."""
    if not token:
        return None
    session = db.scalar(sa.select(CoordinatorSession).where(CoordinatorSession.token_hash == hash_token(token)))
    if session is None or session.expires_at < utcnow():
        return None
    return session


def sign_out(db: so.Session, token: str) -> None:
    """End the session of this token."""
    db.execute(sa.delete(CoordinatorSession).where(CoordinatorSession.token_hash == hash_token(token)))
