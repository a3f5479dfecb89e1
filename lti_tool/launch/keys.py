"""The tool's own RS256 signing keys: create, rotate, publish (JWKS)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import orm as so

from lti_tool.db import utcnow
from lti_tool.launch.models import ToolKey


def _new_key() -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = uuid.uuid4().hex
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return ToolKey(kid=kid, private_pem=pem, public_jwk=jwk)


def ensure_active_key(session: so.Session) -> ToolKey:
    """The current signing key, created on first use."""
    key = session.scalar(
        sa.select(ToolKey).where(ToolKey.retired_at.is_(None)).order_by(ToolKey.created_at.desc()).limit(1)
    )
    if key is None:
        key = _new_key()
        session.add(key)
        session.flush()
    return key


def rotate(session: so.Session, *, retention_days: int) -> tuple[ToolKey, list[ToolKey]]:
    """Retire the current key(s) (kept published for ``retention_days``) and make a new one."""
    now = utcnow()
    retired = list(session.scalars(sa.select(ToolKey).where(ToolKey.retired_at.is_(None))))
    for key in retired:
        key.retired_at = now
        key.expires_at = now + dt.timedelta(days=retention_days)
    new = _new_key()
    # Created strictly after the retired ones, so ``ensure_active_key`` never picks an old key.
    new.created_at = now
    session.add(new)
    session.flush()
    return new, retired


def ensure_published_jwks(session: so.Session) -> dict[str, list[dict[str, Any]]]:
    """The JWKS: the active key and every retired key that has not expired yet."""
    ensure_active_key(session)
    now = utcnow()
    keys = session.scalars(
        sa.select(ToolKey)
        .where(sa.or_(ToolKey.expires_at.is_(None), ToolKey.expires_at > now))
        .order_by(ToolKey.created_at.desc())
    )
    return {"keys": [dict(key.public_jwk) for key in keys]}
