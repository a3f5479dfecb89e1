"""Registrations (platforms and deployments) cached per process, re-read when the registry generation moves.

Every registration change (`lti_tool.launch.registration`) bumps the one-row registry generation in its own
transaction; each request reads that row once (a primary-key read) and re-reads the registrations only when it
differs from the cached snapshot's. So a disabled, updated or purged registration takes effect at the next request
in every worker, while a launch and the pages after it no longer read the platform and deployment rows
(measured with bench/launch.py: five round trips per login, launch and unit page).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.db import detached
from lti_tool.http_url import origin
from lti_tool.launch.models import Deployment, Platform, RegistryGeneration


@dataclass(frozen=True)
class PlatformEntry:
    """A registration as launches need it (a copy: never attached to a database session)."""

    id: int
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    disabled: bool

    @property
    def origins(self) -> list[str]:
        """The origins this platform frames the tool from (its issuer's and its login page's)."""
        return sorted({found for found in (origin(self.issuer), origin(self.auth_login_url)) if found})


@dataclass(frozen=True)
class DeploymentEntry:
    """A deployment of the tool inside a platform."""

    id: int
    platform_id: int
    deployment_id: str
    disabled: bool


@dataclass(frozen=True)
class Registry:
    """Every registration at one registry generation."""

    generation: int
    platforms: dict[int, PlatformEntry] = field(default_factory=dict)
    deployments: dict[int, DeploymentEntry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        by_key = {(p.issuer, p.client_id): p for p in self.platforms.values()}
        object.__setattr__(self, "_by_key", by_key)
        object.__setattr__(self, "_deployment_by_key",
                           {(d.platform_id, d.deployment_id): d for d in self.deployments.values()})

    def platform(self, issuer: str, client_id: str) -> PlatformEntry | None:
        """The registration with this (stored) issuer and client id."""
        found: PlatformEntry | None = self._by_key.get((issuer, client_id))  # type: ignore[attr-defined]
        return found

    def platforms_of(self, issuer: str) -> list[PlatformEntry]:
        """Every registration with this (stored) issuer."""
        return [p for p in self.platforms.values() if p.issuer == issuer]

    def deployment(self, platform_id: int, deployment_id: str) -> DeploymentEntry | None:
        """The deployment with this id under that platform."""
        found: DeploymentEntry | None = self._deployment_by_key.get(  # type: ignore[attr-defined]
            (platform_id, deployment_id))
        return found

    def live(self, deployment_pk: int) -> bool:
        """Whether launches and sessions of this deployment are allowed (neither it nor its platform disabled)."""
        deployment = self.deployments.get(deployment_pk)
        if deployment is None or deployment.disabled:
            return False
        platform = self.platforms.get(deployment.platform_id)
        return platform is not None and not platform.disabled

    def enabled_origins(self) -> list[str]:
        """Origins of every enabled registration (pages shown before a launch session exists)."""
        return sorted({o for p in self.platforms.values() if not p.disabled for o in p.origins})


# Built once and run on the session's connection (Core, not the ORM): every request reads it, and building the
# statement and the ORM's execution steps cost more CPU than the primary-key read itself (bench/launch.py).
_GENERATION = sa.select(RegistryGeneration.value).where(RegistryGeneration.id == 1)
# The same read as a scalar subquery, for a request's first write to return with its own row (RETURNING): the
# login's INSERT and the launch's DELETE carry the generation instead of a statement of their own.
GENERATION_NOW = _GENERATION.scalar_subquery()


class RegistryMoved(Exception):  # noqa: N818  # not an error: the request runs again with the fresh registry
    """A statement returned a registry generation other than the one of the snapshot the request used."""


class GenerationCheck:
    """A request that used the cached snapshot without reading the generation first (optimistic): its first
    write returns the generation, and `confirm` raises RegistryMoved when that differs from the snapshot's."""

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self.confirmed = False

    def confirm(self, seen: int | None) -> None:
        """Check the generation a statement returned (None: no generation row yet, which is generation 0)."""
        if (seen or 0) != self.generation:
            raise RegistryMoved(f"registry generation {seen or 0}, the snapshot used was {self.generation}")
        self.confirmed = True


def read_generation(db: so.Session) -> int:
    """The registry generation now (0 before the first registration change)."""
    return int(db.connection().execute(_GENERATION).scalar() or 0)


def load_registry(db: so.Session, generation: int) -> Registry:
    """Every platform and deployment, read now."""
    platforms = {
        row.id: PlatformEntry(id=row.id, issuer=row.issuer, client_id=row.client_id,
                              auth_login_url=row.auth_login_url, auth_token_url=row.auth_token_url,
                              key_set_url=row.key_set_url, disabled=row.disabled_at is not None)
        for row in db.execute(sa.select(Platform.id, Platform.issuer, Platform.client_id, Platform.auth_login_url,
                                        Platform.auth_token_url, Platform.key_set_url, Platform.disabled_at))
    }
    deployments = {
        row.id: DeploymentEntry(id=row.id, platform_id=row.platform_id, deployment_id=row.deployment_id,
                                disabled=row.disabled_at is not None)
        for row in db.execute(sa.select(Deployment.id, Deployment.platform_id, Deployment.deployment_id,
                                        Deployment.disabled_at))
    }
    return Registry(generation, platforms, deployments)


class RegistryCache:
    """The process's snapshot of the registrations, swapped whole when the generation moves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._registry: Registry | None = None

    def at(self, db: so.Session, generation: int) -> Registry:
        """The registrations as of `generation` (read from `db` if the cached snapshot is older)."""
        with self._lock:
            cached = self._registry
        if cached is not None and cached.generation == generation:
            return cached
        # The rows are read after the generation: a change committed in between is already in them, and the
        # next request reads the newer generation and loads again, so a snapshot is never older than its number.
        registry = load_registry(db, generation)
        with self._lock:
            self._registry = registry
        return registry

    def cached(self) -> Registry | None:
        """The snapshot held now, unchecked (None before the first load): see GenerationCheck."""
        with self._lock:
            return self._registry

    def current(self, db: so.Session) -> Registry:
        """The registrations now (one primary-key read when nothing changed)."""
        return self.at(db, read_generation(db))


def attached_platform(db: so.Session, entry: PlatformEntry) -> Platform:
    """The ORM row of an enabled registration, put into `db` from the snapshot without a query.

    The row is persistent as if just loaded (columns not in the snapshot load on first access), so relationships
    (a session's deployment's platform) resolve from the identity map and changes flush as usual.
    """
    found = db.identity_map.get(so.util.identity_key(Platform, entry.id))
    if found is not None:
        return found
    row = detached(Platform, {"id": entry.id, "issuer": entry.issuer, "client_id": entry.client_id,
                              "auth_login_url": entry.auth_login_url, "auth_token_url": entry.auth_token_url,
                              "key_set_url": entry.key_set_url, "disabled_at": None})
    db.add(row)
    return row


def attached_deployment(db: so.Session, entry: DeploymentEntry) -> Deployment:
    """The ORM row of an enabled deployment, put into `db` from the snapshot without a query."""
    found = db.identity_map.get(so.util.identity_key(Deployment, entry.id))
    if found is not None:
        return found
    row = detached(Deployment, {"id": entry.id, "platform_id": entry.platform_id,
                                "deployment_id": entry.deployment_id, "disabled_at": None})
    db.add(row)
    return row
