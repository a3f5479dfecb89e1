"""Tenant model: Platform → Deployment → Context → ResourceLink; users scoped to their issuer.

Also the server-side launch state: OIDC login states (single use), launch sessions and the tool's keys.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.db import Base, utcnow
from lti_tool.launch import claims


class Platform(Base):
    """One LTI 1.3 registration: an issuer and the client id it gave this tool."""

    __tablename__ = "platform"
    __table_args__ = (sa.UniqueConstraint("issuer", "client_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    issuer: so.Mapped[str] = so.mapped_column(sa.String(255))
    client_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    name: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    auth_login_url: so.Mapped[str] = so.mapped_column(sa.String(1024))
    auth_token_url: so.Mapped[str] = so.mapped_column(sa.String(1024))
    key_set_url: so.Mapped[str] = so.mapped_column(sa.String(1024))
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    # Set by `platform remove` (without --purge): launches are refused, the records are kept.
    disabled_at: so.Mapped[dt.datetime | None] = so.mapped_column()

    deployments: so.Mapped[list[Deployment]] = so.relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="Deployment.id"
    )


class Deployment(Base):
    """A deployment of the tool inside a platform (LTI Core §3.1.3)."""

    __tablename__ = "deployment"
    __table_args__ = (sa.UniqueConstraint("platform_id", "deployment_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    platform_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("platform.id", ondelete="CASCADE"), index=True)
    deployment_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    disabled_at: so.Mapped[dt.datetime | None] = so.mapped_column()

    platform: so.Mapped[Platform] = so.relationship(back_populates="deployments")


class RegistryGeneration(Base):
    """One row whose value grows with every registration change: workers compare it with what they cached."""

    __tablename__ = "registry_generation"

    id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    value: so.Mapped[int] = so.mapped_column(default=0)


class Context(Base):
    """An LTI context (a course); its id is unique only within its deployment (LTI Core §5.4.1)."""

    __tablename__ = "context"
    __table_args__ = (sa.UniqueConstraint("deployment_pk", "context_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    deployment_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("deployment.id", ondelete="CASCADE"), index=True)
    context_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    title: so.Mapped[str] = so.mapped_column(sa.String(1024), default="")
    label: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    updated_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)

    deployment: so.Mapped[Deployment] = so.relationship()


class ResourceLink(Base):
    """A placement of a unit in a course (LTI Core §5.4.2)."""

    __tablename__ = "resource_link"
    __table_args__ = (sa.UniqueConstraint("context_pk", "resource_link_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    context_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("context.id", ondelete="CASCADE"), index=True)
    resource_link_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    title: so.Mapped[str] = so.mapped_column(sa.String(1024), default="")
    unit_slug: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    # The unit version this placement uses: pinned at its first use, changed only when a teacher upgrades.
    unit_pk: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("unit.id", ondelete="SET NULL"))
    # The version the LMS asked for (custom parameter unit_version, which course copies keep).
    requested_version: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    ags_lineitem_url: so.Mapped[str | None] = so.mapped_column(sa.String(1024))
    # Which attempt the gradebook shows (lti_tool.assessment.grade_policy.GradePolicy), chosen by a teacher.
    grade_policy: so.Mapped[str] = so.mapped_column(sa.String(16), default="best", server_default="best")
    updated_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)

    context: so.Mapped[Context] = so.relationship()


class User(Base):
    """A person as one platform knows them: (issuer, sub), never global (LTI Core §5.3.6)."""

    __tablename__ = "lti_user"
    __table_args__ = (sa.UniqueConstraint("issuer", "sub"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    issuer: so.Mapped[str] = so.mapped_column(sa.String(255))
    sub: so.Mapped[str] = so.mapped_column(sa.String(255))
    name: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    email: so.Mapped[str] = so.mapped_column(sa.String(320), default="")
    locale: so.Mapped[str] = so.mapped_column(sa.String(35), default="en")
    last_launch_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    # The name credentials print when the LMS shares none, or a teacher's correction: never overwritten by a launch.
    credential_name: so.Mapped[str] = so.mapped_column(sa.String(255), default="", server_default="")
    # Who gave credential_name: "learner" (asked in the tool) or "teacher" (a correction); "" when unset.
    credential_name_source: so.Mapped[str] = so.mapped_column(sa.String(16), default="", server_default="")

    @property
    def printed_name(self) -> str:
        """The name a credential carries: a given or corrected one first, else the LMS's; "" when none."""
        return (self.credential_name or self.name or "").strip()


class LoginState(Base):
    """An OIDC login in flight: state → nonce, consumed exactly once by the launch."""

    __tablename__ = "login_state"

    state: so.Mapped[str] = so.mapped_column(sa.String(128), primary_key=True)
    nonce: so.Mapped[str] = so.mapped_column(sa.String(128))
    platform_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("platform.id", ondelete="CASCADE"))
    target_link_uri: so.Mapped[str] = so.mapped_column(sa.String(2048), default="")
    # "cookie": the browser holds the state cookie; "platform": LTI client-side postMessage storage.
    binding: so.Mapped[str] = so.mapped_column(sa.String(16), default="cookie")
    storage_target: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    # The login initiation parameters, to restart the login in a new window when cookies are blocked.
    login_params: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    expires_at: so.Mapped[dt.datetime] = so.mapped_column(index=True)

    platform: so.Mapped[Platform] = so.relationship()


class LaunchSession(Base):
    """The server-side session a validated launch creates; pages and APIs read only this."""

    __tablename__ = "launch_session"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    csrf_token: so.Mapped[str] = so.mapped_column(sa.String(64))
    user_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lti_user.id", ondelete="CASCADE"), index=True)
    deployment_pk: so.Mapped[int] = so.mapped_column(sa.ForeignKey("deployment.id", ondelete="CASCADE"))
    context_pk: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("context.id", ondelete="CASCADE"))
    resource_link_pk: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("resource_link.id", ondelete="CASCADE"))
    message_type: so.Mapped[str] = so.mapped_column(sa.String(64))
    roles: so.Mapped[list[str]] = so.mapped_column(default=list)
    unit_slug: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    locale: so.Mapped[str] = so.mapped_column(sa.String(35), default="en")
    # Launch claims later features need (return URL, AGS/NRPS endpoints, deep-linking settings); no secrets.
    claims: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    expires_at: so.Mapped[dt.datetime] = so.mapped_column(index=True)

    user: so.Mapped[User] = so.relationship()
    deployment: so.Mapped[Deployment] = so.relationship()
    context: so.Mapped[Context | None] = so.relationship()
    resource_link: so.Mapped[ResourceLink | None] = so.relationship()

    @property
    def is_staff(self) -> bool:
        """The launch's roles make a teacher of the course (lti_tool.launch.claims.is_staff)."""
        return claims.is_staff(self.roles)

    @property
    def is_learner(self) -> bool:
        """A learner's launch, not a teacher's (lti_tool.launch.claims.is_learner)."""
        return claims.is_learner(self.roles)


class ToolKey(Base):
    """An RS256 key the tool signs with (deep-linking responses, AGS client assertions)."""

    __tablename__ = "tool_key"

    kid: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    private_pem: so.Mapped[str] = so.mapped_column(sa.Text)
    public_jwk: so.Mapped[dict[str, Any]] = so.mapped_column()
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    # Set when a newer key takes over; the key stays in the JWKS until ``expires_at``.
    retired_at: so.Mapped[dt.datetime | None] = so.mapped_column()
    expires_at: so.Mapped[dt.datetime | None] = so.mapped_column()
