"""Platform registrations: add (and add deployments), list, remove."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.errors import Conflict, NotFound, ValidationFailed
from lti_tool.launch.models import Deployment, Platform


@dataclass(frozen=True)
class PlatformInput:
    """What a site administrator gives when registering a platform."""

    issuer: str
    client_id: str
    deployment_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    name: str = ""


def _check_url(field: str, value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValidationFailed(f"{field} must be an absolute http(s) URL, got {value!r}.")
    return value.strip()


def add_platform(db: so.Session, data: PlatformInput) -> tuple[Platform, bool]:
    """Register a platform with one deployment, or add a deployment to an existing registration.

    Returns the platform and whether a new deployment was created; a repeated deployment is a Conflict.
    """
    issuer = _check_url("--issuer", data.issuer)
    urls = {name: _check_url(flag, value) for name, flag, value in (
        ("auth_login_url", "--auth-login-url", data.auth_login_url),
        ("auth_token_url", "--auth-token-url", data.auth_token_url),
        ("key_set_url", "--key-set-url", data.key_set_url),
    )}
    if not data.client_id.strip():
        raise ValidationFailed("--client-id must not be empty.")
    if not data.deployment_id.strip():
        raise ValidationFailed("--deployment-id must not be empty.")
    platform = db.scalar(sa.select(Platform).where(Platform.issuer == issuer,
                                                   Platform.client_id == data.client_id.strip()))
    if platform is None:
        platform = Platform(issuer=issuer, client_id=data.client_id.strip(), name=data.name.strip(), **urls)
        db.add(platform)
        db.flush()
    else:
        changed = {name for name, value in urls.items() if getattr(platform, name) != value}
        if changed:
            raise Conflict(
                f"Platform {issuer} (client {platform.client_id}) is already registered with other "
                f"{', '.join(sorted(changed))}; remove it first to change them."
            )
    exists = db.scalar(sa.select(Deployment).where(Deployment.platform_id == platform.id,
                                                   Deployment.deployment_id == data.deployment_id.strip()))
    if exists is not None:
        raise Conflict(f"Deployment {data.deployment_id!r} is already registered for {issuer} "
                       f"(client {platform.client_id}).")
    db.add(Deployment(platform=platform, deployment_id=data.deployment_id.strip()))
    db.flush()
    return platform, True


def list_platforms(db: so.Session) -> list[Platform]:
    """Every registration, oldest first."""
    return list(db.scalars(sa.select(Platform).order_by(Platform.id)))


def remove_platform(db: so.Session, issuer: str, client_id: str | None, deployment_id: str | None) -> str:
    """Remove a whole registration, or one deployment of it; returns what was removed."""
    query = sa.select(Platform).where(Platform.issuer == issuer)
    if client_id:
        query = query.where(Platform.client_id == client_id)
    platforms = list(db.scalars(query))
    if not platforms:
        raise NotFound(f"No platform is registered with issuer {issuer!r}"
                       + (f" and client id {client_id!r}." if client_id else "."))
    if len(platforms) > 1:
        raise ValidationFailed(f"Issuer {issuer!r} has several client ids; name one with --client-id.")
    platform = platforms[0]
    if deployment_id:
        deployment = next((d for d in platform.deployments if d.deployment_id == deployment_id), None)
        if deployment is None:
            raise NotFound(f"Deployment {deployment_id!r} is not registered for {issuer!r}.")
        db.delete(deployment)
        db.flush()
        return f"deployment {deployment_id} of {issuer}"
    db.delete(platform)
    db.flush()
    return f"platform {issuer} (client {platform.client_id})"


def platform_origins(db: so.Session) -> list[str]:
    """Origins of every registered platform, for the CSP frame-ancestors list."""
    origins: set[str] = set()
    for issuer, login in db.execute(sa.select(Platform.issuer, Platform.auth_login_url)):
        for url in (issuer, login):
            parts = urlsplit(url)
            if parts.scheme in {"http", "https"} and parts.netloc:
                origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)
