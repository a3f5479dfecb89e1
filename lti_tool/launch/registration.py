"""Platform registrations: add (and add deployments), update, list, disable/enable, purge.

Issuers are kept in one normal form (lower-case scheme and host, no trailing slash), so one LMS can never be
registered twice under two spellings. Every change bumps the registry generation (`RegistryGeneration`):
each worker compares it with what it cached (one indexed read) and so sees a change at its next request.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.db import utcnow
from lti_tool.errors import N_, Conflict, NotFound, ValidationFailed
from lti_tool.http_url import is_http_url
from lti_tool.launch.models import Context, Deployment, Platform, RegistryGeneration, ResourceLink
from lti_tool.runtime import runtime

if TYPE_CHECKING:
    from flask import Flask

# The page a learner or teacher of a disabled registration sees (launches, and sessions opened before).
DISABLED_MESSAGE = N_("The administrator of this tool has switched off its registration for your LMS, so "
                      "activities cannot be opened. Your course records are kept. Ask your LMS administrator to "
                      "contact the tool's administrator.")
_MAX_ID = 255  # issuer, client id, deployment id, name: String(255) columns
_MAX_URL = 1024


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


def normalize_issuer(value: str, field: str = "--issuer") -> str:
    """The one form an issuer is stored and looked up in; refuses what cannot be an LTI 1.3 issuer."""
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise ValidationFailed(f"{field} must be an absolute http(s) URL, got {value!r}.")
    if parts.query or parts.fragment:
        raise ValidationFailed(f"{field} must not carry a query or a fragment, got {value!r}.")
    if parts.scheme.lower() == "http" and not is_loopback(parts.hostname):
        raise ValidationFailed(
            f"{field} {text} uses plain http: an LMS on another machine must use https (LTI 1.3 sends its "
            "tokens over TLS). Only a platform on this machine (localhost, 127.0.0.1) may use http.")
    netloc = parts.netloc.lower() if "@" not in parts.netloc else parts.netloc
    issuer = urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))
    if len(issuer) > _MAX_ID:
        raise ValidationFailed(f"{field} is longer than {_MAX_ID} characters.")
    return issuer


def is_loopback(host: str) -> bool:
    """This machine: localhost or a loopback address (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@functools.lru_cache(maxsize=256)
def issuer_spellings(issuer: str) -> tuple[str, ...]:
    """The stored forms a received `iss` may match (registrations made before issuers were normalised)."""
    # Remembered per issuer: a launch asks four times, and each normalisation parses the URL and the host.
    try:
        normal = normalize_issuer(issuer)
    except ValidationFailed:
        return (issuer,)
    return (normal, normal + "/")


def _check_url(field: str, value: str) -> str:
    if not is_http_url(value.strip()):
        raise ValidationFailed(f"{field} must be an absolute http(s) URL, got {value!r}.")
    if len(value.strip()) > _MAX_URL:
        raise ValidationFailed(f"{field} is longer than {_MAX_URL} characters.")
    return value.strip()


def _check_id(field: str, value: str) -> str:
    text = value.strip()
    if not text:
        raise ValidationFailed(f"{field} must not be empty.")
    if len(text) > _MAX_ID:
        raise ValidationFailed(f"{field} is longer than {_MAX_ID} characters.")
    return text


def _endpoints(data: PlatformInput) -> dict[str, str]:
    return {name: _check_url(flag, value) for name, flag, value in (
        ("auth_login_url", "--auth-login-url", data.auth_login_url),
        ("auth_token_url", "--auth-token-url", data.auth_token_url),
        ("key_set_url", "--key-set-url", data.key_set_url),
    )}


def check_platform_input(data: PlatformInput, *, need_ids: bool = True) -> PlatformInput:
    """Every check that does not need the database, with the issuer normalised (raises ValidationFailed)."""
    urls = _endpoints(data)
    name = data.name.strip()
    if len(name) > _MAX_ID:
        raise ValidationFailed(f"--name is longer than {_MAX_ID} characters.")
    return PlatformInput(
        issuer=normalize_issuer(data.issuer),
        client_id=_check_id("--client-id", data.client_id) if need_ids else data.client_id,
        deployment_id=_check_id("--deployment-id", data.deployment_id) if need_ids else data.deployment_id,
        name=name, **urls,
    )


def bump_generation(db: so.Session) -> None:
    """Tell every worker that registrations changed (in the caller's transaction)."""
    updated = db.execute(sa.update(RegistryGeneration).where(RegistryGeneration.id == 1)
                         .values(value=RegistryGeneration.value + 1))
    if not updated.rowcount:  # type: ignore[attr-defined]
        db.add(RegistryGeneration(id=1, value=1))
    db.flush()


def current_generation(db: so.Session) -> int:
    """The registry generation now (0 before the first change)."""
    return int(db.scalar(sa.select(RegistryGeneration.value).where(RegistryGeneration.id == 1)) or 0)


def add_platform(db: so.Session, data: PlatformInput) -> tuple[Platform, bool]:
    """Register a platform with one deployment, or add a deployment to an existing registration.

    Returns the platform and whether a new deployment was created; a repeated deployment is a Conflict, and so
    are other endpoints for a registered client (`platform update` changes those).
    """
    data = check_platform_input(data)
    urls = {"auth_login_url": data.auth_login_url, "auth_token_url": data.auth_token_url,
            "key_set_url": data.key_set_url}
    platform = _find(db, data.issuer, data.client_id)
    if platform is None:
        platform = Platform(issuer=data.issuer, client_id=data.client_id, name=data.name, **urls)
        db.add(platform)
        db.flush()
    else:
        changed = {name for name, value in urls.items() if getattr(platform, name) != value}
        if changed:
            raise Conflict(
                f"Platform {data.issuer} (client {platform.client_id}) is already registered with other "
                f"{', '.join(sorted(changed))}; change them with `mastery platform update`.")
    if _deployment(platform, data.deployment_id) is not None:
        raise Conflict(f"Deployment {data.deployment_id!r} is already registered for {data.issuer} "
                       f"(client {platform.client_id}).")
    db.add(Deployment(platform=platform, deployment_id=data.deployment_id))
    bump_generation(db)
    return platform, True


@dataclass(frozen=True)
class Upserted:
    """What `upsert_platform` did, for the page or the command line."""

    platform: Platform
    created_platform: bool
    added_deployment: bool
    changed: tuple[str, ...]  # fields of an existing registration that changed
    enabled_again: bool


def upsert_platform(db: so.Session, data: PlatformInput) -> Upserted:
    """Register, or bring a known registration up to date (Dynamic Registration's "Update"); never a conflict."""
    data = check_platform_input(data)
    platform = _find(db, data.issuer, data.client_id)
    created = platform is None
    changed: list[str] = []
    enabled_again = False
    if platform is None:
        platform = Platform(issuer=data.issuer, client_id=data.client_id, name=data.name,
                            auth_login_url=data.auth_login_url, auth_token_url=data.auth_token_url,
                            key_set_url=data.key_set_url)
        db.add(platform)
        db.flush()
    else:
        for field in ("auth_login_url", "auth_token_url", "key_set_url"):
            if getattr(platform, field) != getattr(data, field):
                setattr(platform, field, getattr(data, field))
                changed.append(field)
        if platform.disabled_at is not None:
            platform.disabled_at = None
            enabled_again = True
    deployment = _deployment(platform, data.deployment_id)
    if deployment is None:
        db.add(Deployment(platform=platform, deployment_id=data.deployment_id))
    elif deployment.disabled_at is not None:
        deployment.disabled_at = None
        enabled_again = True
    bump_generation(db)
    return Upserted(platform, created, deployment is None, tuple(changed), enabled_again)


def update_platform(db: so.Session, issuer: str, client_id: str | None, *, auth_login_url: str | None = None,
                    auth_token_url: str | None = None, key_set_url: str | None = None,
                    name: str | None = None) -> tuple[Platform, list[str]]:
    """Change a registration's endpoints, key set or name; returns it and the fields that changed."""
    platform = find_registration(db, issuer, client_id)
    given = {"auth_login_url": ("--auth-login-url", auth_login_url),
             "auth_token_url": ("--auth-token-url", auth_token_url),
             "key_set_url": ("--key-set-url", key_set_url)}
    changes: dict[str, str] = {field: _check_url(flag, value) for field, (flag, value) in given.items()
                               if value is not None}
    if name is not None:
        if len(name.strip()) > _MAX_ID:
            raise ValidationFailed(f"--name is longer than {_MAX_ID} characters.")
        changes["name"] = name.strip()
    if not changes:
        raise ValidationFailed("Nothing to change: give --auth-login-url, --auth-token-url, --key-set-url "
                               "or --name.")
    changed = [field for field, value in changes.items() if getattr(platform, field) != value]
    for field in changed:
        setattr(platform, field, changes[field])
    if changed:
        bump_generation(db)
    return platform, changed


def list_platforms(db: so.Session) -> list[Platform]:
    """Every registration, oldest first."""
    return list(db.scalars(sa.select(Platform).order_by(Platform.id)))


def _find(db: so.Session, issuer: str, client_id: str) -> Platform | None:
    return db.scalar(sa.select(Platform).where(Platform.issuer.in_(issuer_spellings(issuer)),
                                               Platform.client_id == client_id))


def _deployment(platform: Platform, deployment_id: str) -> Deployment | None:
    return next((d for d in platform.deployments if d.deployment_id == deployment_id), None)


def find_registration(db: so.Session, issuer: str, client_id: str | None) -> Platform:
    """The one registration named by issuer (and client id when the issuer has several)."""
    normal = normalize_issuer(issuer)
    query = sa.select(Platform).where(Platform.issuer.in_(issuer_spellings(normal)))
    if client_id:
        query = query.where(Platform.client_id == client_id)
    platforms = list(db.scalars(query))
    if not platforms:
        raise NotFound(f"No platform is registered with issuer {normal!r}"
                       + (f" and client id {client_id!r}." if client_id else "."))
    if len(platforms) > 1:
        raise ValidationFailed(f"Issuer {normal!r} has several client ids; name one with --client-id.")
    return platforms[0]


def _target(db: so.Session, issuer: str, client_id: str | None,
            deployment_id: str | None) -> tuple[Platform, Deployment | None]:
    platform = find_registration(db, issuer, client_id)
    if not deployment_id:
        return platform, None
    deployment = _deployment(platform, deployment_id)
    if deployment is None:
        raise NotFound(f"Deployment {deployment_id!r} is not registered for {platform.issuer!r}.")
    return platform, deployment


def _label(platform: Platform, deployment: Deployment | None) -> str:
    if deployment is not None:
        return f"deployment {deployment.deployment_id} of {platform.issuer} (client {platform.client_id})"
    return f"platform {platform.issuer} (client {platform.client_id})"


def set_enabled(db: so.Session, issuer: str, client_id: str | None, deployment_id: str | None,
                *, enabled: bool) -> tuple[str, bool]:
    """Disable (launches refused, records kept) or enable a registration or one deployment.

    Returns what it names and whether anything changed.
    """
    platform, deployment = _target(db, issuer, client_id, deployment_id)
    row: Platform | Deployment = deployment if deployment is not None else platform
    changed = (row.disabled_at is None) != enabled
    if changed:
        row.disabled_at = None if enabled else utcnow()
        bump_generation(db)
    return _label(platform, deployment), changed


# Rows a higher package keeps per course (a learner's attempts), deleted with the courses by ON DELETE CASCADE.
# The launch cannot import those packages, so each offers a counter of its rows in the given courses (a select of
# context ids) under the words that name them; create_app calls the packages' init_app, which add them here.
CourseRowCount = Callable[[so.Session, sa.Select[int]], int]


def add_purge_count(app: Flask, words: str, count: CourseRowCount) -> None:
    """Offer ``count`` of a package's rows in a set of courses, named by ``words``, to the purge's warning."""
    runtime(app).parts.purge_counts[words] = count


def purge_counters(app: Flask) -> Mapping[str, CourseRowCount]:
    """The counters the packages offered, in the order they were added."""
    return runtime(app).parts.purge_counts


@dataclass(frozen=True)
class PurgeCounts:
    """What a purge would delete: the tenant rows, then what the packages above count in those courses."""

    deployments: int
    courses: int
    activities: int
    course_rows: tuple[tuple[str, int], ...] = ()

    def sentence(self) -> str:
        """The counts in words."""
        parts = [f"{self.deployments} deployment(s)", f"{self.courses} course(s)",
                 f"{self.activities} placed activit{'y' if self.activities == 1 else 'ies'}",
                 *(f"{count} {words}" for words, count in self.course_rows)]
        return f"{', '.join(parts[:-1])} and {parts[-1]}"


def purge_counts(db: so.Session, issuer: str, client_id: str | None, deployment_id: str | None,
                 counters: Mapping[str, CourseRowCount] | None = None) -> tuple[str, PurgeCounts]:
    """What `purge` would delete (credentials already issued are kept: they belong to the learners).

    ``counters`` count the rows of the packages above in the courses that go (`purge_counters`)."""
    platform, deployment = _target(db, issuer, client_id, deployment_id)
    deployments = [deployment.id] if deployment is not None else [d.id for d in platform.deployments]
    contexts = sa.select(Context.id).where(Context.deployment_pk.in_(deployments))
    count = sa.func.count()
    return _label(platform, deployment), PurgeCounts(
        deployments=len(deployments),
        courses=int(db.scalar(sa.select(count).select_from(Context).where(Context.deployment_pk.in_(deployments)))
                    or 0),
        activities=int(db.scalar(sa.select(count).select_from(ResourceLink)
                                 .where(ResourceLink.context_pk.in_(contexts))) or 0),
        course_rows=tuple((words, counter(db, contexts)) for words, counter in (counters or {}).items()),
    )


def purge(db: so.Session, issuer: str, client_id: str | None, deployment_id: str | None) -> str:
    """Delete a registration (or one deployment) with its courses, activities and attempts."""
    platform, deployment = _target(db, issuer, client_id, deployment_id)
    label = _label(platform, deployment)
    db.delete(deployment if deployment is not None else platform)
    bump_generation(db)
    return label
