"""Access tokens for the LTI services: the signed client assertion and the token cache in the database.

LTI Security Framework 1.0 §4.1 (client_credentials grant with a JWT client assertion, RFC 7523 §2.2/§3).
The cache is keyed on (issuer, client_id, frozenset(scopes)) and lives in the ``service_token`` table so
every gunicorn worker reuses one token; pylti1p3next's in-process cache keys on issuer+scopes only (§6).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import jwt
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy import orm as so

from lti_tool.launch.keys import ensure_active_key
from lti_tool.launch.models import Platform, ToolKey
from lti_tool.lms.models import ServiceToken


@dataclass(frozen=True)
class AccessToken:
    """A bearer token, the scopes the platform granted with it, and when to stop using it."""

    value: str
    scopes: frozenset[str]
    usable_until: dt.datetime


def scope_key(scopes: Iterable[str]) -> str:
    """A fixed-length key for a set of scopes (order and duplicates do not matter)."""
    return hashlib.sha256(" ".join(sorted(set(scopes))).encode()).hexdigest()


def client_assertion(session: so.Session, platform: Platform, *, now: dt.datetime, lifetime_seconds: int,
                     audience: str | None = None) -> str:
    """A JWT signed with the tool's active RS256 key: iss = sub = client_id, aud = the token URL (RFC 7523 §3)."""
    kid, private_pem = _signing_key(session)
    issued = int(now.timestamp())
    claims = {
        "iss": platform.client_id,
        "sub": platform.client_id,
        "aud": audience or platform.auth_token_url,
        "iat": issued,
        "exp": issued + lifetime_seconds,
        "jti": uuid.uuid4().hex,  # RFC 7523 §3 item 7: the platform may refuse a reused jti
    }
    return jwt.encode(claims, private_pem, algorithm="RS256", headers={"kid": kid})


def _signing_key(session: so.Session) -> tuple[str, str]:
    """(kid, private PEM) of the active key, created and committed first when there is none yet.

    The platform verifies the assertion against our JWKS while we wait for its answer: a key created
    inside the caller's uncommitted transaction would not be published yet.
    """
    key = session.scalar(sa.select(ToolKey).where(ToolKey.retired_at.is_(None))
                         .order_by(ToolKey.created_at.desc()).limit(1))
    if key is not None:
        return key.kid, key.private_pem
    with so.Session(bind=session.get_bind()) as own:
        created = ensure_active_key(own)
        own.commit()
        return created.kid, created.private_pem


def _key_filter(platform: Platform, scopes: frozenset[str]) -> sa.ColumnElement[bool]:
    return sa.and_(ServiceToken.issuer == platform.issuer, ServiceToken.client_id == platform.client_id,
                   ServiceToken.scope_key == scope_key(scopes))


def cached_token(session: so.Session, platform: Platform, scopes: frozenset[str], *,
                 now: dt.datetime) -> AccessToken | None:
    """The stored token for this registration and scope set, unless it is (nearly) expired."""
    row = session.scalar(sa.select(ServiceToken).where(_key_filter(platform, scopes)))
    if row is None or row.expires_at <= now:
        return None
    return AccessToken(row.access_token, frozenset(row.granted_scopes), row.expires_at)


def store_token(session: so.Session, platform: Platform, scopes: frozenset[str], token: AccessToken) -> None:
    """Insert or replace the cached token; a concurrent insert by another worker is resolved by updating it."""
    for _ in range(2):
        row = session.scalar(sa.select(ServiceToken).where(_key_filter(platform, scopes)))
        if row is not None:
            row.access_token, row.granted_scopes = token.value, sorted(token.scopes)
            row.expires_at = token.usable_until
            session.flush()
            return
        try:
            with session.begin_nested():
                session.add(ServiceToken(
                    platform_pk=platform.id, issuer=platform.issuer, client_id=platform.client_id,
                    scope_key=scope_key(scopes), requested_scopes=sorted(scopes),
                    granted_scopes=sorted(token.scopes), access_token=token.value,
                    expires_at=token.usable_until,
                ))
            return
        except sa_exc.IntegrityError:
            continue  # another worker stored one first: update that row instead


def drop_token(session: so.Session, platform: Platform, scopes: frozenset[str], value: str) -> None:
    """Forget a token the platform refused (only if it is still the cached one)."""
    session.execute(sa.delete(ServiceToken).where(_key_filter(platform, scopes),
                                                  ServiceToken.access_token == value))
